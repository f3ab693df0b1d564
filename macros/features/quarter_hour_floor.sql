{% macro quarter_hour_floor(timestamp_utc) %}
    {{- return(adapter.dispatch('quarter_hour_floor', 'mailmart')(timestamp_utc)) -}}
{% endmacro %}

{#- The start of the quarter hour (UTC) a naive UTC timestamp falls in. -#}
{% macro default__quarter_hour_floor(timestamp_utc) -%}
    time_bucket(interval '15 minutes', {{ timestamp_utc }})
{%- endmacro %}

{% macro spark__quarter_hour_floor(timestamp_utc) -%}
    timestamp_millis(floor(unix_millis({{ timestamp_utc }}) / 900000) * 900000)
{%- endmacro %}
