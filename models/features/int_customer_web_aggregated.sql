{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=customer_increment_pre_hooks(),
    post_hook=customer_increment_post_hooks(),
) }}

-- Web behaviour features: one row per customer with a Segment message up to as-of. Nothing
-- after as-of is read (events, orders, removals), so an earlier `mailmart_as_of` gives the
-- features as they were then. Exact definitions: models/features/_features__web.yml.
--
-- Sessions are cut per customer across all their devices (Segment sends one anonymous id per
-- device; the customer is the person): a session ends after
-- `mailmart_session_timeout_minutes` without an event, and a gap of exactly the timeout starts
-- a new one. Sessions are never cut at midnight, UTC or local, so time zones play no part.
-- Server-side messages (`channel = 'server'`: Order Completed sent by the shop's backend,
-- refunds) are not a visit and neither start nor extend a session.
--
-- Incremental by customer (doc `customer_increments`): a run recomputes the customers whose
-- events or orders changed and those with an event whose window boundary as-of crossed;
-- what it reads is declared in customer_increment_spec.
{% set session_timeout_seconds = var('mailmart_session_timeout_minutes', 30) * 60 %}
{% set window_seconds = var('mailmart_abandonment_window_hours', 24) * 3600 %}
{% set medium_seconds = var('mailmart_time_on_site_medium_seconds', 60) %}
{% set long_seconds = var('mailmart_time_on_site_long_seconds', 600) %}
{% set last_viewed_products = var('mailmart_last_viewed_products', 5) %}
with

web_events as {{ not_materialized() }} (
    select * from {{ ref('int_web_events_attributed') }}
),

order_lines as {{ not_materialized() }} (
    select * from {{ ref('int_order_lines_attributed') }}
),

as_of as {{ not_materialized() }} (
    select * from {{ ref('int_as_of_resolved') }}
),

events_until_as_of as {{ not_materialized() }} (
    select
        web_events.message_id,
        web_events.customer_id,
        web_events.message_type,
        web_events.event_name,
        web_events.channel,
        web_events.cart_id,
        web_events.product_id,
        web_events.product_name,
        web_events.product_category,
        web_events.price,
        web_events.quantity,
        web_events.currency,
        web_events.utm_source,
        web_events.utm_medium,
        web_events.utm_campaign,
        web_events.device_type,
        web_events.locale,
        web_events.occurred_at,
        as_of.as_of
    from web_events
    cross join as_of
    where web_events.customer_id is not null
        and web_events.occurred_at <= as_of.as_of
        and {{ customer_increment_filter('web_events.customer_id') }}
),

customers as (
    select distinct customer_id from events_until_as_of
),

-- device and locale (context features, computed here with the other per-event aggregates) -

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

-- sessions ---------------------------------------------------------------------------------

visit_events as (
    -- Events at the same instant can come in any order here: only the first of them can start
    -- a session (the others are 0 s after it), so every session has exactly one start row.
    select
        customer_id,
        occurred_at,
        as_of,
        lag(occurred_at) over (
            partition by customer_id order by occurred_at
        ) as previous_occurred_at,
        max(occurred_at) over (partition by customer_id) as last_visit_at
    from events_until_as_of
    where coalesce(channel, '') != 'server'
),

session_starts as (
    select
        customer_id,
        occurred_at as session_started_at,
        previous_occurred_at,
        last_visit_at,
        as_of
    from visit_events
    where previous_occurred_at is null
        or {{ web_seconds_between('previous_occurred_at', 'occurred_at') }}
        >= {{ session_timeout_seconds }}
),

sessions as (
    -- a session ends at the last event before the next session's start, which that start
    -- row holds as its previous event; the last session ends at the customer's last visit
    select
        customer_id,
        as_of,
        session_started_at,
        coalesce(
            lead(previous_occurred_at) over (
                partition by customer_id order by session_started_at
            ),
            last_visit_at
        ) as session_ended_at
    from session_starts
),

sessions_aggregated as (
    select
        customer_id,
        count(
            case
                when {{ web_seconds_between('session_started_at', 'as_of') }} < 7 * 86400 then 1
            end
        ) as sessions_7d,
        count(
            case
                when {{ web_seconds_between('session_started_at', 'as_of') }} < 30 * 86400 then 1
            end
        ) as sessions_30d,
        count(
            case
                when {{ web_seconds_between('session_started_at', 'as_of') }} < 90 * 86400 then 1
            end
        ) as sessions_90d,
        cast(
            -- averaged as decimals: deterministic whatever order the sessions arrive in
            avg(cast(
                {{ web_seconds_between('session_started_at', 'session_ended_at') }}
                as decimal(18, 3)
            )) as double
        ) as avg_session_duration_seconds,
        max(session_ended_at) as last_seen_at
    from sessions
    group by customer_id
),

