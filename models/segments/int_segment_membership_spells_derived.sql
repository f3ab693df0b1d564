{{ config(materialized='table') }}

-- One row per spell a customer spent in a segment, from the change log: each `entered` row
-- opens a spell and the customer's next change in that segment (an `exited`) closes it.
with

changes as (
    select * from {{ ref('int_segment_membership_changes_logged') }}
),

erased as (
    select * from {{ ref('int_erased_customers') }}
),

ordered as (
    select
        changes.customer_id,
        changes.segment_name,
        changes.change_type,
        changes.changed_at,
        changes.recorded_at,
        changes.invocation_id,
        lead(changes.changed_at) over (
            partition by changes.customer_id, changes.segment_name
            order by changes.recorded_at, changes.changed_at
        ) as next_changed_at,
        lead(changes.recorded_at) over (
            partition by changes.customer_id, changes.segment_name
            order by changes.recorded_at, changes.changed_at
        ) as next_recorded_at
    from changes
    -- the log is purged of erased customers after each run; this covers the run itself
    where changes.customer_id not in (select erased.customer_id from erased)
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
