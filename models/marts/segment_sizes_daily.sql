{{ config(materialized='table') }}

-- One row per segment and day since the history began: how many customers were in the
-- segment at the end of that day (data time), for trend charts.
with

spells as (
    select * from {{ ref('int_segment_membership_spells_derived') }}
),

bounds as (
    select
        cast(min(entered_at) as date) as first_day,
        cast(max(coalesce(exited_at, entered_at)) as date) as last_day
    from spells
),

days as (
    select {{ day_series('first_day', 'last_day') }} as size_date
    from bounds
    where first_day is not null
),

segments as (
    select distinct segment_name from spells
),

sized as (
    select
        -- ids
        segments.segment_name,
        days.size_date,
        -- size at the end of the day: spells entered before midnight and not exited by then
        cast(count(spells.customer_id) as bigint) as customers
    from days
    cross join segments
    left join spells
        on segments.segment_name = spells.segment_name
            and spells.entered_at < {{ dbt.dateadd('day', 1, 'days.size_date') }}
            and (
                spells.exited_at is null
                or spells.exited_at >= {{ dbt.dateadd('day', 1, 'days.size_date') }}
            )
    group by segments.segment_name, days.size_date
)

select * from sized
