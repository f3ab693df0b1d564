with

sendgrid_events as (
    select * from {{ ref('stg_sendgrid__events') }}
),

ses_events as (
    select * from {{ ref('stg_ses__events') }}
),

mandrill_events as (
    select * from {{ ref('stg_mandrill__events') }}
),

postmark_events as (
    select * from {{ ref('stg_postmark__events') }}
),

event_types as (
    select * from {{ ref('mailmart_email_event_types') }}
),

{#- the same columns, in the same order, from every vendor's staging model -#}
{%- set vendor_ctes = ['sendgrid_events', 'ses_events', 'mandrill_events', 'postmark_events'] %}

unioned as (
    {%- for vendor_cte in vendor_ctes %}
    select
        -- vendor keys are hashes: prefixed, they cannot collide across vendors
        {{ dbt.concat(["vendor", "':'", "event_id"]) }} as event_id,
        vendor,
        message_id,
        vendor_event,
        vendor_subtype,
        reason,
        campaign,
        email,
        email_raw,
        url,
        user_agent,
        ip_address,
        occurred_at,
        landing_file
    from {{ vendor_cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
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
        landing_file
    from mapped
)

select * from final
