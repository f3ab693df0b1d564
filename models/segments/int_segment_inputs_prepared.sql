{{ config(materialized='table') }}

-- One row per customer: what segment rules need beyond the columns of `customer_features`:
-- lifecycle stage, consent state of the best address, affinity category and how long ago the
-- cart and browse abandonments happened. No names or addresses: rules need none.
with

features as (
    select * from {{ ref('customer_features') }}
),

best_emails as (
    select * from {{ ref('int_customer_emails_ranked') }}
    where email_rank = 1
),

prepared as (
    select
        -- ids
        features.customer_id,
        -- lifecycle: where the customer is in their purchase life, from the vars' bounds
        case
            when not features.has_orders then 'prospect'
            when features.tenure_days <= {{ var('mailmart_lifecycle_new_days') }} then 'new'
            when features.days_since_last_order <= {{ var('mailmart_lifecycle_active_days') }}
                then 'active'
            when features.days_since_last_order <= {{ var('mailmart_lifecycle_at_risk_days') }}
                then 'at_risk'
            when features.days_since_last_order <= {{ var('mailmart_lifecycle_lapsed_days') }}
                then 'lapsed'
            else 'churned'
        end as lifecycle_stage,
        -- consent of the address the customer would be written to
        coalesce(best_emails.consent_state, 'no_address') as consent_state,
        coalesce(best_emails.is_sendable, false) as is_sendable,
        -- affinity: what they buy, else what they look at
        coalesce(features.favourite_category, features.most_viewed_category)
            as affinity_category,
        -- hours since the cart's abandonment window closed (it is abandoned from then on)
        {{ web_seconds_between('features.abandoned_cart_at', 'features.features_as_of') }}
        / cast(3600 as double) - {{ var('mailmart_abandonment_window_hours') }}
            as cart_abandoned_hours_ago,
        {{ web_seconds_between('features.browse_abandoned_at', 'features.features_as_of') }}
        / cast(86400 as double) as browse_abandoned_days_ago
    from features
    left join best_emails
        on features.customer_id = best_emails.customer_id
)

select * from prepared
