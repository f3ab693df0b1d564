{{ config(materialized='table') }}

-- One row per customer: the name to greet them by, taken whole (first and last name) from one
-- source record. A name written in mixed case (`Jane`) beats one in all lower or upper case
-- (`jane`, `JANE`), for the first and the last name; then the CRM beats the shop, which
-- beats app identify calls; then the most recent record wins.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

identifies as (
    select * from {{ ref('int_segment_identifies_extracted') }}
),

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

named_records as (
    select
        'crm' as source_system,
        'contacts' as source_table,
        contact_id as source_record_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        1 as source_rank,
        coalesce(updated_at, created_at) as seen_at
    from contacts
    union all
    select
        'shop' as source_system,
        'orders' as source_table,
        order_id as source_record_id,
        trim(coalesce(customer_first_name, billing_first_name)) as first_name,
        trim(coalesce(customer_last_name, billing_last_name)) as last_name,
        2 as source_rank,
        created_at as seen_at
    from orders
    union all
    select
        'segment' as source_system,
        'user_ids' as source_table,
        user_id as source_record_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        3 as source_rank,
        occurred_at as seen_at
    from identifies
    where user_id is not null
),

ranked as (
    select
        assigned.customer_id,
        named_records.first_name,
        named_records.last_name,
        named_records.source_system as name_source,
        row_number() over (
            partition by assigned.customer_id
            order by
                -- names written as people write them first: 0, 1 or 2 of them in all
                -- lower or all upper case (or missing)
                case
                    when named_records.first_name <> lower(named_records.first_name)
                        and named_records.first_name <> upper(named_records.first_name)
                        then 0
                    else 1
                end
                + case
                    when named_records.last_name <> lower(named_records.last_name)
                        and named_records.last_name <> upper(named_records.last_name)
                        then 0
                    else 1
                end asc,
                named_records.source_rank asc,
                named_records.seen_at desc nulls last,
                named_records.source_record_id asc
        ) as name_rank
    from named_records
    inner join assigned
        on named_records.source_system = assigned.source_system
            and named_records.source_table = assigned.source_table
            and named_records.source_record_id = assigned.source_record_id
    where nullif(named_records.first_name, '') is not null
),

best as (
    select
        customer_id,
        first_name,
        last_name,
        name_source
    from ranked
    where name_rank = 1
)

select * from best
