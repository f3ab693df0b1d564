{% macro is_known_time_zone(expr) %}
    {{- return(adapter.dispatch('is_known_time_zone', 'mailmart')(expr)) -}}
{% endmacro %}

{#- DuckDB raises on a zone name it does not know, so unknown names are dropped up front. -#}
{% macro default__is_known_time_zone(expr) -%}
    {{ expr }} in (select name from pg_timezone_names())
{%- endmacro %}

{#- Spark's from_utc_timestamp accepts region ids and offsets; a malformed name yields null. -#}
{% macro spark__is_known_time_zone(expr) -%}
    {{ expr }} rlike '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$'
{%- endmacro %}
