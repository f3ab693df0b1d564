{{ config(materialized='table') }}

-- One time zone per customer: the one their devices reported most often (Segment
-- `context.timezone`) up to as-of, ties broken by the most recent. Names the engine does not
-- know are ignored. Customers who never sent one are absent; features fall back to UTC.
with

web_events as (
    select * from {{ ref('int_web_events_attributed') }}
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

reported as (
    select
        web_events.customer_id,
        web_events.timezone as time_zone,
        count(*) as events,
        max(web_events.occurred_at) as last_reported_at
    from web_events
    cross join as_of
    where web_events.customer_id is not null
        and {{ is_known_time_zone('web_events.timezone') }}
        and web_events.occurred_at <= as_of.as_of
    group by 1, 2
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id order by events desc, last_reported_at desc, time_zone asc
        ) as preference
    from reported
),

resolved as (
    select
        -- ids
        customer_id,
        -- attributes
        time_zone,
        events as time_zone_events,
        -- timestamps
        last_reported_at
    from ranked
    where preference = 1
)

select * from resolved
