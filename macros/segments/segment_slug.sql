{% macro segment_slug(expr) %}
    {{- return(adapter.dispatch('segment_slug', 'mailmart')(expr)) -}}
{% endmacro %}

{#-
    A value as a segment name suffix: lower case, `&` spelled `and`, every run of other
    characters than letters and digits one underscore (`Home & Kitchen` -> `home_and_kitchen`).
-#}
{% macro default__segment_slug(expr) -%}
    trim(
        regexp_replace(
            replace(lower(cast({{ expr }} as varchar)), '&', 'and'), '[^a-z0-9]+', '_', 'g'
        ),
        '_'
    )
{%- endmacro %}

{% macro spark__segment_slug(expr) -%}
    regexp_replace(
        regexp_replace(
            replace(lower(cast({{ expr }} as string)), '&', 'and'), '[^a-z0-9]+', '_'
        ),
        '^_+|_+$',
        ''
    )
{%- endmacro %}
