{{ config(severity='warn') }}

-- Warns (does not fail) with the segments whose size changed in the latest run by more than
-- var `mailmart_segment_size_jump_share`: often a broken source or rule, sometimes a campaign.
select
    segment_name,
    size_before,
    size_after,
    size_change_share
from {{ ref('segment_run_summary') }}
where is_latest_run and is_size_jump
