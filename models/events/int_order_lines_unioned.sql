{{ config(unique_key='order_key') }}

-- Every purchase line and every return, from the shop and from the order-lines import, before
-- attribution to a customer: the ledger int_order_lines_attributed serves. Incremental by
-- dlt load (see doc `incremental_events`), one order at a time: an order with any new row (a
-- new version of the order, a line, a refund) is rebuilt whole, so a cancellation or a
-- refund replaces what the ledger held for it. Cancelled orders are kept, flagged, so that
-- replacing them removes their lines downstream. Product names and categories from the
-- catalog are added on read, so catalog edits apply to history.
with

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

shop_lines as (
    select * from {{ ref('stg_shop__order_line_items') }}
),

shop_refunds as (
    select * from {{ ref('stg_shop__refunds') }}
),

imported_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
),

{%- set shop_key = dbt.concat(["'shop:'", "order_id"]) %}
{%- set import_key = dbt.concat(["'order_import:'", "order_id"]) %}

{% if is_incremental() %}
-- orders with a row from a load the ledger has not processed, or placed within the lookback
touched_orders as (
    select {{ shop_key }} as order_key
    from shop_orders
    where {{ incremental_event_filter(
        ref('stg_shop__orders'), 'created_at', 'ordered_at', 'order_load_id'
    ) }}
    union
    select {{ shop_key }} as order_key
    from shop_lines
    where {{ incremental_event_filter(ref('stg_shop__order_line_items')) }}
    union
    select {{ shop_key }} as order_key
    from shop_refunds
    where {{ incremental_event_filter(ref('stg_shop__refunds')) }}
    union
    select {{ import_key }} as order_key
    from imported_lines
    where {{ incremental_event_filter(ref('stg_order_import__order_lines'), 'ordered_at') }}
),
{% endif %}

shop_purchases as (
    select
        {{ dbt.concat(["'shop:'", "shop_lines.order_id"]) }} as order_key,
        'shop' as source_system,
        shop_lines.order_id,
        shop_lines.line_item_id as order_line_id,
        'purchase' as line_type,
        shop_lines.product_id,
        shop_lines.product_name,
        cast(null as {{ dbt.type_string() }}) as product_category,
        shop_lines.quantity,
        -- Shopify's `total_discount` is the discount on the whole line
        cast(
            shop_lines.line_total - coalesce(shop_lines.total_discount, 0) as decimal(18, 2)
        ) as amount,
        shop_orders.currency,
        coalesce(shop_orders.is_cancelled, false) as is_cancelled,
        shop_orders.created_at as occurred_at,
        shop_orders.created_at as ordered_at,
        shop_lines.load_id,
        shop_orders.load_id as order_load_id
    from shop_lines
    inner join shop_orders
        on shop_lines.order_id = shop_orders.order_id
),

shop_returns as (
    select
        {{ dbt.concat(["'shop:'", "shop_refunds.order_id"]) }} as order_key,
        'shop' as source_system,
        shop_refunds.order_id,
        shop_refunds.refund_id as order_line_id,
        'return' as line_type,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        cast(null as {{ dbt.type_string() }}) as product_category,
        cast(null as integer) as quantity,
        -cast(shop_refunds.refunded_amount as decimal(18, 2)) as amount,
        shop_orders.currency,
        coalesce(shop_orders.is_cancelled, false) as is_cancelled,
        coalesce(shop_refunds.refunded_at, shop_orders.created_at) as occurred_at,
        shop_orders.created_at as ordered_at,
        shop_refunds.load_id,
        shop_orders.load_id as order_load_id
    from shop_refunds
    inner join shop_orders
        on shop_refunds.order_id = shop_orders.order_id
),

imported as (
    select
        {{ import_key }} as order_key,
        'order_import' as source_system,
        order_id,
        order_line_id,
        case when is_return then 'return' else 'purchase' end as line_type,
        product_id,
        product_name,
        category as product_category,
        cast(abs(quantity) as integer) as quantity,
        -- a return is negative whichever way the export marked it
        case
            when is_return then -abs(cast(line_amount as decimal(18, 2)))
            else cast(line_amount as decimal(18, 2))
        end as amount,
        currency,
        false as is_cancelled,
        ordered_at as occurred_at,
        ordered_at,
        load_id,
        load_id as order_load_id
    from imported_lines
),

ledger as (
    select * from shop_purchases
    union all
    select * from shop_returns
    union all
    select * from imported
)

select ledger.*
from ledger
{%- if is_incremental() %}
where ledger.order_key in (select touched_orders.order_key from touched_orders)
{%- endif %}
