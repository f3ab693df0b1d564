-- Who to email today about their abandoned cart: sendable customers whose cart was abandoned
-- in the last 24 hours, with the items and value for the template, at their preferred local
-- hour. Holdout customers are listed but flagged (leave them out of the send).
select
    audiences.email,
    audiences.first_name,
    audiences.abandoned_cart_items,
    audiences.abandoned_cart_value,
    audiences.abandoned_cart_currency,
    audiences.last_viewed_product_names,
    audiences.preferred_send_hour,
    audiences.send_time_zone,
    audiences.is_holdout
from {{ ref('email_audiences') }} as audiences
where audiences.segment_name = 'cart_abandoners_24h'
order by audiences.abandoned_cart_value desc
