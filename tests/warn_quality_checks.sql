{{ config(severity='warn', tags=['quality']) }}

-- Warns (does not fail) with every check whose status is `warn` in the latest run of
-- `data_quality_checks` (thresholds: the `mailmart_quality_*_warn` vars): worth a look, not
-- worth stopping the audiences for.
with

checks as (
    select * from {{ ref('data_quality_checks') }}
),

latest_run as (
    select max(measured_at) as measured_at from checks
)

select
    checks.check_name,
    checks.source_system,
    checks.measured_value,
    checks.threshold_warn,
    checks.direction,
    checks.details
from checks
inner join latest_run
    on checks.measured_at = latest_run.measured_at
where checks.status = 'warn'
