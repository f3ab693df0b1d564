with

source as (
    select * from {{ source_or_empty('ses', 'events') }}
),

renamed as (
    select
        -- ids
        event_recipient_key as event_id,
        'ses' as vendor,
        message_id,
        -- event
        event_type as vendor_event,
        case event_type
            when 'Bounce' then bounce_type
            when 'Complaint' then complaint_feedback_type
            when 'DeliveryDelay' then delay_type
            -- unsubscribeAll only says where the contact ends up: it is a resubscription only
            -- if it was true before; otherwise only topic preferences changed.
            when 'Subscription' then
                case
                    when unsubscribe_all then 'unsubscribe_all'
                    when
                        not unsubscribe_all
                        and {{ json_text('old_topic_preferences', '$.unsubscribeAll') }} = 'true'
                        then 'resubscribe_all'
                    else 'topic_preferences'
                end
        end as vendor_subtype,
        coalesce(
            nullif(trim(diagnostic_code), ''),
            nullif(trim(reason), ''),
            nullif(trim(error_message), ''),
            bounce_sub_type,
            complaint_feedback_type,
            delay_type
        ) as reason,
        -- SES has no campaign or category: custom `mail.tags` stay in raw
        cast(null as {{ dbt.type_string() }}) as campaign,
        -- recipient
        {{ normalize_email('recipient') }} as email,
        recipient as email_raw,
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
