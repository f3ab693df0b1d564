{{ config(materialized='table') }}

{%- set text = dbt.type_string() %}

-- Person-like records (CRM contacts, shop orders with billing details) in the form fuzzy
-- matching compares, with the blocking keys that decide which pairs are compared at all. The
-- folding that depends on the record alone is kept by record in int_person_records_normalized;
-- this model adds what other models decide (may the email and phone link?) and the canonical
-- first name.
with

records as (
    select * from {{ ref('int_person_records_normalized') }}
),

nicknames as (
    select * from {{ ref('mailmart_nicknames') }}
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
),

-- placeholder and shared emails and phones (store@..., 0000000) say nothing about a person
linkable_identifiers as (
    select
        identifier_type,
        identifier_value
    from assessed
    where can_link
),

normalized as (
    select
        -- ids
        records.record_key,
        records.source_system,
        records.source_table,
        records.source_record_id,
        -- person
        records.first_name_normalized,
        records.last_name_normalized,
        records.date_of_birth,
        -- address
        records.street_normalized,
        records.city_normalized,
        records.postcode_normalized,
        records.street_numbers,
        -- contact points: only values that may link records
        phones.identifier_value as phone,
        case
            when records.email is null and records.other_email is null
                -- not a well-formed address (`jane@x@y.com`): no identifier, but a typo of
                -- one is still evidence for fuzzy matching
                then case when records.email_raw like '%@%' then records.email_raw end
            else coalesce(emails.identifier_value, other_emails.identifier_value)
        end as email,
        -- timestamps
        records.first_seen_at
    from records
    left join linkable_identifiers as phones
        on phones.identifier_type = 'phone'
            and records.phone = phones.identifier_value
    left join linkable_identifiers as emails
        on emails.identifier_type = 'email'
            and records.email = emails.identifier_value
    left join linkable_identifiers as other_emails
        on other_emails.identifier_type = 'email'
            and records.other_email = other_emails.identifier_value
),

canonicalized as (
    select
        normalized.*,
        -- Bob, Bobby and Rob are Robert; names not in the seed are their own canonical form
        coalesce(nicknames.canonical_name, normalized.first_name_normalized)
            as first_name_canonical,
        {{ dbt.split_part('normalized.email', "'@'", 1) }} as email_local_part
    from normalized
    left join nicknames
        on normalized.first_name_normalized = nicknames.nickname
),

-- a date with day <= 12 may have been entered in the other order (US vs European)
dates_swapped as (
    select
        *,
        case
            when day(date_of_birth) <= 12 and day(date_of_birth) <> month(date_of_birth)
                then make_date(year(date_of_birth), day(date_of_birth), month(date_of_birth))
        end as date_of_birth_swapped
    from canonicalized
),

prepared as (
    select
        -- ids
        record_key,
        source_system,
        source_table,
        source_record_id,
        -- person
        first_name_normalized,
        first_name_canonical,
        last_name_normalized,
        date_of_birth,
        date_of_birth_swapped,
        -- address
        street_normalized,
        city_normalized,
        postcode_normalized,
        -- house and flat numbers: a similar street with another number is another address
        street_numbers,
        -- contact points
        phone,
        email,
        email_local_part,
        -- digits people add to an address (`jsmith82@`) tell two John Smiths apart
        nullif({{ digits_only('email_local_part') }}, '') as email_local_digits,
        -- blocking keys (see macro fuzzy_blocking_keys); null when a part is missing
        cast(date_of_birth as {{ text }}) as block_date_of_birth,
        cast(date_of_birth_swapped as {{ text }}) as block_date_of_birth_swapped,
        substr(last_name_normalized, 1, 3) || '|'
        || cast(year(date_of_birth) as {{ text }}) as block_last_name_birth_year,
        substr(first_name_canonical, 1, 3) || '|'
        || cast(year(date_of_birth) as {{ text }}) as block_first_name_birth_year,
        postcode_normalized || '|'
        || substr(first_name_canonical, 1, 1) as block_postcode_first_initial,
        postcode_normalized || '|'
        || substr(last_name_normalized, 1, 1) as block_postcode_last_initial,
        -- in either order, for names entered the wrong way round; as written and with the
        -- canonical first name
        case
            when first_name_normalized is not null and last_name_normalized is not null
                then least(first_name_normalized, last_name_normalized) || '|'
                    || greatest(first_name_normalized, last_name_normalized)
        end as block_full_name,
        case
            when first_name_canonical <> first_name_normalized and last_name_normalized is not null
                then least(first_name_canonical, last_name_normalized) || '|'
                    || greatest(first_name_canonical, last_name_normalized)
        end as block_full_name_canonical,
        first_name_canonical || '|'
        || substr(last_name_normalized, 1, 1) as block_first_name_last_initial,
        last_name_normalized || '|'
        || substr(first_name_canonical, 1, 1) as block_last_name_first_initial,
        -- two letters of each name, in either order, and the birth decade
        least(substr(first_name_normalized, 1, 2), substr(last_name_normalized, 1, 2)) || '|'
        || greatest(substr(first_name_normalized, 1, 2), substr(last_name_normalized, 1, 2))
        || '|' || substr(cast(year(date_of_birth) as {{ text }}), 1, 3)
            as block_name_initials_birth_decade,
        city_normalized || '|' || last_name_normalized as block_city_last_name,
        city_normalized || '|' || first_name_canonical as block_city_first_name,
        email_local_part as block_email_local_part,
        phone as block_phone,
        -- timestamps
        first_seen_at
    from dates_swapped
)

select * from prepared
