with

source as (
    select * from {{ source_or_empty('segment', 'tracks') }}
),

{%- set property_paths = [
    '$.order_id', '$.cart_id', '$.checkout_id', '$.product_id', '$.sku', '$.name',
    '$.category', '$.brand', '$.price', '$.quantity', '$.revenue', '$.total', '$.value',
    '$.currency', '$.products'
] %}

-- each JSON column parsed once: every field read from one list (macro json_texts)
parsed as (
    select
        *,
        {{ json_texts('properties', property_paths) }} as property_texts,
        {{ json_texts('context', segment_context_paths()) }} as context_texts
    from source
),

renamed as (
    select
        -- ids
        message_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        -- event
        event as event_name,
        {{ json_text_of('property_texts', property_paths, '$.order_id') }} as order_id,
        {{ json_text_of('property_texts', property_paths, '$.cart_id') }} as cart_id,
        {{ json_text_of('property_texts', property_paths, '$.checkout_id') }} as checkout_id,
        -- single-product events (Product Viewed / Added / Removed)
        {{ json_text_of('property_texts', property_paths, '$.product_id') }} as product_id,
        {{ json_text_of('property_texts', property_paths, '$.sku') }} as sku,
        {{ json_text_of('property_texts', property_paths, '$.name') }} as product_name,
        {{ json_text_of('property_texts', property_paths, '$.category') }} as product_category,
        {{ json_text_of('property_texts', property_paths, '$.brand') }} as product_brand,
        {{ safe_cast(
            json_text_of('property_texts', property_paths, '$.price'), 'decimal(18, 2)'
        ) }} as price,
        {{ safe_cast(
            json_text_of('property_texts', property_paths, '$.quantity'), 'integer'
        ) }} as quantity,
        -- cart and order events
        {{ safe_cast(
            json_text_of('property_texts', property_paths, '$.revenue'), 'decimal(18, 2)'
        ) }} as revenue,
        {{ safe_cast(
            json_text_of('property_texts', property_paths, '$.total'), 'decimal(18, 2)'
        ) }} as order_total,
        {{ safe_cast(
            json_text_of('property_texts', property_paths, '$.value'), 'decimal(18, 2)'
        ) }} as order_value,
        upper({{ json_text_of('property_texts', property_paths, '$.currency') }}) as currency,
        {{ json_text_of('property_texts', property_paths, '$.products') }} as products,
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
    from parsed
)

select * from renamed
