-- One row per data quality check of this run, every family stacked, with its status against
-- its thresholds (`quality_status`: `max` checks are bad above a threshold, `min` checks below;
-- on the threshold passes; no value or too few records passes). The mart
-- `data_quality_checks` stamps the rows with the run and keeps them across runs.
with

validation as (
    select * from {{ ref('int_quality_validation_checked') }}
),

duplicates as (
    select * from {{ ref('int_quality_duplicates_checked') }}
),

completeness as (
    select * from {{ ref('int_quality_completeness_checked') }}
),

consistency as (
    select * from {{ ref('int_quality_consistency_checked') }}
),

freshness as (
    select * from {{ ref('int_quality_freshness_checked') }}
),

identity as (
    select * from {{ ref('int_quality_identity_checked') }}
),

checks as (
    select * from validation
    union all
    select * from duplicates
    union all
    select * from completeness
    union all
    select * from consistency
    union all
    select * from freshness
    union all
    select * from identity
),

evaluated as (
    select
        -- check
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(check_family as {{ dbt.type_string() }}) as check_family,
        cast(source_system as {{ dbt.type_string() }}) as source_system,
        -- measurement
        cast(measured_value as double) as measured_value,
        cast(sample_size as {{ dbt.type_bigint() }}) as sample_size,
        cast(threshold_warn as double) as threshold_warn,
        cast(threshold_fail as double) as threshold_fail,
        cast(direction as {{ dbt.type_string() }}) as direction,
        -- verdict
        {{ quality_status(
            'measured_value', 'sample_size', 'threshold_warn', 'threshold_fail', 'direction'
        ) }} as status,
        cast(details as {{ dbt.type_string() }}) as details
    from checks
)

select * from evaluated
