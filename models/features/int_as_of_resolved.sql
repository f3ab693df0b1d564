{{ config(materialized='table') }}

-- The single point in time every feature is computed as of: the `mailmart_as_of` var when set
-- (`dbt build --vars '{mailmart_as_of: "2026-10-01 00:00:00"}'`), else the latest event in the
-- data, so the demo gives the same features whenever it is run. Nothing after it is used.
with

web_events as (
    select * from {{ ref('int_web_events_attributed') }}
),

email_events as (
    select * from {{ ref('int_email_events_attributed') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

latest as (
    select max(occurred_at) as occurred_at from web_events
    union all
    select max(occurred_at) from email_events
    union all
    select max(occurred_at) from order_lines
),

resolved as (
    {%- if var('mailmart_as_of', none) %}
    select
        cast('{{ var("mailmart_as_of") }}' as timestamp) as as_of,
        'var mailmart_as_of' as as_of_source
    {%- else %}
    select
        coalesce(max(occurred_at), cast('1970-01-01' as timestamp)) as as_of,
        'latest event' as as_of_source
    from latest
    {%- endif %}
)

select * from resolved
