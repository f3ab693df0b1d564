{% macro is_valid_email(email) %}
    {{- return(adapter.dispatch('is_valid_email', 'mailmart')(email)) -}}
{% endmacro %}

{#-
    A syntax check of a deliverable (lower-case) address: a local part of the characters
    RFC 5322 allows unquoted, dots only between them; a domain of dot-separated labels
    (letters, digits, inner hyphens) ending in a top-level domain of two or more letters; at
    most 254 characters. Quoted local parts and IP-literal domains are refused: no ESP sends
    to them. `[.]` rather than a backslash, which Spark's string literals would eat.
-#}
{%- macro email_syntax_pattern() -%}
    {%- set atom = "[a-z0-9!#$%&''*+/=?^_`{|}~-]+" -%}
    {%- set label = "[a-z0-9]([a-z0-9-]*[a-z0-9])?" -%}
    {{- atom ~ "([.]" ~ atom ~ ")*@(" ~ label ~ "[.])+[a-z]{2,}" -}}
{%- endmacro -%}

{% macro default__is_valid_email(email) -%}
    coalesce(
        length({{ email }}) <= 254
        and regexp_full_match({{ email }}, '{{ email_syntax_pattern() }}'),
        false
    )
{%- endmacro %}

{% macro spark__is_valid_email(email) -%}
    coalesce(
        length({{ email }}) <= 254
        and {{ email }} rlike '^{{ email_syntax_pattern() }}$',
        false
    )
{%- endmacro %}
