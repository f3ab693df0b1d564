{% macro to_utc(expression) %}
    {{- return(adapter.dispatch('to_utc', 'mailmart')(expression)) -}}
{% endmacro %}

{#- Raw timestamps are loaded with their offset; models use timestamps without a time zone, in UTC. -#}
{% macro default__to_utc(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__to_utc(expression) -%}
    to_utc_timestamp({{ expression }}, current_timezone())
{%- endmacro %}
