{% macro stable_bucket(expr, buckets) %}
    {{- return(adapter.dispatch('stable_bucket', 'mailmart')(expr, buckets)) -}}
{% endmacro %}

{#-
    A bucket number in [0, buckets) from the md5 of `expr`: the same on every run, every
    engine and every engine version (unlike `hash()`), so a holdout drawn with it stays put.
    The first 7 hex digits of the md5 (28 bits) are read as an integer.
-#}
{% macro default__stable_bucket(expr, buckets) -%}
    (cast(('0x' || substr(md5(cast({{ expr }} as varchar)), 1, 7)) as bigint) % {{ buckets }})
{%- endmacro %}

{% macro spark__stable_bucket(expr, buckets) -%}
    (cast(conv(substr(md5(cast({{ expr }} as string)), 1, 7), 16, 10) as bigint) % {{ buckets }})
{%- endmacro %}
