with

source as (
    select * from {{ source_or_empty('mandrill', 'events') }}
),

renamed as (
    select
        -- ids
        event_key as event_id,
        'mandrill' as vendor,
        message_id,
        -- event: message events carry `event`; blacklist/whitelist sync events carry `type`
        -- and `action` instead
        coalesce(event, sync_type) as vendor_event,
        case when event is null then sync_action else bounce_description end as vendor_subtype,
        coalesce(
            nullif(trim(diag), ''),
            nullif(trim(bounce_description), ''),
            nullif(trim(reason), ''),
            nullif(trim(detail), '')
        ) as reason,
        nullif(trim({{ json_text('tags', '$[0]') }}), '') as campaign,
        -- recipient
        {{ normalize_email('email') }} as email,
        email as email_raw,
        -- opens and clicks
        url,
        user_agent,
        ip as ip_address,
        -- timestamps
        {{ to_utc(adapter.quote('timestamp')) }} as occurred_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from renamed
