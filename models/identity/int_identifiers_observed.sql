{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=observed_increment_pre_hooks(),
    post_hook=observed_increment_post_hooks(),
) }}

-- depends_on: {{ ref('int_email_events_extracted') }}
{%- set user_id_from_shop = var('mailmart_shop_customer_id_is_user_id', true) %}
{%- set segment_record = observed_increment_filter(
    "'segment'", "'anonymous_ids'", 'anonymous_id'
) %}
{%- set segment_user = observed_increment_filter("'segment'", "'user_ids'", 'user_id') %}

-- Incremental by record (doc `observed_increments`): a run recomputes the records with a row
-- in a dlt load it has not read and those with a phone whose country was assumed and whose
-- national number one of those rows may bring or take away; the pre-hooks delete their kept
-- rows, the query below reads only their source rows.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where {{ observed_increment_filter("'crm'", "'contacts'", 'contact_id') }}
),
{% for name in ['identifies', 'pages', 'tracks'] %}
{{ name }} as {{ not_materialized() }} (
    select * from {{ ref('int_segment_' ~ name ~ '_extracted') }}
    where ({{ segment_record }}) or ({{ segment_user }})
),
{% endfor %}
orders as (
    select * from {{ ref('stg_shop__orders') }}
    where {{ observed_increment_filter("'shop'", "'orders'", 'order_id') }}
),

imported_order_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
    where {{ observed_increment_filter("'order_import'", "'orders'", 'order_id') }}
),

enrichment as (
    select * from {{ ref('stg_enrichment__people') }}
    where {{ observed_increment_filter("'enrichment'", "'people'", 'email') }}
),

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
    where {{ observed_increment_filter("'email'", "'recipients'", 'email') }}
),

-- A phone written without `+`/`00` on a record with no known country got the default calling
-- code in staging (or none, for a country spelled out): it goes in `phone_country_unknown` and
-- is resolved against the phones whose country is known (`phones_resolved` below).
contacts_prepared as (
    select
        contact_id,
        merged_into_contact_id,
        email,
        case
            when not {{ identity_phone_country_assumed('phone_raw', 'country_code') }}
                then phone
        end as phone,
        case
            when {{ identity_phone_country_assumed('phone_raw', 'country_code') }}
                then {{ normalize_phone('phone_raw') }}
        end as phone_country_unknown,
        created_at,
        updated_at
    from contacts
),

-- Segment: every message's identifiers, before deciding what a record is. Order events
-- carry the shop's order id, which ties a browser that checked out as a guest to its order.
segment_messages as {{ not_materialized() }} (
    select
        anonymous_id,
        user_id,
        device_id,
        email,
        case
            when not {{ identity_phone_country_assumed(
                json_text('traits', '$.phone'), json_text('traits', '$.address.country')
            ) }} then phone
        end as phone,
        case
            when {{ identity_phone_country_assumed(
                json_text('traits', '$.phone'), json_text('traits', '$.address.country')
            ) }} then phone
        end as phone_country_unknown,
        null as order_id,
        occurred_at
    from identifies
    union all
    select
        anonymous_id,
        user_id,
        device_id,
        null as email,
        null as phone,
        null as phone_country_unknown,
        null as order_id,
        occurred_at
    from pages
    union all
    select
        anonymous_id,
        user_id,
        device_id,
        null as email,
        null as phone,
        null as phone_country_unknown,
        nullif(trim(order_id), '') as order_id,
        occurred_at
    from tracks
),

