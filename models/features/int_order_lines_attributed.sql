{{ config(materialized='table') }}

-- Every purchase line and every return, from the shop and from the order-lines import, with
-- the customer it belongs to: the ledger the order features are computed from. A return is a
-- row of its own with a negative amount at the time it happened, so features as of an
-- earlier date do not see later returns. Shop refunds are per order (no product); imported
-- returns are lines (negative quantity or status `refunded`).
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

products as (
    select * from {{ ref('stg_catalog__products') }}
),

imported_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
),

shop_purchases as (
    select
        'shop' as source_system,
        shop_lines.order_id,
        shop_lines.line_item_id as order_line_id,
        'purchase' as line_type,
        shop_lines.product_id,
        coalesce(shop_lines.product_name, products.product_name) as product_name,
        products.category as product_category,
        shop_lines.quantity,
        -- Shopify's `total_discount` is the discount on the whole line
        cast(
            shop_lines.line_total - coalesce(shop_lines.total_discount, 0) as decimal(18, 2)
        ) as amount,
        shop_orders.currency,
        shop_orders.created_at as occurred_at,
        shop_orders.created_at as ordered_at
    from shop_lines
    inner join shop_orders
        on shop_lines.order_id = shop_orders.order_id
    left join products
        on shop_lines.product_id = products.product_id
    -- a cancelled order was never a purchase
    where not coalesce(shop_orders.is_cancelled, false)
),

shop_returns as (
    select
        'shop' as source_system,
        shop_refunds.order_id,
        shop_refunds.refund_id as order_line_id,
        'return' as line_type,
        cast(null as varchar) as product_id,
        cast(null as varchar) as product_name,
        cast(null as varchar) as product_category,
        cast(null as integer) as quantity,
        -cast(shop_refunds.refunded_amount as decimal(18, 2)) as amount,
        shop_orders.currency,
        coalesce(shop_refunds.refunded_at, shop_orders.created_at) as occurred_at,
        shop_orders.created_at as ordered_at
    from shop_refunds
    inner join shop_orders
        on shop_refunds.order_id = shop_orders.order_id
    where not coalesce(shop_orders.is_cancelled, false)
),

imported as (
    select
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
        ordered_at as occurred_at,
        ordered_at
    from imported_lines
),

ledger as (
    select * from shop_purchases
    union all
    select * from shop_returns
    union all
    select * from imported
),

attributed as (
    select
        -- ids
        ledger.order_line_id,
        ledger.order_id,
        source_records.customer_id,
        ledger.product_id,
        -- attributes
        ledger.source_system,
        ledger.line_type,
        ledger.line_type = 'return' as is_return,
        ledger.product_name,
        ledger.product_category,
        ledger.quantity,
        -- money, in `currency`; returns negative
        ledger.amount,
        ledger.currency,
        -- timestamps
        ledger.ordered_at,
        ledger.occurred_at
    from ledger
    left join source_records
        on ledger.source_system = source_records.source_system
            and source_records.source_table = 'orders'
            and ledger.order_id = source_records.source_record_id
)

select * from attributed
