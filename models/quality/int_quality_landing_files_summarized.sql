-- One row per loaded source system: what the loader read, from its `landing_files`
-- bookkeeping (rows in = loaded + quarantined + de-duplicated, per file). Systems never loaded
-- have no row.
with

landing_files as (
    {{ quality_raw_union('landing_files', [
        ['landing_file', 'string'],
        ['rows_in', 'bigint'],
        ['rows_loaded', 'bigint'],
        ['rows_quarantined', 'bigint'],
        ['rows_deduplicated', 'bigint'],
        ['read_at', 'timestamp'],
    ]) }}
),

summarized as (
    select
        -- ids
        source_system,
        -- counts
        count(*) as landing_files,
        cast(sum(rows_in) as bigint) as rows_in,
        cast(sum(rows_loaded) as bigint) as rows_loaded,
        cast(sum(rows_quarantined) as bigint) as rows_quarantined,
        cast(sum(rows_deduplicated) as bigint) as rows_deduplicated,
        -- timestamps
        min(read_at) as first_read_at,
        max(read_at) as last_read_at
    from landing_files
    group by source_system
)

select * from summarized
