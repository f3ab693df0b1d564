with

source as (
    select * from {{ source_or_empty('segment', 'tracks') }}
),

renamed as (
    select
        -- ids
        message_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        -- event
        event as event_name,
        {{ json_text('properties', '$.order_id') }} as order_id,
        {{ json_text('properties', '$.cart_id') }} as cart_id,
        {{ json_text('properties', '$.checkout_id') }} as checkout_id,
        -- single-product events (Product Viewed / Added / Removed)
        {{ json_text('properties', '$.product_id') }} as product_id,
        {{ json_text('properties', '$.sku') }} as sku,
        {{ json_text('properties', '$.name') }} as product_name,
        {{ json_text('properties', '$.category') }} as product_category,
        {{ json_text('properties', '$.brand') }} as product_brand,
        {{ safe_cast(json_text('properties', '$.price'), 'decimal(18, 2)') }} as price,
        {{ safe_cast(json_text('properties', '$.quantity'), 'integer') }} as quantity,
        -- cart and order events
        {{ safe_cast(json_text('properties', '$.revenue'), 'decimal(18, 2)') }} as revenue,
        {{ safe_cast(json_text('properties', '$.total'), 'decimal(18, 2)') }} as order_total,
        {{ safe_cast(json_text('properties', '$.value'), 'decimal(18, 2)') }} as order_value,
        upper({{ json_text('properties', '$.currency') }}) as currency,
        {{ json_text('properties', '$.products') }} as products,
        properties,
        -- context
        channel,
        {{ segment_context_columns() }},
        -- timestamps
        {{ to_utc(adapter.quote('timestamp')) }} as occurred_at,
        {{ to_utc('received_at') }} as received_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from renamed
