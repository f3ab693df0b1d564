{{ config(materialized='table') }}

-- Every purchase line and every return, from the shop and from the order-lines import, with
-- the customer it belongs to: the ledger the order features are computed from. A return is a
-- row of its own with a negative amount at the time it happened, so features as of an
-- earlier date do not see later returns. Shop refunds are per order (no product); imported
-- returns are lines (negative quantity or status `refunded`). The ledger is kept
-- incrementally (int_order_lines_unioned); the customer and the catalog's names and
-- categories are attached here on every run, so identity merges and catalog edits apply to
-- all of history.
with

ledger as (
    select * from {{ ref('int_order_lines_unioned') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
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
        -- shop lines name the product as sold, else the catalog's; imports carry their own
        case
            when ledger.source_system = 'shop'
                then coalesce(ledger.product_name, products.product_name)
            else ledger.product_name
        end as product_name,
        case
            when ledger.source_system = 'shop' then products.category
            else ledger.product_category
        end as product_category,
        ledger.quantity,
        -- money, in `currency`; returns negative
        ledger.amount,
        ledger.currency,
        -- timestamps
        ledger.ordered_at,
        ledger.occurred_at
    from ledger
    left join products
        on
            ledger.source_system = 'shop'
            and ledger.product_id = products.product_id
    left join source_records
        on ledger.source_system = source_records.source_system
            and source_records.source_table = 'orders'
            and ledger.order_id = source_records.source_record_id
    -- a cancelled order was never a purchase
    where not ledger.is_cancelled
)

select * from attributed
