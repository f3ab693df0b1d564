{% macro quality_reason_kind(expression) %}
    {{- return(adapter.dispatch('quality_reason_kind', 'mailmart')(expression)) -}}
{% endmacro %}

{#-
    The kind of a quarantine reason, without the record's own value or position, so reasons
    group: `invalid JSON on line 17` -> `invalid JSON`, `timestamp: unparseable timestamp:
    31/10/2026` -> `timestamp: unparseable timestamp`. Reasons without a value stay as they are.
-#}
{% macro default__quality_reason_kind(expression) -%}
    regexp_replace(
        regexp_replace(coalesce({{ expression }}, 'unknown'), ' on line [0-9]+$', ''),
        '^([^:]*: [^:]*): .*$',
        '\1'
    )
{%- endmacro %}

{% macro spark__quality_reason_kind(expression) -%}
    regexp_replace(
        regexp_replace(coalesce({{ expression }}, 'unknown'), ' on line [0-9]+$', ''),
        '^([^:]*: [^:]*): .*$',
        '$1'
    )
{%- endmacro %}
