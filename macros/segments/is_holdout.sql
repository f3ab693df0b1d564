{% macro is_holdout(customer_id) -%}
    {#-
        Whether a customer is in the campaign holdout: `mailmart_holdout_share` of customers,
        drawn from the md5 of their id and `mailmart_holdout_salt`, so the same customers every
        run and in every mart, whether or not they are in a segment.
    -#}
    {{ stable_bucket(
        dbt.concat([customer_id, "'|'", "'" ~ var('mailmart_holdout_salt') ~ "'"]),
        10000
    ) }} < {{ (var('mailmart_holdout_share') * 10000) | int }}
{%- endmacro %}
