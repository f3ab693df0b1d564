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
    {#- Spark writes a timestamp in JSON as ISO text (`2026-09-09T15:52:29.000Z`); DuckDB writes
        `2026-09-09 15:52:29`, with the fraction's trailing zeros dropped (`... 19:04:03.477`).
        The columns' types are not known here (`inputs` is a CTE), so Spark writes every
        timestamp with six decimals and a marker (`~`), and one replacement drops the zeros
        (the dot too when nothing else is left) and the marker after a time of day. -#}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- if columns | length == 0 -%}
        '{}'
    {%- else -%}
        regexp_replace(
            to_json(
                named_struct(
                    {%- for column in columns %}
                    '{{ column }}', {{ prefix }}{{ column }}{{ ',' if not loop.last }}
                    {%- endfor %}
                ),
                map(
                    'ignoreNullFields', 'false',
                    'timestampFormat', 'yyyy-MM-dd HH:mm:ss.SSSSSS~'
                )
            ),
            '([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\\.0+|(\\.[0-9]*[1-9])0*)~"', '$1$2"'
        )
    {%- endif -%}
{%- endmacro %}
