{{ config(materialized='table', post_hook="{{ unique_key_guard('customer_id') }}") }}

-- One row per customer: every feature family joined on customer_id, as of one timestamp.
-- A customer absent from a family gets zeros for counts and false for flags, nulls otherwise.
with

source_records as (
    select * from {{ ref('customer_source_records') }}
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

orders as (
    select * from {{ ref('int_customer_orders_aggregated') }}
),

web as (
    select * from {{ ref('int_customer_web_aggregated') }}
),

email as (
    select * from {{ ref('int_customer_email_aggregated') }}
),

context as (
    select * from {{ ref('int_customer_context_derived') }}
),

enrichment as (
    select * from {{ ref('int_customer_enrichment_joined') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

-- customer_source_records already leaves erased people out; the anti-join keeps this mart
-- safe if its source of customers changes
customers as (
    select
        source_records.customer_id,
        count(*) as source_records
    from source_records
    left join erased_customers
        on source_records.customer_id = erased_customers.customer_id
    where erased_customers.customer_id is null
    group by source_records.customer_id
),

joined as (
    select
        -- ids
        customers.customer_id,
        -- as of
        as_of.as_of as features_as_of,
        customers.source_records,
        orders.customer_id is not null as has_orders,
        web.customer_id is not null as has_web_activity,
        email.customer_id is not null as has_email_activity,
        enrichment.customer_id is not null as has_enrichment,
        -- orders
        coalesce(orders.order_count, 0) as order_count,
        cast(coalesce(orders.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(orders.returned_amount, 0) as decimal(18, 2)) as returned_amount,
        cast(coalesce(orders.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        orders.average_order_value,
        orders.return_rate,
        coalesce(orders.distinct_products, 0) as distinct_products,
        orders.favourite_category,
        orders.order_currency,
        orders.first_order_at,
        orders.last_order_at,
        orders.days_since_last_order,
        orders.frequency,
        orders.recency_days,
        orders.tenure_days,
        orders.avg_repeat_order_value,
        orders.recency_score,
        orders.frequency_score,
        orders.monetary_score,
        orders.rfm_segment,
        -- web
        coalesce(web.sessions_7d, 0) as sessions_7d,
        coalesce(web.sessions_30d, 0) as sessions_30d,
        coalesce(web.sessions_90d, 0) as sessions_90d,
        web.avg_session_duration_seconds,
        web.time_on_site_bucket,
        coalesce(web.page_views, 0) as page_views,
        coalesce(web.page_views_30d, 0) as page_views_30d,
        coalesce(web.product_views, 0) as product_views,
        coalesce(web.product_views_30d, 0) as product_views_30d,
        web.most_viewed_category,
        web.last_viewed_product_ids,
        web.last_viewed_product_names,
        web.latest_cart_status,
        coalesce(web.has_abandoned_cart, false) as has_abandoned_cart,
        coalesce(web.abandoned_cart_items, 0) as abandoned_cart_items,
        web.abandoned_cart_value,
        web.abandoned_cart_currency,
        web.abandoned_cart_at,
        coalesce(web.has_browse_abandonment, false) as has_browse_abandonment,
        web.browse_abandoned_product_id,
        web.browse_abandoned_product_name,
        web.browse_abandoned_at,
        web.first_touch_utm_source,
        web.first_touch_utm_medium,
        web.first_touch_utm_campaign,
        web.first_touch_at,
        web.last_touch_utm_source,
        web.last_touch_utm_medium,
        web.last_touch_utm_campaign,
        web.last_touch_at,
        web.last_seen_at,
        -- email
        coalesce(email.delivered_30d, 0) as delivered_30d,
        coalesce(email.delivered_90d, 0) as delivered_90d,
        coalesce(email.opened_30d, 0) as opened_30d,
        coalesce(email.opened_90d, 0) as opened_90d,
        coalesce(email.clicked_30d, 0) as clicked_30d,
        coalesce(email.clicked_90d, 0) as clicked_90d,
        coalesce(email.machine_opened_90d, 0) as machine_opened_90d,
        email.open_rate_90d,
        email.click_rate_90d,
        -- the score at the latest engagement, halved every half-life from then to as-of: the
        -- same factor for every message, so the sum per message is kept upstream
        coalesce(
            email.engagement_score_at_last_engagement * power(
                0.5,
                {{ dbt.datediff('email.last_opened_at', 'as_of.as_of', 'second') }}
                / cast(86400 as double) / {{ var('mailmart_engagement_half_life_days', 30) }}
            ),
            0
        ) as engagement_score,
        email.last_opened_at,
        email.last_clicked_at,
        -- bigint on every engine (Spark's day difference is an int)
        cast({{ dbt.datediff('email.last_opened_at', 'as_of.as_of', 'day') }} as bigint)  -- noqa: LT05
            as days_since_last_engagement,
        email.preferred_send_hour,
        email.preferred_send_weekday,
        email.send_time_source,
        coalesce(email.send_time_observations, 0) as send_time_observations,
        email.send_time_zone,
        email.send_time_zone_source,
        -- context
        context.primary_device_type,
        context.last_country_code,
        context.last_city,
        context.last_address_source,
        context.last_address_reported_at,
        context.time_zone,
        context.locale,
        -- enrichment
        enrichment.company,
        enrichment.job_title,
        enrichment.seniority,
        enrichment.industry,
        enrichment.interests,
        enrichment.household_income_band,
        enrichment.enrichment_provider,
        enrichment.enrichment_records,
        enrichment.enriched_at
    from customers
    cross join as_of
    left join orders
        on customers.customer_id = orders.customer_id
    left join web
        on customers.customer_id = web.customer_id
    left join email
        on customers.customer_id = email.customer_id
    left join context
        on customers.customer_id = context.customer_id
    left join enrichment
        on customers.customer_id = enrichment.customer_id
)

select * from joined
