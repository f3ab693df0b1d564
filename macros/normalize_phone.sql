{% macro country_calling_codes() %}
    {#- ISO 3166 alpha-2 -> ITU calling code, for the countries whose numbers we see written
        without a country code. Extend as needed. -#}
    {{ return({
        'US': '1', 'CA': '1', 'GB': '44', 'IE': '353', 'FR': '33', 'DE': '49', 'ES': '34',
        'IT': '39', 'NL': '31', 'BE': '32', 'CH': '41', 'AT': '43', 'SE': '46', 'NO': '47',
        'DK': '45', 'FI': '358', 'PL': '48', 'PT': '351', 'AU': '61', 'NZ': '64', 'JP': '81',
        'KR': '82', 'CN': '86', 'IN': '91', 'SG': '65', 'HK': '852', 'BR': '55', 'MX': '52',
        'AR': '54', 'ZA': '27', 'NG': '234', 'KE': '254', 'AE': '971', 'IL': '972',
        'TR': '90', 'RU': '7', 'ID': '62', 'PH': '63', 'TH': '66', 'VN': '84', 'EG': '20'
    }) }}
{% endmacro %}

{% macro normalize_phone(phone, country_code=none) -%}
    {#-
        Digits with the country calling code, no `+` (E.164 without the plus): `+44 20 7946
        0958`, `0044 20 7946 0958` and `(020) 7946-0958` with country GB all become
        `442079460958`. A number with no `+`/`00` prefix is national: a leading trunk `0` is
        dropped and the calling code of the record's country (else the project default) is
        prefixed; NANP numbers of 10 digits get `1`. Fewer than 7 digits is not a phone: null.
    -#}
    {%- set codes = country_calling_codes() -%}
    {%- set country = "upper(trim(" ~ country_code ~ "))" if country_code else "null" -%}
    {%- set raw = "trim(" ~ phone ~ ")" -%}
    {%- set digits = digits_only(phone) -%}
    {%- set calling_code -%}
        case coalesce({{ country }}, '{{ var("mailmart_default_country_code") }}')
            {%- for iso, code in codes.items() %}
            when '{{ iso }}' then '{{ code }}'
            {%- endfor %}
        end
    {%- endset -%}
    case
        when length({{ digits }}) < 7 then null
        when {{ raw }} like '+%' then {{ digits }}
        when {{ digits }} like '00%' then substr({{ digits }}, 3)
        when ({{ calling_code }}) = '1' and length({{ digits }}) = 11 and {{ digits }} like '1%'
            then {{ digits }}
        when {{ digits }} like '0%' then ({{ calling_code }}) || substr({{ digits }}, 2)
        else ({{ calling_code }}) || {{ digits }}
    end
{%- endmacro %}
