-- Schema validation: one check row per loaded source system, the share of the records read
-- that the loader quarantined (missing ids, unparseable timestamps, wrong types, invalid
-- JSON), with the kinds of reason in the details. A rising share is a vendor changing its
-- format or a broken export.
with

landing as (
    select * from {{ ref('int_quality_landing_files_summarized') }}
),

quarantine as (
    select * from {{ ref('int_quality_quarantine_counted') }}
),

reasons_counted as (
    select
        source_system,
        reason,
        sum(quarantined_records) as quarantined_records
    from quarantine
    group by source_system, reason
),

reasons_listed as (
    select
        source_system,
        {{ dbt.listagg(
            "reason || ' (' || " ~ quality_text('quarantined_records') ~ " || ')'",
            "', '",
            "order by quarantined_records desc, reason",
        ) }} as reasons
    from reasons_counted
    group by source_system
),

checked as (
    select
        -- check
        'quarantine_share' as check_name,
        'schema_validation' as check_family,
        landing.source_system,
        -- measurement
        cast(landing.rows_quarantined as double) / nullif(landing.rows_in, 0) as measured_value,
        landing.rows_in as sample_size,
        {{ quality_threshold('mailmart_quality_quarantine_share_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_quarantine_share_fail') }} as threshold_fail,
        'max' as direction,
        {{ quality_text('landing.rows_quarantined') }} || ' of '
        || {{ quality_text('landing.rows_in') }} || ' records read were quarantined'
        || coalesce(': ' || reasons_listed.reasons, '') as details
    from landing
    left join reasons_listed
        on landing.source_system = reasons_listed.source_system
)

select * from checked
