{% macro quality_threshold(var_name) -%}
    {#- A threshold var as a double; null (the var unset or null) disables that level. -#}
    {%- set value = var(var_name, none) -%}
    cast({{ 'null' if value is none else value }} as double)
{%- endmacro %}

{% macro quality_status(measured_value, sample_size, threshold_warn, threshold_fail, direction) -%}
    {#-
        `fail`, `warn` or `pass` for a measured value against its thresholds. `direction` says
        which side is bad: `max` (bad above the threshold) or `min` (bad below it). A value
        exactly on a threshold passes it. A check with no value (nothing to measure) or measured
        on fewer records than var `mailmart_quality_min_sample_size` passes: a share of a
        handful of records says nothing.
    -#}
    case
        when {{ measured_value }} is null then 'pass'
        when coalesce({{ sample_size }}, 0) < {{ var('mailmart_quality_min_sample_size') }}
            then 'pass'
        when {{ direction }} = 'max' and {{ measured_value }} > {{ threshold_fail }} then 'fail'
        when {{ direction }} = 'min' and {{ measured_value }} < {{ threshold_fail }} then 'fail'
        when {{ direction }} = 'max' and {{ measured_value }} > {{ threshold_warn }} then 'warn'
        when {{ direction }} = 'min' and {{ measured_value }} < {{ threshold_warn }} then 'warn'
        else 'pass'
    end
{%- endmacro %}

{% macro quality_text(expression) -%}
    {#- An expression as text, for the `details` of a check. -#}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}
