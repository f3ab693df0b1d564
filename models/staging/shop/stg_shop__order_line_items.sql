with

source as (
    select * from {{ source_or_empty('shop', 'order_line_items') }}
),

cleaned as (
    select
        -- ids
        line_item_id,
        order_id,
        line_number,
        nullif(trim(product_id), '') as product_id,
        nullif(trim(variant_id), '') as variant_id,
        nullif(trim(sku), '') as sku,
        -- attributes
        nullif(trim(title), '') as product_name,
        nullif(trim(vendor), '') as vendor,
        -- quantities and money, in the order's currency
        quantity,
        price,
        total_discount,
        -- before the line's total_discount; subtract it for what the customer paid
        cast(quantity * price as decimal(18, 2)) as line_total,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from cleaned
