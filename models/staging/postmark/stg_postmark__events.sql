with

source as (
    select * from {{ source_or_empty('postmark', 'events') }}
),

renamed as (
    select
        -- ids
        event_key as event_id,
        'postmark' as vendor,
        message_id,
        -- event (legacy webhook names are lower-case: `bounce` for `Bounce`)
        event as vendor_event,
        case
            -- a suppression's reason tells an unsubscribe from the suppression that follows
            -- a hard bounce or complaint (itself already an event)
            when lower(event) = 'subscriptionchange' and suppress_sending
                then suppression_reason
            when lower(event) = 'subscriptionchange' and not suppress_sending
                then 'reactivated'
            else nullif(trim(type), '')
        end as vendor_subtype,
        -- a delivery's `Details` is the server's reply, not a reason
        case
            when lower(event) != 'delivery'
                then coalesce(nullif(trim(details), ''), nullif(trim(description), ''))
        end as reason,
        nullif(trim(tag), '') as campaign,
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
