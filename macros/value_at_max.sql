{% macro value_at_max(value, ordering) %}
    {{- return(adapter.dispatch('value_at_max', 'mailmart')(value, ordering)) -}}
{% endmacro %}

{#- An aggregate: `value` on the row with the greatest `ordering` in the group (one of them at
    a tie, so callers order by something unique within the group). -#}
{% macro default__value_at_max(value, ordering) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro spark__value_at_max(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}
