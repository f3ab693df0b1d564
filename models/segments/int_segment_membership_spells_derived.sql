{{ config(materialized='table') }}

-- One row per spell a customer spent in a segment, from the change log: each `entered` row
-- opens a spell and the customer's next change in that segment (an `exited`) closes it.
with

changes as (
    select * from {{ ref('int_segment_membership_changes_logged') }}
),

ordered as (
    select
        customer_id,
        segment_name,
        change_type,
        changed_at,
        recorded_at,
        invocation_id,
        lead(changed_at) over (
            partition by customer_id, segment_name order by recorded_at, changed_at
        ) as next_changed_at,
        lead(recorded_at) over (
            partition by customer_id, segment_name order by recorded_at, changed_at
        ) as next_recorded_at
    from changes
),

spells as (
    select
        -- ids
        customer_id,
        segment_name,
        -- timestamps
        changed_at as entered_at,
        next_changed_at as exited_at,
        recorded_at as entered_recorded_at,
        next_recorded_at as exited_recorded_at,
        -- status
        next_changed_at is null as is_current,
        -- lineage
        invocation_id as entered_invocation_id
    from ordered
    where change_type = 'entered'
)

select * from spells
