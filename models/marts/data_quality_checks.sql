{{
    config(
        materialized='incremental',
        full_refresh=false,
        incremental_strategy=('append' if target.type == 'spark' else none),
        unique_key=['invocation_id', 'check_name', 'source_system'],
        on_schema_change='append_new_columns',
        tags=['quality'],
    )
}}

-- One row per data quality check per dbt run: this run's checks (`int_quality_checks_evaluated`)
-- stamped with the run's start time and invocation id and appended to the runs before. Kept
-- across full refreshes, so every check has a history (the quality report charts it). A model
-- re-built within one invocation replaces that invocation's rows rather than adding more.
with

checks as (
    select * from {{ ref('int_quality_checks_evaluated') }}
),

stamped as (
    select
        -- check
        check_name,
        check_family,
        source_system,
        -- measurement
        measured_value,
        sample_size,
        threshold_warn,
        threshold_fail,
        direction,
        -- verdict
        status,
        details,
        -- run
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as measured_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id
    from checks
)

select * from stamped
