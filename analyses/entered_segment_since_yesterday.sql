-- Who entered cart abandoners since yesterday: spells of the segment that began in the last
-- day of data time.
select
    history.customer_id,
    history.entered_at
from {{ ref('segment_membership_history') }} as history
where history.segment_name = 'cart_abandoners'
    and history.entered_at > (
        select {{ dbt.dateadd('day', -1, 'max(features_as_of)') }}
        from {{ ref('segment_memberships') }}
    )
order by history.entered_at
