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
    {#- Spark writes a timestamp in JSON as ISO text with a `T` and three decimals; as text it
        writes what DuckDB's JSON holds (`2026-09-09 15:52:29`, `... 19:04:03.477`), so
        timestamp columns of `relation_alias` (a relation) go in as text. -#}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set timestamps = [] -%}
    {%- if execute and relation_alias is not none and relation_alias is not string -%}
        {%- for column in adapter.get_columns_in_relation(relation_alias) -%}
            {%- if column.dtype | lower in ('timestamp', 'timestamp_ntz') -%}
                {%- do timestamps.append(column.name | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if columns | length == 0 -%}
        '{}'
    {%- else -%}
        to_json(named_struct(
            {%- for column in columns %}
            '{{ column }}',
            {% if column | lower in timestamps -%}
                cast({{ prefix }}{{ column }} as string)
            {%- else -%}
                {{ prefix }}{{ column }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        ), map('ignoreNullFields', 'false'))
    {%- endif -%}
{%- endmacro %}
