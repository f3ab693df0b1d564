-- No feature may come from an event after `features_as_of`: every event time the mart carries
-- must be at or before it (rebuilding with an earlier `mailmart_as_of` must not see the future).
select
    customer_id,
    features_as_of,
    first_order_at,
    last_order_at,
    last_seen_at,
    abandoned_cart_at,
    browse_abandoned_at,
    first_touch_at,
    last_touch_at,
    last_opened_at,
    last_clicked_at,
    last_address_reported_at,
    enriched_at
from {{ ref('customer_features') }}
where
    first_order_at > features_as_of
    or last_order_at > features_as_of
    or last_seen_at > features_as_of
    or abandoned_cart_at > features_as_of
    or browse_abandoned_at > features_as_of
    or first_touch_at > features_as_of
    or last_touch_at > features_as_of
    or last_opened_at > features_as_of
    or last_clicked_at > features_as_of
    or last_address_reported_at > features_as_of
    or enriched_at > features_as_of
