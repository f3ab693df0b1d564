{% macro deliverable_email(email) -%}
    {#-
        The address to send to and to keep consent for: `normalize_email` (trimmed,
        lower-cased, empty is null) after tabs and line breaks become spaces, so a pasted
        `\tjane@x.com` is `jane@x.com` (staging's `trim` removes spaces only). Plus-addressing
        and dots are kept: unlike `identity_email`, this is the address as the person typed it.
        Idempotent, so it may be applied to a staging email again.
    -#}
    {{ normalize_email(
        "replace(replace(replace(" ~ email ~ ", chr(9), ' '), chr(10), ' '), chr(13), ' ')"
    ) }}
{%- endmacro %}
