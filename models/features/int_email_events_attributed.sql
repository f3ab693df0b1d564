{{ config(materialized='table') }}

-- Every canonical email event (all vendors) with the customer whose address received it.
-- Only the columns the feature models read: the address, links and IP addresses stay in
-- int_email_events_extracted (joined back by event_id).
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
        email_events.user_agent,
        -- timestamps
        email_events.occurred_at
    from email_events
    left join recipients
        on email_events.email = recipients.email
)

select * from attributed
