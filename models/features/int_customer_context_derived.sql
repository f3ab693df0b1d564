{{ config(materialized='table') }}

-- Context features: one row per customer with a device type, a locale, an address country or
-- city, or a time zone known up to as-of. Exact definitions: models/features/_features__web.yml.
--
-- The last address comes from the most recent record that has a country: a shop order's
-- billing address (at the order's creation) or a CRM contact (at its last update, the only
-- time we know its current address was true; a contact updated after as-of is not used, since
-- its address then is unknown). Country and city come from the same record, so they never
-- contradict each other. Deleted CRM contacts are left out.
with

web_events as {{ not_materialized() }} (
    select * from {{ ref('int_web_events_attributed') }}
),

shop_orders as {{ not_materialized() }} (
    select * from {{ ref('stg_shop__orders') }}
),

crm_contacts as {{ not_materialized() }} (
    select * from {{ ref('stg_crm__contacts') }}
),

source_records as {{ not_materialized() }} (
    select * from {{ ref('customer_source_records') }}
),

time_zones as {{ not_materialized() }} (
    select * from {{ ref('int_customer_time_zones_resolved') }}
),

as_of as {{ not_materialized() }} (
    select * from {{ ref('int_as_of_resolved') }}
),

events_until_as_of as {{ not_materialized() }} (
    select
        web_events.message_id,
        web_events.customer_id,
        web_events.device_type,
        web_events.locale,
        web_events.occurred_at
    from web_events
    cross join as_of
    where web_events.customer_id is not null
        and web_events.occurred_at <= as_of.as_of
),

-- device -----------------------------------------------------------------------------------

device_types as (
    select
        customer_id,
        device_type,
        count(*) as events,
        max(occurred_at) as last_used_at
    from events_until_as_of
    where nullif(trim(device_type), '') is not null
    group by customer_id, device_type
),

device_types_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by events desc, last_used_at desc, device_type asc
        ) as device_rank
    from device_types
),

-- locale -----------------------------------------------------------------------------------

reported_locales as {{ not_materialized() }} (
    select
        customer_id,
        locale,
        occurred_at
    from events_until_as_of
    where nullif(trim(locale), '') is not null
),

-- the locale of the latest message that reported one, the first alphabetically at a tie: two
-- aggregates, not a sort of every message
latest_locale_times as (
    select
        customer_id,
        max(occurred_at) as reported_at
    from reported_locales
    group by customer_id
),

latest_locales as (
    select
        reported_locales.customer_id,
        -- the feature is called `locale` (a keyword to the linter) in every layer
        min(reported_locales.locale) as locale  -- noqa: RF04
    from reported_locales
    inner join latest_locale_times
        on reported_locales.customer_id = latest_locale_times.customer_id
            and reported_locales.occurred_at = latest_locale_times.reported_at
    group by reported_locales.customer_id
),

-- address ----------------------------------------------------------------------------------

order_addresses as (
    select
        source_records.customer_id,
        'shop' as address_source,
        shop_orders.order_id as source_record_id,
        shop_orders.billing_country_code as country_code,
        shop_orders.billing_city as city,
        shop_orders.created_at as reported_at
    from shop_orders
    inner join source_records
        on source_records.source_system = 'shop'
            and source_records.source_table = 'orders'
            and shop_orders.order_id = source_records.source_record_id
    where shop_orders.billing_country_code is not null
),

contact_addresses as (
    select
        source_records.customer_id,
        'crm' as address_source,
        crm_contacts.contact_id as source_record_id,
        crm_contacts.country_code,
        crm_contacts.city,
        coalesce(crm_contacts.updated_at, crm_contacts.created_at) as reported_at
    from crm_contacts
    inner join source_records
        on source_records.source_system = 'crm'
            and source_records.source_table = 'contacts'
            and crm_contacts.contact_id = source_records.source_record_id
    where crm_contacts.country_code is not null
        and not crm_contacts.is_deleted
),

addresses as (
    select * from order_addresses
    union all
    select * from contact_addresses
),

addresses_ranked as (
    select
        addresses.*,
        -- same moment: the billing address, which a payment vouched for
        row_number() over (
            partition by addresses.customer_id
            order by
                addresses.reported_at desc,
                case when addresses.address_source = 'shop' then 0 else 1 end asc,
                addresses.source_record_id asc
        ) as address_recency
    from addresses
    cross join as_of
    where addresses.reported_at <= as_of.as_of
),

-- one row per customer ---------------------------------------------------------------------

customers as (
    select customer_id from device_types
    union
    select customer_id from latest_locales
    union
    select customer_id from addresses_ranked
    union
    select customer_id from time_zones
),

derived as (
    select
        -- ids
        customers.customer_id,
        -- device
        device_types_ranked.device_type as primary_device_type,
        -- location
        addresses_ranked.country_code as last_country_code,
        addresses_ranked.city as last_city,
        addresses_ranked.address_source as last_address_source,
        addresses_ranked.reported_at as last_address_reported_at,
        -- language and time
        time_zones.time_zone,
        latest_locales.locale
    from customers
    left join device_types_ranked
        on customers.customer_id = device_types_ranked.customer_id
            and device_types_ranked.device_rank = 1
    left join addresses_ranked
        on customers.customer_id = addresses_ranked.customer_id
            and addresses_ranked.address_recency = 1
    left join time_zones
        on customers.customer_id = time_zones.customer_id
    left join latest_locales
        on customers.customer_id = latest_locales.customer_id
)

select * from derived
