-- Segment trend for charts: daily size of each segment, with the change from the day before.
select
    segment_name,
    size_date,
    customers,
    customers - lag(customers) over (
        partition by segment_name order by size_date
    ) as change_from_day_before
from {{ ref('segment_sizes_daily') }}
order by segment_name, size_date
