with

source as (
    select * from {{ source_or_empty('segment', 'pages') }}
),

{%- set property_paths = ['$.title', '$.url', '$.path', '$.referrer'] %}
{%- set context_paths = segment_context_paths() %}

-- each JSON column parsed once: every field read from one list (macro json_texts)
parsed as (
    select
        *,
        {{ json_texts('properties', property_paths) }} as property_texts,
        {{ json_texts('context', context_paths) }} as context_texts
    from source
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
        {{ json_text_of('property_texts', property_paths, '$.title') }} as page_title,
        coalesce(
            {{ json_text_of('property_texts', property_paths, '$.url') }},
            {{ json_text_of('context_texts', context_paths, '$.page.url') }}
        ) as page_url,
        coalesce(
            {{ json_text_of('property_texts', property_paths, '$.path') }},
            {{ json_text_of('context_texts', context_paths, '$.page.path') }}
        ) as page_path,
        coalesce(
            {{ json_text_of('property_texts', property_paths, '$.referrer') }},
            {{ json_text_of('context_texts', context_paths, '$.page.referrer') }}
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
    from parsed
)

select * from renamed