-- views ------------------------------------------------------------------------------------

views_aggregated as (
    select
        customer_id,
        count(case when message_type = 'page' then 1 end) as page_views,
        count(
            case
                when message_type = 'page'
                    and {{ web_seconds_between('occurred_at', 'as_of') }} < 30 * 86400
                    then 1
            end
        ) as page_views_30d,
        count(case when event_name = 'Product Viewed' then 1 end) as product_views,
        count(
            case
                when event_name = 'Product Viewed'
                    and {{ web_seconds_between('occurred_at', 'as_of') }} < 30 * 86400
                    then 1
            end
        ) as product_views_30d
    from events_until_as_of
    group by customer_id
),

product_views as (
    select * from events_until_as_of
    where event_name = 'Product Viewed'
        and product_id is not null
),

category_views as (
    select
        customer_id,
        product_category,
        count(*) as view_count,
        max(occurred_at) as last_viewed_at
    from product_views
    where product_category is not null
    group by customer_id, product_category
),

category_views_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by view_count desc, last_viewed_at desc, product_category asc
        ) as category_rank
    from category_views
),

product_last_views as (
    -- each product's latest view, with the name it had then
    select
        customer_id,
        product_id,
        product_name,
        occurred_at as last_viewed_at,
        row_number() over (
            partition by customer_id, product_id order by occurred_at desc, message_id desc
        ) as view_recency
    from product_views
),

products_ranked as (
    select
        customer_id,
        product_id,
        product_name,
        row_number() over (
            partition by customer_id order by last_viewed_at desc, product_id asc
        ) as product_recency
    from product_last_views
    where view_recency = 1
),

last_viewed_products as (
    select
        customer_id,
        {{ web_json_array_agg('product_id', 'product_recency') }} as last_viewed_product_ids,
        {{ web_json_array_agg('product_name', 'product_recency') }} as last_viewed_product_names
    from products_ranked
    where product_recency <= {{ last_viewed_products }}
    group by customer_id
),

-- cart abandonment -------------------------------------------------------------------------

orders as (
    -- an order is an Order Completed message or a purchase in the order ledger (the shop's
    -- backend may not send the event, and the ledger covers imported orders)
    select
        customer_id,
        occurred_at as ordered_at
    from events_until_as_of
    where event_name = 'Order Completed'
    union all
    select
        order_lines.customer_id,
        order_lines.occurred_at as ordered_at
    from order_lines
    cross join as_of
    where order_lines.customer_id is not null
        and {{ customer_increment_filter('order_lines.customer_id') }}
        and order_lines.line_type = 'purchase'
        and order_lines.occurred_at <= as_of.as_of
),

cart_events as (
    select * from events_until_as_of
    where event_name in ('Product Added', 'Product Removed')
        and cart_id is not null
),

cart_adds_ranked as (
    select
        customer_id,
        cart_id,
        occurred_at,
        as_of,
        row_number() over (
            partition by customer_id order by occurred_at desc, message_id desc
        ) as add_recency
    from cart_events
    where event_name = 'Product Added'
),

latest_carts as (
    -- the cart of the customer's latest Product Added; its window starts at that add
    select
        customer_id,
        cart_id,
        occurred_at as last_added_at,
        as_of
    from cart_adds_ranked
    where add_recency = 1
),

latest_cart_products as (
    -- units still in the cart: added minus removed (a missing quantity is one unit)
    select
        latest_carts.customer_id,
        cart_events.product_id,
        max(cart_events.currency) as currency,
        sum(
            case
                when cart_events.event_name = 'Product Added' then coalesce(cart_events.quantity, 1)
                else -coalesce(cart_events.quantity, 1)
            end
        ) as units,
        sum(
            case
                when cart_events.event_name = 'Product Added'
                    then coalesce(cart_events.quantity, 1) * cart_events.price
                else -coalesce(cart_events.quantity, 1) * cart_events.price
            end
        ) as cart_value
    from latest_carts
    inner join cart_events
        on latest_carts.customer_id = cart_events.customer_id
            and latest_carts.cart_id = cart_events.cart_id
    group by latest_carts.customer_id, cart_events.product_id
),

latest_cart_contents as (
    select
        customer_id,
        max(currency) as currency,
        sum(units) as units,
        sum(cart_value) as cart_value
    from latest_cart_products
    where units > 0
    group by customer_id
),

