{{ config(materialized='table') }}

-- One row per sendable customer and segment they are in: what the email platform syncs, with
-- the fields a template fills in. Only addresses whose consent state is `subscribed` are
-- here (tests/assert_audiences_respect_consent.sql fails the build otherwise); holdout
-- customers are flagged, not removed, so the platform can leave them out and measure uplift.
with

memberships as (
    select * from {{ ref('segment_memberships') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

prepared as (
    select * from {{ ref('int_segment_inputs_prepared') }}
),

names as (
    select * from {{ ref('int_customer_names_ranked') }}
),

best_emails as (
    select * from {{ ref('int_customer_emails_ranked') }}
    where email_rank = 1 and is_sendable
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
        best_emails.email,
        best_emails.email_hash,
        -- personalization
        names.first_name,
        prepared.affinity_category as favourite_category,
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
    inner join best_emails
        on memberships.customer_id = best_emails.customer_id
    inner join features
        on memberships.customer_id = features.customer_id
    inner join prepared
        on memberships.customer_id = prepared.customer_id
    left join names
        on memberships.customer_id = names.customer_id
)

select * from final
