with

source as (
    select * from {{ source_or_empty('segment', 'identifies') }}
),

{%- set trait_paths = [
    '$.email', '$.phone', '$.address.country', '$.firstName', '$.first_name', '$.lastName',
    '$.last_name', '$.name'
] %}

-- each JSON column parsed once: every field read from one list (macro json_texts)
parsed as (
    select
        *,
        {{ json_texts('traits', trait_paths) }} as trait_texts,
        {{ json_texts('context', segment_context_paths()) }} as context_texts
    from source
),

renamed as (
    select
        -- ids
        message_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        -- traits
        {{ normalize_email(json_text_of('trait_texts', trait_paths, '$.email')) }} as email,
        {{ normalize_phone(
            json_text_of('trait_texts', trait_paths, '$.phone'),
            json_text_of('trait_texts', trait_paths, '$.address.country')
        ) }} as phone,
        nullif(trim(coalesce(
            {{ json_text_of('trait_texts', trait_paths, '$.firstName') }},
            {{ json_text_of('trait_texts', trait_paths, '$.first_name') }}
        )), '') as first_name,
        nullif(trim(coalesce(
            {{ json_text_of('trait_texts', trait_paths, '$.lastName') }},
            {{ json_text_of('trait_texts', trait_paths, '$.last_name') }}
        )), '') as last_name,
        nullif(trim({{ json_text_of('trait_texts', trait_paths, '$.name') }}), '') as full_name,
        traits,
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
