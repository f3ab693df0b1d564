{{ config(materialized='table') }}

-- Every canonical email event (all vendors) with the customer whose address received it.
with

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
),

recipients as (
    select
        source_record_id as email,
        customer_id
    from source_records
    where source_system = 'email' and source_table = 'recipients'
),

attributed as (
    select
        -- ids
        email_events.event_id,
        recipients.customer_id,
        email_events.message_id,
        -- attributes
        email_events.vendor,
        email_events.event_type,
        email_events.bounce_type,
        email_events.campaign,
        email_events.email,
        email_events.url,
        email_events.user_agent,
        email_events.ip_address,
        -- timestamps
        email_events.occurred_at
    from email_events
    left join recipients
        on email_events.email = recipients.email
)

select * from attributed
