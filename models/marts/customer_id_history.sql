with

logged as (
    select * from {{ ref('int_record_assignments_logged') }}
    where change_type in ('merge', 'split')
),

changes as (
    select
        -- ids
        previous_customer_id as old_customer_id,
        customer_id as new_customer_id,
        -- what happened
        change_type,
        count(*) as records_moved,
        min(caused_by_rule) as caused_by_rule,
        min(caused_by_reason) as caused_by_reason,
        -- when
        assigned_at as changed_at,
        invocation_id
    from logged
    group by previous_customer_id, customer_id, change_type, assigned_at, invocation_id
)

select * from changes
