{% macro quality_hours_between(start_at, end_at) -%}
    {#- Hours from `start_at` to `end_at` as a decimal (negative when `end_at` is earlier). -#}
    ({{ web_seconds_between(start_at, end_at) }} / cast(3600 as double))
{%- endmacro %}