latest_cart_orders as (
    select
        latest_carts.customer_id,
        count(*) as orders_in_window
    from latest_carts
    inner join orders
        on latest_carts.customer_id = orders.customer_id
            and latest_carts.last_added_at <= orders.ordered_at
            and {{ web_seconds_between(
                'latest_carts.last_added_at', 'orders.ordered_at'
            ) }} <= {{ window_seconds }}
    group by latest_carts.customer_id
),

latest_carts_classified as (
    select
        latest_carts.customer_id,
        latest_carts.last_added_at,
        latest_cart_contents.currency,
        latest_cart_contents.units,
        latest_cart_contents.cart_value,
        case
            when latest_cart_orders.orders_in_window > 0 then 'ordered'
            when latest_cart_contents.units is null then 'emptied'
            -- the window has not ended by as-of: not abandoned (yet)
            when
                {{ web_seconds_between('latest_carts.last_added_at', 'latest_carts.as_of') }}
                < {{ window_seconds }}
                then 'open'
            else 'abandoned'
        end as cart_status
    from latest_carts
    left join latest_cart_contents
        on latest_carts.customer_id = latest_cart_contents.customer_id
    left join latest_cart_orders
        on latest_carts.customer_id = latest_cart_orders.customer_id
),

-- browse abandonment -----------------------------------------------------------------------

visited_product_views as (
    -- product views that are part of a visit (server-side messages have no session)
    select * from product_views
    where coalesce(channel, '') != 'server'
),

latest_views as (
    select
        customer_id,
        max(occurred_at) as browse_ended_at
    from visited_product_views
    group by customer_id
),

latest_browse_sessions as (
    -- the latest session with a product view is the one holding the latest product view;
    -- its window runs from that view
    select
        sessions.customer_id,
        sessions.session_started_at,
        latest_views.browse_ended_at
    from latest_views
    inner join sessions
        on latest_views.customer_id = sessions.customer_id
            and latest_views.browse_ended_at >= sessions.session_started_at
            and latest_views.browse_ended_at <= sessions.session_ended_at
),

latest_browse_views as (
    select
        visited_product_views.customer_id,
        visited_product_views.product_id,
        visited_product_views.product_name,
        visited_product_views.occurred_at,
        visited_product_views.message_id,
        visited_product_views.as_of,
        latest_browse_sessions.browse_ended_at,
        row_number() over (
            partition by visited_product_views.customer_id, visited_product_views.product_id
            order by visited_product_views.occurred_at desc, visited_product_views.message_id desc
        ) as view_recency
    from visited_product_views
    inner join latest_browse_sessions
        on visited_product_views.customer_id = latest_browse_sessions.customer_id
            and visited_product_views.occurred_at >= latest_browse_sessions.session_started_at
),

product_follow_ups as (
    -- adding a product to a cart or buying it
    select
        customer_id,
        product_id,
        occurred_at
    from events_until_as_of
    where event_name = 'Product Added'
        and product_id is not null
    union all
    select
        order_lines.customer_id,
        order_lines.product_id,
        order_lines.occurred_at
    from order_lines
    cross join as_of
    where order_lines.customer_id is not null
        and {{ customer_increment_filter('order_lines.customer_id') }}
        and order_lines.product_id is not null
        and order_lines.line_type = 'purchase'
        and order_lines.occurred_at <= as_of.as_of
),

latest_browse_products as (
    -- each product of the latest browse at its last view there, and whether it was added or
    -- bought within the window after that view
    select
        latest_browse_views.customer_id,
        latest_browse_views.product_id,
        latest_browse_views.product_name,
        latest_browse_views.occurred_at as viewed_at,
        latest_browse_views.message_id,
        latest_browse_views.browse_ended_at,
        latest_browse_views.as_of,
        count(product_follow_ups.product_id) as follow_ups
    from latest_browse_views
    left join product_follow_ups
        on latest_browse_views.customer_id = product_follow_ups.customer_id
            and latest_browse_views.product_id = product_follow_ups.product_id
            and latest_browse_views.occurred_at <= product_follow_ups.occurred_at
            and {{ web_seconds_between(
                'latest_browse_views.occurred_at', 'product_follow_ups.occurred_at'
            ) }} <= {{ window_seconds }}
    where latest_browse_views.view_recency = 1
    group by
        latest_browse_views.customer_id,
        latest_browse_views.product_id,
        latest_browse_views.product_name,
        latest_browse_views.occurred_at,
        latest_browse_views.message_id,
        latest_browse_views.browse_ended_at,
        latest_browse_views.as_of
),

browse_abandoned_ranked as (
    -- only once the window after the browse's last view has ended by as-of
    select
        customer_id,
        product_id,
        product_name,
        viewed_at,
        row_number() over (
            partition by customer_id order by viewed_at desc, message_id desc
        ) as abandoned_recency
    from latest_browse_products
    where follow_ups = 0
        and {{ web_seconds_between('browse_ended_at', 'as_of') }} >= {{ window_seconds }}
),

