with

source as (
    select * from {{ source_or_empty('segment', 'identifies') }}
),

renamed as (
    select
        -- ids
        message_id,
        nullif(trim(anonymous_id), '') as anonymous_id,
        nullif(trim(user_id), '') as user_id,
        -- traits
        {{ normalize_email(json_text('traits', '$.email')) }} as email,
        {{ normalize_phone(
            json_text('traits', '$.phone'), json_text('traits', '$.address.country')
        ) }} as phone,
        nullif(trim(coalesce(
            {{ json_text('traits', '$.firstName') }}, {{ json_text('traits', '$.first_name') }}
        )), '') as first_name,
        nullif(trim(coalesce(
            {{ json_text('traits', '$.lastName') }}, {{ json_text('traits', '$.last_name') }}
        )), '') as last_name,
        nullif(trim({{ json_text('traits', '$.name') }}), '') as full_name,
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
    from source
)

select * from renamed
