{{ config(tags=['quality']) }}

-- Fails the build with every check whose status is `fail` in the latest run of
-- `data_quality_checks` (thresholds: the `mailmart_quality_*_fail` vars). Each row says which
-- check, on which source, with what value against which threshold, and why.
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
    checks.threshold_fail,
    checks.direction,
    checks.details
from checks
inner join latest_run
    on checks.measured_at = latest_run.measured_at
where checks.status = 'fail'
