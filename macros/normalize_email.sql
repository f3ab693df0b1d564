{% macro normalize_email(expression) -%}
    {#- Trimmed and lower-cased; empty becomes null. Plus-addressing and dots are kept here:
        whether `jane+news@x.com` is `jane@x.com` is an identity-resolution rule, not a
        cleaning step. -#}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}
