-- How many champions are at risk this month: customers who were in `rfm:champions` at some
-- point and, within the last 30 days (data time), entered `rfm:at_risk` or
-- `rfm:cannot_lose`, or the `lifecycle_at_risk` stage.
with

history as (
    select * from {{ ref('segment_membership_history') }}
),

as_of as (
    select max(features_as_of) as as_of from {{ ref('segment_memberships') }}
),

champions as (
    select distinct customer_id
    from history
    where segment_name = 'rfm:champions'
),

entered_risk as (
    select distinct history.customer_id
    from history
    cross join as_of
    where history.segment_name in ('rfm:at_risk', 'rfm:cannot_lose', 'lifecycle_at_risk')
        and history.entered_at >= {{ dbt.dateadd('day', -30, 'as_of.as_of') }}
)

select count(*) as champions_at_risk
from champions
inner join entered_risk
    on champions.customer_id = entered_risk.customer_id
