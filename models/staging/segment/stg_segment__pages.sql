with

source as (
    select * from {{ source_or_empty('segment', 'pages') }}
),

renamed as (
    select
        -- ids
        message_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        -- page
        page_type,
        name as page_name,
        category as page_category,
        {{ json_text('properties', '$.title') }} as page_title,
        coalesce(
            {{ json_text('properties', '$.url') }}, {{ json_text('context', '$.page.url') }}
        ) as page_url,
        coalesce(
            {{ json_text('properties', '$.path') }}, {{ json_text('context', '$.page.path') }}
        ) as page_path,
        coalesce(
            {{ json_text('properties', '$.referrer') }},
            {{ json_text('context', '$.page.referrer') }}
        ) as page_referrer,
        properties,
        -- context
        channel,
        {{ segment_context_columns(include_page=false) }},
        -- timestamps
        {{ to_utc(adapter.quote('timestamp')) }} as occurred_at,
        {{ to_utc('received_at') }} as received_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from renamed
