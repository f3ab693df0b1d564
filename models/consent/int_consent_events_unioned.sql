{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'spark' else 'delete+insert'),
    unique_key=['source_system', 'source_event_id'],
    on_schema_change='append_new_columns',
    pre_hook="{{ consent_events_forget_recomputed() }}",
    post_hook="{{ remember_lookups(rows_fingerprint([ref('mailmart_email_event_types')])) }}",
) }}

-- depends_on: {{ ref('mailmart_email_event_types') }}

{%- set reads_new_loads = consent_events_read_new_loads() %}

-- Every event that says something about whether an address may be mailed, in one vocabulary
-- (`event_kind`); email_consent decides the state from them.
-- Incremental by dlt load (`load_id`): ESP events and CRM contacts only from loads this table
-- does not hold yet (dlt replaces a contact's row, so a contact in a new load is one whose
-- flags may have changed: the pre-hook drops its old row, so a flag that went away goes too);
-- erasure requests (a few thousand rows) on every run. A changed event-type seed since the last
-- run rewrites everything.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    {%- if reads_new_loads %}
    where {{ incremental_event_filter(ref('stg_crm__contacts')) }}
    {%- endif %}
),

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
    {%- if reads_new_loads %}
    where {{ incremental_event_filter(ref('int_email_events_unioned')) }}
    {%- endif %}
),

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

-- The export carries the flag's current value, not when it changed: the contact's last update
-- is the latest moment the flag can have been set (see docs/decisions.md).
crm_events as (
    select
        -- address
        {{ deliverable_email('email') }} as email,
        -- event
        case when is_email_opt_in then 'crm_opt_in' else 'crm_opt_out' end as event_kind,
        coalesce(updated_at, created_at) as occurred_at,
        'crm' as source_system,
        contact_id as source_event_id,
        case
            when is_email_opt_in then 'opted in in the CRM (contact ' || contact_id || ')'
            else 'opted out in the CRM (contact ' || contact_id || ')'
        end as reason,
        load_id
    from contacts
    where
        is_email_opt_in is not null
        and coalesce(updated_at, created_at) is not null
        -- a deleted or merged-away contact holds no consent any more; its opt-out still counts
        and (not is_email_opt_in or (not is_deleted and merged_into_contact_id is null))
),

esp_events as (
    select
        -- address
        {{ deliverable_email('email') }} as email,
        -- event; a bounce the vendor did not classify is soft (not a suppression on its own)
        case
            when event_type = 'bounced' and bounce_type = 'hard' then 'hard_bounced'
            when event_type = 'bounced' then 'soft_bounced'
            else event_type
        end as event_kind,
        occurred_at,
        vendor as source_system,
        event_id as source_event_id,
        case
            when event_type = 'bounced' and bounce_type = 'hard' then 'hard bounce'
            when event_type = 'bounced' then 'soft bounce'
            when event_type = 'complained' then 'spam complaint'
            else event_type
        end
        || ' via ' || vendor || ' ' || vendor_event
        || coalesce(' ' || vendor_subtype, '')
        || coalesce(': ' || reason, '') as reason,
        load_id
    from email_events
    -- deliveries, opens and clicks prove the mailbox works (they clear bounces)
    where
        event_type in (
            'unsubscribed', 'resubscribed', 'complained', 'bounced', 'delivered', 'opened',
            'clicked'
        )
),

erasure_events as (
    select
        -- address
        {{ deliverable_email('email') }} as email,
        -- event
        'erasure_requested' as event_kind,
        requested_at as occurred_at,
        'privacy' as source_system,
        request_id as source_event_id,
        'erasure request ' || request_id as reason,
        cast(null as {{ dbt.type_string() }}) as load_id
    from erasure_requests
),

unioned as (
    select * from crm_events
    union all
    select * from esp_events
    union all
    select * from erasure_events
),

final as (
    select
        -- address
        email,
        {{ hash_email('email') }} as email_hash,
        -- event
        event_kind,
        occurred_at,
        source_system,
        source_event_id,
        reason,
        -- the dlt load of the ESP event or CRM contact (null for erasure rows, recomputed
        -- every run)
        load_id,
        -- when this run wrote the row (doc `tests_on_new_rows`)
        {{ written_at() }} as written_at
    from unioned
    where email is not null
)

select * from final