-- first and last touch ---------------------------------------------------------------------

utm_touches_ranked as (
    select
        customer_id,
        utm_source,
        utm_medium,
        utm_campaign,
        occurred_at,
        row_number() over (
            partition by customer_id order by occurred_at asc, message_id asc
        ) as touch_order,
        row_number() over (
            partition by customer_id order by occurred_at desc, message_id desc
        ) as touch_recency
    from events_until_as_of
    where utm_source is not null
),

-- one row per customer ---------------------------------------------------------------------

aggregated as (
    select
        -- ids
        customers.customer_id,
        -- sessions
        coalesce(sessions_aggregated.sessions_7d, 0) as sessions_7d,
        coalesce(sessions_aggregated.sessions_30d, 0) as sessions_30d,
        coalesce(sessions_aggregated.sessions_90d, 0) as sessions_90d,
        sessions_aggregated.avg_session_duration_seconds,
        case
            when sessions_aggregated.avg_session_duration_seconds is null then null
            when sessions_aggregated.avg_session_duration_seconds < {{ medium_seconds }}
                then 'short'
            when sessions_aggregated.avg_session_duration_seconds < {{ long_seconds }}
                then 'medium'
            else 'long'
        end as time_on_site_bucket,
        -- views
        views_aggregated.page_views,
        views_aggregated.page_views_30d,
        views_aggregated.product_views,
        views_aggregated.product_views_30d,
        category_views_ranked.product_category as most_viewed_category,
        last_viewed_products.last_viewed_product_ids,
        last_viewed_products.last_viewed_product_names,
        -- cart abandonment
        latest_carts_classified.cart_status as latest_cart_status,
        coalesce(latest_carts_classified.cart_status = 'abandoned', false) as has_abandoned_cart,
        case
            when latest_carts_classified.cart_status = 'abandoned'
                then cast(latest_carts_classified.units as bigint)
        end as abandoned_cart_items,
        case
            when latest_carts_classified.cart_status = 'abandoned'
                then cast(latest_carts_classified.cart_value as decimal(18, 2))
        end as abandoned_cart_value,
        case
            when latest_carts_classified.cart_status = 'abandoned'
                then latest_carts_classified.currency
        end as abandoned_cart_currency,
        case
            when latest_carts_classified.cart_status = 'abandoned'
                then latest_carts_classified.last_added_at
        end as abandoned_cart_at,
        -- browse abandonment
        browse_abandoned_ranked.product_id is not null as has_browse_abandonment,
        browse_abandoned_ranked.product_id as browse_abandoned_product_id,
        browse_abandoned_ranked.product_name as browse_abandoned_product_name,
        browse_abandoned_ranked.viewed_at as browse_abandoned_at,
        -- attribution
        first_touches.utm_source as first_touch_utm_source,
        first_touches.utm_medium as first_touch_utm_medium,
        first_touches.utm_campaign as first_touch_utm_campaign,
        first_touches.occurred_at as first_touch_at,
        last_touches.utm_source as last_touch_utm_source,
        last_touches.utm_medium as last_touch_utm_medium,
        last_touches.utm_campaign as last_touch_utm_campaign,
        last_touches.occurred_at as last_touch_at,
        -- context
        device_types_ranked.device_type as primary_device_type,
        latest_locales.locale,
        -- timestamps
        sessions_aggregated.last_seen_at
    from customers
    left join sessions_aggregated
        on customers.customer_id = sessions_aggregated.customer_id
    left join views_aggregated
        on customers.customer_id = views_aggregated.customer_id
    left join category_views_ranked
        on customers.customer_id = category_views_ranked.customer_id
            and category_views_ranked.category_rank = 1
    left join last_viewed_products
        on customers.customer_id = last_viewed_products.customer_id
    left join latest_carts_classified
        on customers.customer_id = latest_carts_classified.customer_id
    left join browse_abandoned_ranked
        on customers.customer_id = browse_abandoned_ranked.customer_id
            and browse_abandoned_ranked.abandoned_recency = 1
    left join utm_touches_ranked as first_touches
        on customers.customer_id = first_touches.customer_id
            and first_touches.touch_order = 1
    left join utm_touches_ranked as last_touches
        on customers.customer_id = last_touches.customer_id
            and last_touches.touch_recency = 1
    left join device_types_ranked
        on customers.customer_id = device_types_ranked.customer_id
            and device_types_ranked.device_rank = 1
    left join latest_locales
        on customers.customer_id = latest_locales.customer_id
)

select * from aggregated
