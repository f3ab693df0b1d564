with

source as (
    select * from {{ source_or_empty('catalog', 'products') }}
),

cleaned as (
    select
        -- ids
        product_id,
        nullif(trim(sku), '') as sku,
        -- attributes
        nullif(trim(name), '') as product_name,
        nullif(trim(category), '') as category,
        nullif(trim(subcategory), '') as subcategory,
        nullif(trim(brand), '') as brand,
        is_active,
        -- money, in `currency`
        price,
        currency,
        -- timestamps
        {{ to_utc('updated_at') }} as updated_at,
        -- lineage
        _landing_file as landing_file
    from source
)

select * from cleaned
