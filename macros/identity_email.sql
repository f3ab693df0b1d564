{% macro identity_email(email) -%}
    {#-
        The form of an email address that identifies a person (input: a staging email, already
        trimmed and lower-cased). With `mailmart_fold_plus_addressing` (default true) the
        `+tag` of the local part is removed (`jane+news@x.com` -> `jane@x.com`): every major
        mailbox provider delivers both to one inbox. Dots in the local part are removed only for
        the domains in `mailmart_dotless_email_domains` (Gmail ignores them; most providers do
        not). Tabs and line breaks around the address are removed (staging's `trim` removes
        spaces only, and people paste addresses with a tab). Not an email (no `@`, no dot in
        the domain, spaces inside): null.
    -#}
    {%- set email = "trim(replace(replace(replace(" ~ email
        ~ ", chr(9), ' '), chr(10), ' '), chr(13), ' '))" -%}
    {%- set local = "split_part(" ~ email ~ ", '@', 1)" -%}
    {%- set domain = "split_part(" ~ email ~ ", '@', 2)" -%}
    {%- if var('mailmart_fold_plus_addressing', true) -%}
        {%- set local = "split_part(" ~ local ~ ", '+', 1)" -%}
    {%- endif -%}
    {%- set domains = var('mailmart_dotless_email_domains', ['gmail.com', 'googlemail.com']) -%}
    case
        when {{ email }} is null then null
        when {{ email }} not like '%_@_%._%' or {{ email }} like '% %' or {{ email }} like '%@%@%'
            then null
        {%- if domains %}
        when {{ domain }} in ('{{ domains | join("', '") }}')
            then replace({{ local }}, '.', '') || '@' || {{ domain }}
        {%- endif %}
        else {{ local }} || '@' || {{ domain }}
    end
{%- endmacro %}
