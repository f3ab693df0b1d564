with

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

final as (
    select
        -- ids
        source_system,
        source_table,
        source_record_id,
        customer_id,
        -- timestamps
        first_seen_at,
        last_seen_at
    from assigned
)

select * from final
