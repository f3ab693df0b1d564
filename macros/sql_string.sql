{% macro sql_string(text) %}
    {{- return(adapter.dispatch('sql_string', 'mailmart')(text)) -}}
{% endmacro %}

{#- `text` as a SQL string literal. Standard SQL doubles a quote inside one. -#}
{% macro default__sql_string(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}

{#- Spark escapes with a backslash: to it, 'a''b' is two literals, 'a' and 'b', run together. -#}
{% macro spark__sql_string(text) -%}
    '{{ text | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
