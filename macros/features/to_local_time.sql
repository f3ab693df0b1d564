{% macro to_local_time(timestamp_utc, time_zone) %}
    {{- return(adapter.dispatch('to_local_time', 'mailmart')(timestamp_utc, time_zone)) -}}
{% endmacro %}

{#- Models keep timestamps without a time zone, in UTC. DuckDB: timezone('UTC', ts) reads the
    naive timestamp as UTC whatever the session TimeZone, timezone(zone, timestamptz) gives the
    wall-clock time in the zone, naive again. -#}
{% macro default__to_local_time(timestamp_utc, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ timestamp_utc }}))
{%- endmacro %}

{% macro spark__to_local_time(timestamp_utc, time_zone) -%}
    from_utc_timestamp({{ timestamp_utc }}, {{ time_zone }})
{%- endmacro %}
