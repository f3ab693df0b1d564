{% macro json_object_of(columns, relation_alias=none) %}
    {{- return(adapter.dispatch('json_object_of', 'mailmart')(columns, relation_alias)) -}}
{% endmacro %}

{#-
    A JSON object string `{"col": value, ...}` of the named columns, so an explanation keeps
    each value with its name and its JSON type. Column names must be plain identifiers.
-#}
{% macro default__json_object_of(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- if columns | length == 0 -%}
        '{}'
    {%- else -%}
        cast(json_object(
            {%- for column in columns %}
            '{{ column }}', {{ prefix }}{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as varchar)
    {%- endif -%}
{%- endmacro %}

{% macro spark__json_object_of(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- if columns | length == 0 -%}
        '{}'
    {%- else -%}
        to_json(named_struct(
            {%- for column in columns %}
            '{{ column }}', {{ prefix }}{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        ), map('ignoreNullFields', 'false'))
    {%- endif -%}
{%- endmacro %}
