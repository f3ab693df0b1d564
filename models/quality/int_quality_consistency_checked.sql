-- Consistency between the shop and the site's tracking, matched on the shop's order id (the
-- `order_id` property of Segment's `Order Completed`, as identity resolution reads it):
-- `shop_orders_tracked_share`: online shop orders (POS sales have no web event) that have an
-- Order Completed event; `order_events_matched_share`: Order Completed events whose order is in
-- the shop's orders. Each side is compared only within the other side's time span, so a
-- source loaded from a later date does not count as missing data; when either source has
-- nothing loaded, there is no row.
with

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

tracks as (
    select * from {{ ref('int_segment_tracks_extracted') }}
),

online_orders as (
    select
        order_id,
        created_at
    from shop_orders
    where not is_pos
),

order_events as (
    select
        order_id,
        min(occurred_at) as occurred_at
    from tracks
    where event_name = 'Order Completed' and order_id is not null
    group by order_id
),

event_span as (
    select
        min(occurred_at) as first_at,
        max(occurred_at) as last_at
    from tracks
),

order_span as (
    select
        min(created_at) as first_at,
        max(created_at) as last_at
    from online_orders
),

orders_matched as (
    select
        count(*) as records,
        count(order_events.order_id) as matched_records
    from online_orders
    cross join event_span
    left join order_events
        on online_orders.order_id = order_events.order_id
    where online_orders.created_at between event_span.first_at and event_span.last_at
),

events_matched as (
    select
        count(*) as records,
        count(shop_orders.order_id) as matched_records
    from order_events
    cross join order_span
    left join shop_orders
        on order_events.order_id = shop_orders.order_id
    where order_events.occurred_at between order_span.first_at and order_span.last_at
),

counted as (
    select
        'shop_orders_tracked_share' as check_name,
        'shop' as source_system,
        records,
        matched_records,
        ' online shop orders have a Segment Order Completed event' as what,
        {{ quality_threshold('mailmart_quality_shop_orders_tracked_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_shop_orders_tracked_fail') }} as threshold_fail
    from orders_matched
    union all
    select
        'order_events_matched_share' as check_name,
        'segment' as source_system,
        records,
        matched_records,
        ' Order Completed events name an order of the shop' as what,
        {{ quality_threshold('mailmart_quality_order_events_matched_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_order_events_matched_fail') }} as threshold_fail
    from events_matched
),

checked as (
    select
        -- check
        check_name,
        'consistency' as check_family,
        source_system,
        -- measurement
        cast(matched_records as double) / nullif(records, 0) as measured_value,
        records as sample_size,
        threshold_warn,
        threshold_fail,
        'min' as direction,
        {{ quality_text('matched_records') }} || ' of ' || {{ quality_text('records') }}
        || what as details
    from counted
    where records > 0
)

select * from checked
