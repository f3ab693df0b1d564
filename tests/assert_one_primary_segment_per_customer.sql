-- Every customer in at least one segment has exactly one primary segment, and it is their
-- segment with the lowest priority.
with

memberships as (
    select * from {{ ref('segment_memberships') }}
),

per_customer as (
    select
        customer_id,
        sum(case when is_primary_segment then 1 else 0 end) as primary_segments,
        min(segment_priority) as best_priority,
        min(case when is_primary_segment then segment_priority end) as primary_priority
    from memberships
    group by customer_id
)

select * from per_customer
where primary_segments <> 1 or primary_priority <> best_priority
