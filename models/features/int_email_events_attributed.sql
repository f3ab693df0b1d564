{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'spark' else 'delete+insert'),
    unique_key='event_id',
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ attribution_remember_customers(attribution_customers('email', ['recipients'])) }}",
        "{{ remember_lookups(rows_fingerprint([ref('mailmart_email_event_types')])) }}",
    ],
) }}

-- depends_on: {{ ref('mailmart_email_event_types') }}

{%- set reads_changes = attribution_reads_changes(
    rows_fingerprint([ref('mailmart_email_event_types')])
) %}

-- Every canonical email event (all vendors) with the customer whose address received it.
-- Only the columns the feature models read: the address, links and IP addresses stay in
-- int_email_events_extracted (joined back by event_id).
-- Incremental (doc `incremental_attribution`): a run rewrites the events of new loads and the
-- events of addresses whose customer changed since the last run (state:
-- int_email_events_attributed_customers); a changed event-type seed rewrites every event
-- (its fingerprint: int_email_events_attributed_lookups).
with

{%- if reads_changes %}

current_customers as (
    {{ attribution_customers('email', ['recipients']) }}
),

changed_records as (
    {{ attribution_changed_records('current_customers') }}
),
{%- endif %}

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
    {%- if reads_changes %}
    where
        ({{ incremental_event_filter(ref('int_email_events_unioned')) }})
        or email in (
            select source_record_id from changed_records where source_table = 'recipients'
        )
    {%- endif %}
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
        email_events.occurred_at,
        -- the kept event row's dlt load: a run rewrites the loads it has not attributed yet
        email_events.load_id,
        -- when this run wrote the row (doc `tests_on_new_rows`)
        {{ written_at() }} as written_at
    from email_events
    left join recipients
        on email_events.email = recipients.email
)

select * from attributed
