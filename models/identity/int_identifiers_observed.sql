{{ config(materialized='table') }}

{%- set user_id_from_shop = var('mailmart_shop_customer_id_is_user_id', true) %}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

identifies as (
    select * from {{ ref('stg_segment__identifies') }}
),

pages as (
    select * from {{ ref('stg_segment__pages') }}
),

tracks as (
    select * from {{ ref('stg_segment__tracks') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

imported_order_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
),

enrichment as (
    select * from {{ ref('stg_enrichment__people') }}
),

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
),

-- Segment: every message's identifiers, before deciding what a record is
segment_messages as (
    select
        anonymous_id,
        user_id,
        device_id,
        email,
        phone,
        occurred_at
    from identifies
    union all
    select
        anonymous_id,
        user_id,
        device_id,
        null as email,
        null as phone,
        occurred_at
    from pages
    union all
    select
        anonymous_id,
        user_id,
        device_id,
        null as email,
        null as phone,
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
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from segment_messages
    where anonymous_id is not null
    group by 1, 2, 3, 4, 5
),

segment_user_ids as (
    select
        user_id,
        {{ identity_email('email') }} as email,
        phone,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from segment_messages
    where user_id is not null
    group by 1, 2, 3
),

orders_prepared as (
    select
        order_id,
        {{ identity_email('email') }} as email,
        {{ identity_email('customer_email') }} as customer_email,
        phone,
        billing_phone,
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
    {{ identifier_observations('contacts', 'crm', 'contacts', 'contact_id', [
        ['source_record', 'contact_id'],
        ['crm_contact_id', 'contact_id'],
        ['crm_contact_id', 'merged_into_contact_id'],
        ['email', identity_email('email')],
        ['phone', 'phone'],
    ], 'coalesce(updated_at, created_at)') }}
    union all
    {{ identifier_observations(
        'segment_anonymous_ids', 'segment', 'anonymous_ids', 'anonymous_id', [
        ['source_record', 'anonymous_id'],
        ['anonymous_id', 'anonymous_id'],
        ['user_id', 'user_id'],
        ['device_id', 'device_id'],
        ['email', 'email'],
        ['phone', 'phone'],
    ], 'first_seen_at', 'last_seen_at') }}
    union all
    {{ identifier_observations('segment_user_ids', 'segment', 'user_ids', 'user_id', [
        ['source_record', 'user_id'],
        ['user_id', 'user_id'],
        ['email', 'email'],
        ['phone', 'phone'],
    ], 'first_seen_at', 'last_seen_at') }}
    union all
    {{ identifier_observations('orders_prepared', 'shop', 'orders', 'order_id', [
        ['source_record', 'order_id'],
        ['email', 'email'],
        ['email', 'customer_email'],
        ['phone', 'phone'],
        ['phone', 'billing_phone'],
        ['user_id', 'user_id'],
    ], 'created_at') }}
    union all
    {{ identifier_observations('imported_orders', 'order_import', 'orders', 'order_id', [
        ['source_record', 'order_id'],
        ['email', 'email'],
        ['user_id', 'user_id'],
    ], 'ordered_at') }}
    union all
    {{ identifier_observations('enrichment', 'enrichment', 'people', 'email', [
        ['source_record', 'email'],
        ['email', identity_email('email')],
    ], 'enriched_at') }}
    union all
    {{ identifier_observations('email_recipients', 'email', 'recipients', 'email', [
        ['source_record', 'email'],
        ['email', 'identity_email'],
    ], 'first_seen_at', 'last_seen_at') }}
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
        -- timestamps
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        -- counts
        count(*) as observation_count
    from observations
    group by 1, 2, 3, 4, 5
)

select * from aggregated
