{% macro digits_only(expression) %}
    {{- return(adapter.dispatch('digits_only', 'mailmart')(expression)) -}}
{% endmacro %}

{% macro default__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro spark__digits_only(expression) -%}
    regexp_replace({{ expression }}, '[^0-9]', '')
{%- endmacro %}
