-- One row per source system, target table and kind of reason: the loader's schema validation
-- results. Reasons are grouped by kind (`invalid JSON on line 17` counts as `invalid JSON`);
-- the records themselves, with their raw text, stay in `raw_<system>.quarantine`.
with

quarantine as (
    {{ quality_raw_union('quarantine', [
        ['target_table', 'string'],
        ['landing_file', 'string'],
        ['reason', 'string'],
        ['quarantined_at', 'timestamp'],
    ]) }}
),

classified as (
    select
        source_system,
        -- a record that is not even valid JSON has no table yet
        coalesce(target_table, 'unrouted') as target_table,
        {{ quality_reason_kind('reason') }} as reason,
        landing_file,
        quarantined_at
    from quarantine
),

counted as (
    select
        -- ids
        source_system,
        target_table,
        reason,
        -- counts
        count(*) as quarantined_records,
        count(distinct landing_file) as landing_files,
        -- timestamps
        min(quarantined_at) as first_quarantined_at,
        max(quarantined_at) as last_quarantined_at
    from classified
    group by source_system, target_table, reason
)

select * from counted
