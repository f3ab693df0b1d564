{{ config(unique_key='event_id') }}

-- Every email event of every vendor's staging model, in one shape, parsed once and kept:
-- incremental by dlt load, see doc `incremental_events`. The canonical event type is mapped
-- on read (int_email_events_unioned), so an edit to the mapping seed applies to history
-- without a full refresh.
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

{#- the same columns, in the same order, from every vendor's staging model -#}
{%- set vendors = ['sendgrid', 'ses', 'mandrill', 'postmark'] %}

unioned as (
    {%- for vendor in vendors %}
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
        landing_file,
        load_id
    from {{ vendor }}_events
    where {{ incremental_event_filter(ref('stg_' ~ vendor ~ '__events'), 'occurred_at') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    *,
    -- when this run wrote the row (doc `tests_on_new_rows`)
    {{ written_at() }} as written_at
from unioned
