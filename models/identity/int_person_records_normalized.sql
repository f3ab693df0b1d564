{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'spark' else 'delete+insert'),
    unique_key='record_key',
    on_schema_change='sync_all_columns',
) }}

{%- set text = dbt.type_string() %}
{%- set code = person_records_normalized_fingerprint() %}

-- Person-like records (CRM contacts, shop orders) with what fuzzy matching compares that
-- depends on the record alone: names, address and date of birth folded, the email in its
-- identity form and the phone as staging wrote it. int_person_records_prepared adds what
-- depends on other models (may the email or phone link? the canonical first name) and the
-- blocking keys.
--
-- Incremental by record (doc `person_records_normalized`): folding text with regular
-- expressions is most of the work, and a record changes only when a newer dlt load replaces its
-- source row. A run normalises the records whose source row is not the one kept (another
-- `load_id`) or was kept by other code (`normalized_with`: the fingerprint of this model and
-- the macros it calls); dbt's delete+insert replaces their rows.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

contact_records as (
    select
        -- ids
        'crm' as source_system,
        'contacts' as source_table,
        contact_id as source_record_id,
        -- person
        first_name,
        last_name,
        date_of_birth,
        -- address
        street_address,
        city,
        postcode,
        -- contact points
        phone,
        email as email_raw,
        {{ identity_email('email') }} as email,
        cast(null as {{ text }}) as other_email,
        -- timestamps
        coalesce(created_at, updated_at) as first_seen_at,
        -- lineage
        load_id
    from contacts
),

order_records as (
    select
        -- ids
        'shop' as source_system,
        'orders' as source_table,
        order_id as source_record_id,
        -- person: the billing name, else the shop customer's
        coalesce(billing_first_name, customer_first_name) as first_name,
        coalesce(billing_last_name, customer_last_name) as last_name,
        cast(null as date) as date_of_birth,
        -- address
        billing_address1 as street_address,
        billing_city as city,
        billing_postcode as postcode,
        -- contact points
        coalesce(billing_phone, phone) as phone,
        coalesce(customer_email, email) as email_raw,
        {{ identity_email('customer_email') }} as email,
        {{ identity_email('email') }} as other_email,
        -- timestamps
        created_at as first_seen_at,
        -- lineage
        load_id
    from orders
),

unioned as (
    select
        source_system || ':' || source_table || ':' || source_record_id as record_key,
        *
    from (
        select * from contact_records
        union all
        select * from order_records
    ) as records
),

records_to_normalize as (
    select *
    from unioned
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as kept
        where kept.record_key = unioned.record_key
            and kept.load_id = unioned.load_id
            and kept.normalized_with = '{{ code }}'
    )
    {%- endif %}
),

folded as (
    select
        -- ids
        record_key,
        source_system,
        source_table,
        source_record_id,
        -- person
        {{ fuzzy_fold_name('first_name') }} as first_name_normalized,
        {{ fuzzy_fold_name('last_name') }} as last_name_normalized,
        date_of_birth,
        -- address
        {{ fuzzy_fold_text('street_address') }} as street_normalized,
        {{ fuzzy_fold_name('city') }} as city_normalized,
        {{ fuzzy_postcode('postcode') }} as postcode_normalized,
        -- contact points, as given (int_person_records_prepared keeps those that may link)
        phone,
        email,
        other_email,
        email_raw,
        -- timestamps
        first_seen_at,
        -- lineage
        load_id
    from records_to_normalize
),

normalized as (
    select
        folded.*,
        -- house and flat numbers: a similar street with another number is another address
        nullif({{ digits_only('street_normalized') }}, '') as street_numbers,
        '{{ code }}' as normalized_with
    from folded
)

select * from normalized
