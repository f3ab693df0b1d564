with

source as (
    select * from {{ source_or_empty('shop', 'refunds') }}
),

cleaned as (
    select
        -- ids
        refund_id,
        order_id,
        -- attributes
        nullif(trim(note), '') as note,
        refund_line_items,
        -- money, in the order's currency
        refunded_amount,
        -- timestamps
        {{ to_utc('created_at') }} as refunded_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from cleaned