-- One record per anonymous id and one per user id (the ground truth's grain): events are
-- observations of these, so the graph stays as small as the number of people, not events.
segment_anonymous_ids as (
    select
        anonymous_id,
        user_id,
        device_id,
        {{ identity_email('email') }} as email,
        phone,
        phone_country_unknown,
        order_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from segment_messages
    where anonymous_id is not null and {{ segment_record }}
    group by 1, 2, 3, 4, 5, 6, 7
),

segment_user_ids as (
    select
        user_id,
        {{ identity_email('email') }} as email,
        phone,
        phone_country_unknown,
        order_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from segment_messages
    where user_id is not null and {{ segment_user }}
    group by 1, 2, 3, 4, 5
),

-- Without a billing address (in-store orders) staging gave a number written without a
-- country code the default one; a number not starting with that code was written with its own.
{%- set default_code = country_calling_codes()[var('mailmart_default_country_code')] %}
{%- set order_phone_assumed = "billing_country_code is null and phone like '"
    ~ default_code ~ "%'" %}
{%- set billing_phone_assumed = "billing_country_code is null and billing_phone like '"
    ~ default_code ~ "%'" %}
orders_prepared as (
    select
        order_id,
        {{ identity_email('email') }} as email,
        {{ identity_email('customer_email') }} as customer_email,
        case when not ({{ order_phone_assumed }}) then phone end as phone,
        case when not ({{ billing_phone_assumed }}) then billing_phone end as billing_phone,
        case when {{ order_phone_assumed }} then phone end as phone_country_unknown,
        case
            when {{ billing_phone_assumed }} then billing_phone
        end as billing_phone_country_unknown,
        {% if user_id_from_shop %}customer_id{% else %}null{% endif %} as user_id,
        created_at
    from orders
),

imported_orders as (
    select
        order_id,
        {{ identity_email('email') }} as email,
        nullif(trim(customer_id), '') as user_id,
        min(ordered_at) as ordered_at
    from imported_order_lines
    group by 1, 2, 3
),

email_recipients as (
    select
        email,
        {{ identity_email('email') }} as identity_email,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from email_events
    where email is not null
    group by 1, 2
),

observations as (
    {{ identifier_observations('contacts_prepared', 'crm', 'contacts', 'contact_id', [
        ['crm_contact_id', 'contact_id'],
        ['crm_contact_id', 'merged_into_contact_id'],
        ['email', identity_email('email')],
        ['phone', 'phone'],
        ['phone_country_unknown', 'phone_country_unknown'],
    ], 'coalesce(updated_at, created_at)') }}
    union all
    {{ identifier_observations(
        'segment_anonymous_ids', 'segment', 'anonymous_ids', 'anonymous_id', [
        ['anonymous_id', 'anonymous_id'],
        ['user_id', 'user_id'],
        ['device_id', 'device_id'],
        ['email', 'email'],
        ['phone', 'phone'],
        ['phone_country_unknown', 'phone_country_unknown'],
        ['order_id', 'order_id'],
    ], 'first_seen_at', 'last_seen_at') }}
    union all
    {{ identifier_observations('segment_user_ids', 'segment', 'user_ids', 'user_id', [
        ['user_id', 'user_id'],
        ['email', 'email'],
        ['phone', 'phone'],
        ['phone_country_unknown', 'phone_country_unknown'],
        ['order_id', 'order_id'],
    ], 'first_seen_at', 'last_seen_at') }}
    union all
    {{ identifier_observations('orders_prepared', 'shop', 'orders', 'order_id', [
        ['order_id', 'order_id'],
        ['email', 'email'],
        ['email', 'customer_email'],
        ['phone', 'phone'],
        ['phone', 'billing_phone'],
        ['phone_country_unknown', 'phone_country_unknown'],
        ['phone_country_unknown', 'billing_phone_country_unknown'],
        ['user_id', 'user_id'],
    ], 'created_at') }}
    union all
    {{ identifier_observations('imported_orders', 'order_import', 'orders', 'order_id', [
        ['email', 'email'],
        ['user_id', 'user_id'],
    ], 'ordered_at') }}
    union all
    {{ identifier_observations('enrichment', 'enrichment', 'people', 'email', [
        ['email', identity_email('email')],
    ], 'enriched_at') }}
    union all
    {{ identifier_observations('email_recipients', 'email', 'recipients', 'email', [
        ['email', 'identity_email'],
    ], 'first_seen_at', 'last_seen_at') }}
),

-- A phone whose country was assumed takes the one known number with the same national
-- significant number (`0612 345678` on an in-store order and `+49 612 345678` on the web order
-- of the same buyer); with none, or several, it keeps the default country's code. Known are
-- the phones of this run's records and the kept ones: every record with an assumed phone of a
-- national number this run resolves is in this run (doc `observed_increments`), so the kept
-- phones of those numbers are all known ones.
phones as (
    select identifier_value
    from observations
    where identifier_type = 'phone'
    {%- if is_incremental() %}
    union all
    select identifier_value
    from {{ this }}
    where identifier_type = 'phone'
    {%- endif %}
),

known_phones as (
    select
        {{ identity_phone_national_number('identifier_value') }} as national_number,
        min(identifier_value) as identifier_value,
        count(distinct identifier_value) as phone_count
    from phones
    group by 1
),

phones_resolved as (
    select
        observations.source_system,
        observations.source_table,
        observations.source_record_id,
        observations.is_record_key,
        'phone' as identifier_type,
        case
            when known_phones.phone_count = 1 then known_phones.identifier_value
            else observations.identifier_value
        end as identifier_value,
        true as is_phone_country_assumed,
        observations.first_seen_at,
        observations.last_seen_at
    from observations
    left join known_phones
        on {{ identity_phone_national_number('observations.identifier_value') }}
            = known_phones.national_number
    where observations.identifier_type = 'phone_country_unknown'
),

observations_resolved as (
    select
        source_system,
        source_table,
        source_record_id,
        is_record_key,
        identifier_type,
        identifier_value,
        false as is_phone_country_assumed,
        first_seen_at,
        last_seen_at
    from observations
    where identifier_type <> 'phone_country_unknown'
    union all
    select * from phones_resolved
),

-- first and last sighting per record and identifier; segment records carry their own span
aggregated as (
    select
        -- ids
        source_system,
        source_table,
        source_record_id,
        identifier_type,
        identifier_value,
        -- the identifier is the record's own id (an anonymous id's record, a contact's id)
        bool_or(is_record_key) as is_record_key,
        -- a phone written without a country code on a record with no known country
        bool_or(is_phone_country_assumed) as is_phone_country_assumed,
        -- timestamps
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        -- counts
        count(*) as observation_count
    from observations_resolved
    group by 1, 2, 3, 4, 5
)

select
    *,
    -- when this run wrote the row (doc `tests_on_new_rows`)
    {{ written_at() }} as written_at
from aggregated
