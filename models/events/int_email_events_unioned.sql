{{ config(materialized='view') }}

-- Every email event of any vendor with its canonical type: the kept events
-- (int_email_events_extracted, incremental) mapped through the `mailmart_email_event_types`
-- seed on read, so the mapping always applies to all of history.
with

unioned as (
    select * from {{ ref('int_email_events_extracted') }}
),

event_types as (
    select * from {{ ref('mailmart_email_event_types') }}
),

-- see doc `email_event_mapping`: the vendor's sub-type row wins over the event's any-sub-type
-- row (empty vendor_subtype); an event with neither is `other`
mapped as (
    select
        unioned.*,
        coalesce(
            subtype_match.event_type, event_match.event_type, 'other'
        ) as event_type,
        case
            when subtype_match.event_type is not null then subtype_match.bounce_type
            else event_match.bounce_type
        end as mapped_bounce_type
    from unioned
    left join event_types as subtype_match
        on
            unioned.vendor = subtype_match.vendor
            and lower(unioned.vendor_event) = lower(subtype_match.vendor_event)
            and lower(unioned.vendor_subtype) = lower(subtype_match.vendor_subtype)
    left join event_types as event_match
        on
            unioned.vendor = event_match.vendor
            and lower(unioned.vendor_event) = lower(event_match.vendor_event)
            and event_match.vendor_subtype is null
),

final as (
    select
        -- ids
        event_id,
        vendor,
        message_id,
        -- event
        event_type,
        -- a bounce type means nothing on other events, whatever the seed says
        case when event_type = 'bounced' then mapped_bounce_type end as bounce_type,
        vendor_event,
        vendor_subtype,
        reason,
        campaign,
        -- recipient
        email,
        email_raw,
        -- opens and clicks
        url,
        user_agent,
        ip_address,
        -- timestamps
        occurred_at,
        -- lineage
        landing_file,
        load_id,
        written_at
    from mapped
)

select * from final
