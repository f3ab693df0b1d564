with

source as (
    select * from {{ source_or_empty('sendgrid', 'events') }}
),

renamed as (
    select
        -- ids
        event_key as event_id,
        'sendgrid' as vendor,
        -- sg_message_id is the X-Message-Id plus `.filter...` and a suffix that differs between
        -- `processed` and the later events of the same message: keep the X-Message-Id.
        {{ dbt.split_part('sg_message_id', "'.filter'", 1) }} as message_id,
        -- event
        event as vendor_event,
        nullif(trim(type), '') as vendor_subtype,
        -- a delivery's `response` is the 250 reply, not a reason
        case
            when event != 'delivered'
                then coalesce(nullif(trim(reason), ''), nullif(trim(response), ''))
        end as reason,
        nullif(trim(coalesce(
            marketing_campaign_name,
            {{ json_text('category', '$[0]') }},
            {{ json_text('category', '$') }}
        )), '') as campaign,
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
