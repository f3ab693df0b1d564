with

source as (
    select * from {{ source_or_empty('order_import', 'order_lines') }}
),

cleaned as (
    select
        -- ids
        order_line_id,
        order_id,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(product_id), '') as product_id,
        -- contact points
        {{ normalize_email('email') }} as email,
        -- attributes
        nullif(trim(product_name), '') as product_name,
        nullif(trim(category), '') as category,
        lower(trim(status)) as status,
        -- the contract marks a return either way: cancellation lines with a negative quantity
        -- (Online Retail's `C` invoices) or lines exported with status `refunded`
        quantity < 0 or coalesce(lower(trim(status)) = 'refunded', false) as is_return,
        -- quantities and money, in `currency`
        quantity,
        unit_price,
        cast(quantity * unit_price as decimal(18, 4)) as line_amount,
        currency,
        -- timestamps
        {{ to_utc('ordered_at') }} as ordered_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from cleaned
