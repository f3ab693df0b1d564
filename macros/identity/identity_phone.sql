{% macro identity_phone_country_assumed(raw_phone, country_code) -%}
    {#-
        True when staging had to assume the country of a phone: the number is written without
        `+` or `00` and the record gives no country that `country_calling_codes()` knows (no
        country, or a spelling such as `Deutschland`), so `normalize_phone` used the project's
        default calling code or gave up. Such a value is resolved against the phones whose
        country is known (int_identifiers_observed).
    -#}
    {%- set codes = country_calling_codes() -%}
    (
        not (trim({{ raw_phone }}) like '+%' or {{ digits_only(raw_phone) }} like '00%')
        and coalesce(upper(trim({{ country_code }})), '') not in (
            '{{ codes.keys() | sort | join("', '") }}'
        )
    )
{%- endmacro %}

{% macro identity_phone_national_number(phone) -%}
    {#-
        The national significant number of a normalised phone (digits with the calling code):
        the calling code is removed. ITU calling codes form a prefix code, so at most one of
        `country_calling_codes()` matches (longest first, should a list ever hold both `1`
        and `1242`); a number with none of them is null.
    -#}
    {%- set codes = country_calling_codes().values() | unique | sort | list -%}
    case
        {%- for length in [4, 3, 2, 1] %}
        {%- for code in codes if code | length == length %}
        when {{ phone }} like '{{ code }}%' then substr({{ phone }}, {{ length + 1 }})
        {%- endfor %}
        {%- endfor %}
    end
{%- endmacro %}
