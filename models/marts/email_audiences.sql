{{ config(materialized='table') }}

-- One row per sendable customer and segment they are in: what the email platform syncs, with
-- the fields a template fills in. Only addresses whose consent state is `subscribed` are
-- here (tests/assert_audiences_respect_consent.sql fails the build otherwise); holdout
-- customers are flagged, not removed, so the platform can leave them out and measure uplift.
with

memberships as (
    select * from {{ ref('segment_memberships') }}
),

customers as (
    select * from {{ ref('customers') }}
    where is_sendable
),

features as (
    select * from {{ ref('customer_features') }}
),

final as (
    select
        -- ids
        memberships.customer_id,
        memberships.segment_name,
        -- segment
        memberships.segment_family,
        memberships.is_primary_segment,
        memberships.is_holdout,
        memberships.entered_at,
        -- contact point
        customers.email,
        customers.email_hash,
        -- personalization
        customers.first_name,
        customers.affinity_category as favourite_category,
        features.last_viewed_product_ids,
        features.last_viewed_product_names,
        features.has_abandoned_cart,
        features.abandoned_cart_items,
        features.abandoned_cart_value,
        features.abandoned_cart_currency,
        features.abandoned_cart_at,
        features.browse_abandoned_product_id,
        features.browse_abandoned_product_name,
        features.preferred_send_hour,
        features.preferred_send_weekday,
        features.send_time_zone,
        -- as of
        memberships.features_as_of
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    inner join features
        on memberships.customer_id = features.customer_id
)

select * from final
