{{ config(materialized='table') }}

-- Context features: one row per customer with a device type, a locale, an address country or
-- city, or a time zone known up to as-of. Exact definitions: models/features/_features__web.yml.
--
-- The last address comes from the most recent record that has a country: a shop order's
-- billing address (at the order's creation) or a CRM contact (at its last update, the only
-- time we know its current address was true; a contact updated after as-of is not used, since
-- its address then is unknown). Country and city come from the same record, so they never
-- contradict each other. Deleted CRM contacts are left out.
--
-- The primary device type and the locale come from int_customer_web_aggregated, which reads
-- the web events by customer and keeps its rows between runs (doc `customer_increments`);
-- read here, they cost a pass over every event in every run.
with

web_aggregated as {{ not_materialized() }} (
    select * from {{ ref('int_customer_web_aggregated') }}
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

web_context as (
    select
        customer_id,
        primary_device_type,
        locale
    from web_aggregated
    where primary_device_type is not null
        or locale is not null
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
    select customer_id from web_context
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
        web_context.primary_device_type,
        -- location
        addresses_ranked.country_code as last_country_code,
        addresses_ranked.city as last_city,
        addresses_ranked.address_source as last_address_source,
        addresses_ranked.reported_at as last_address_reported_at,
        -- language and time
        time_zones.time_zone,
        web_context.locale
    from customers
    left join web_context
        on customers.customer_id = web_context.customer_id
    left join addresses_ranked
        on customers.customer_id = addresses_ranked.customer_id
            and addresses_ranked.address_recency = 1
    left join time_zones
        on customers.customer_id = time_zones.customer_id
)

select * from derived
