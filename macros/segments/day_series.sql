{% macro day_series(start_date, end_date) %}
    {{- return(adapter.dispatch('day_series', 'mailmart')(start_date, end_date)) -}}
{% endmacro %}

{#-
    Select-list expression: one row per calendar day from `start_date` to `end_date`, both
    included, as a date column (a set-returning expression: use it alone in a select list).
-#}
{% macro default__day_series(start_date, end_date) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date)
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
{%- endmacro %}
