{% macro iso_weekday(expression) %}
    {{- return(adapter.dispatch('iso_weekday', 'mailmart')(expression)) -}}
{% endmacro %}

{#- ISO 8601 day of the week: Monday 1 to Sunday 7 (engines disagree on plain day-of-week:
    DuckDB counts Sunday 0, Spark Sunday 1). -#}
{% macro default__iso_weekday(expression) -%}
    cast(isodow({{ expression }}) as integer)
{%- endmacro %}

{% macro spark__iso_weekday(expression) -%}
    cast(extract(dayofweek_iso from {{ expression }}) as integer)
{%- endmacro %}
