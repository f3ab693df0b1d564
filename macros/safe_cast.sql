{% macro safe_cast(expression, data_type) %}
    {{- return(adapter.dispatch('safe_cast', 'mailmart')(expression, data_type)) -}}
{% endmacro %}

{#- A cast that yields null instead of failing, for free-form fields such as event properties. -#}
{% macro default__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
