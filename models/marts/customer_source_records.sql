with

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

final as (
    select
        -- ids
        assigned.source_system,
        assigned.source_table,
        assigned.source_record_id,
        assigned.customer_id,
        -- timestamps
        assigned.first_seen_at,
        assigned.last_seen_at
    from assigned
    -- erased people are in no mart (the features read this model, so not there either)
    left join erased_customers
        on assigned.customer_id = erased_customers.customer_id
    where erased_customers.customer_id is null
)

select * from final
