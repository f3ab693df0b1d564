{{ config(materialized='table', post_hook="{{ unique_key_guard('customer_id') }}") }}

-- One row per customer: who they are (best name and address), whether they may be emailed,
-- where and when they are, their key features and their primary segment.
with

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
    where email_rank = 1
),

primary_segments as (
    select * from {{ ref('segment_memberships') }}
    where is_primary_segment
),

final as (
    select
        -- ids
        features.customer_id,
        -- person
        names.first_name,
        names.last_name,
        -- contact point and consent
        best_emails.email,
        best_emails.email_hash,
        prepared.consent_state,
        prepared.is_sendable,
        -- place and time
        features.last_country_code as country_code,
        features.last_city as city,
        features.time_zone,
        features.locale,
        -- key features
        prepared.lifecycle_stage,
        features.rfm_segment,
        features.order_count,
        features.net_revenue,
        features.order_currency,
        features.first_order_at,
        features.last_order_at,
        features.engagement_score,
        prepared.affinity_category,
        features.has_abandoned_cart,
        features.last_seen_at,
        -- segments
        primary_segments.segment_name as primary_segment,
        {{ is_holdout('features.customer_id') }} as is_holdout,
        -- as of
        features.features_as_of
    from features
    inner join prepared
        on features.customer_id = prepared.customer_id
    left join names
        on features.customer_id = names.customer_id
    left join best_emails
        on features.customer_id = best_emails.customer_id
    left join primary_segments
        on features.customer_id = primary_segments.customer_id
)

select * from final
