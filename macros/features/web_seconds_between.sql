{% macro web_seconds_between(start_at, end_at) %}
    {{- return(adapter.dispatch('web_seconds_between', 'mailmart')(start_at, end_at)) -}}
{% endmacro %}

{#-
    Seconds from `start_at` to `end_at` (negative when `end_at` is earlier), to the millisecond,
    as a decimal number. Session gaps, durations and "within N hours/days before as-of" compare
    this number with a threshold, so no model depends on an engine's interval arithmetic.
-#}
{% macro default__web_seconds_between(start_at, end_at) -%}
    ((epoch_ms({{ end_at }}) - epoch_ms({{ start_at }})) / 1000.0)
{%- endmacro %}

{% macro spark__web_seconds_between(start_at, end_at) -%}
    ((unix_millis({{ end_at }}) - unix_millis({{ start_at }})) / cast(1000 as double))
{%- endmacro %}
