{{ config(materialized='table') }}

-- One row per run and segment: how many customers entered and left the segment in that run,
-- its size before and after, and whether the size jumped by more than the share in var
-- `mailmart_segment_size_jump_share` (a warning test lists the jumps of the latest run).
with

changes as (
    select * from {{ ref('int_segment_membership_changes_logged') }}
),

runs as (
    select
        recorded_at,
        max(changed_at) as changed_at,
        max(invocation_id) as invocation_id
    from changes
    group by recorded_at
),

segments as (
    select distinct segment_name from changes
),

counted as (
    select
        recorded_at,
        segment_name,
        sum(case when change_type = 'entered' then 1 else 0 end) as entered,
        sum(case when change_type = 'exited' then 1 else 0 end) as exited
    from changes
    group by recorded_at, segment_name
),

grid as (
    select
        runs.recorded_at,
        runs.changed_at,
        runs.invocation_id,
        segments.segment_name,
        cast(coalesce(counted.entered, 0) as bigint) as entered,
        cast(coalesce(counted.exited, 0) as bigint) as exited
    from runs
    cross join segments
    left join counted
        on runs.recorded_at = counted.recorded_at
            and segments.segment_name = counted.segment_name
),

sized as (
    select
        *,
        cast(sum(entered - exited) over (
            partition by segment_name order by recorded_at
            rows between unbounded preceding and current row
        ) as bigint) as size_after
    from grid
),

final as (
    select
        -- ids
        segment_name,
        invocation_id,
        -- timestamps
        changed_at as features_as_of,
        recorded_at,
        -- sizes
        size_after - entered + exited as size_before,
        entered,
        exited,
        size_after,
        cast(size_after - (size_after - entered + exited) as double)
        / nullif(size_after - entered + exited, 0) as size_change_share,
        -- status
        coalesce(
            abs(
                cast(size_after - (size_after - entered + exited) as double)
                / nullif(size_after - entered + exited, 0)
            ) > {{ var('mailmart_segment_size_jump_share') }}
            and greatest(size_after, size_after - entered + exited)
            >= {{ var('mailmart_segment_size_jump_min_size') }},
            false
        ) as is_size_jump,
        recorded_at = max(recorded_at) over () as is_latest_run
    from sized
)

select * from final
