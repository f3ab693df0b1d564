with

observations as (
    select * from {{ ref('int_identifiers_observed') }}
    where identifier_type <> 'source_record'
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
),

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

-- an identifier on an erased customer's records is that person's data, whoever else shares
-- it; a blocked placeholder (test@test.com) is nobody's and stays
erased_identifiers as (
    select distinct
        observations.identifier_type,
        observations.identifier_value
    from observations
    inner join assigned
        on observations.source_system = assigned.source_system
            and observations.source_table = assigned.source_table
            and observations.source_record_id = assigned.source_record_id
    inner join erased_customers
        on assigned.customer_id = erased_customers.customer_id
),

-- a linkable identifier belongs to exactly one customer (its records were joined through it);
-- a record of several people (a family computer) does not make its identifiers theirs
owners as (
    select
        observations.identifier_type,
        observations.identifier_value,
        min(case when records.can_link then assigned.customer_id end) as customer_id,
        count(distinct case when records.can_link then assigned.customer_id end)
            as customer_count
    from observations
    inner join assigned
        on observations.source_system = assigned.source_system
            and observations.source_table = assigned.source_table
            and observations.source_record_id = assigned.source_record_id
    inner join records
        on assigned.record_key = records.record_key
    group by 1, 2
),

final as (
    select
        -- ids
        assessed.identifier_type,
        assessed.identifier_value,
        -- a blocked or shared identifier is kept as an observation but belongs to nobody
        case when assessed.can_link then owners.customer_id end as customer_id,
        -- status
        case
            when assessed.is_blocked then 'blocked'
            when assessed.is_shared then 'shared'
            else 'linked'
        end as link_status,
        coalesce(assessed.blocked_reason, assessed.shared_reason) as status_reason,
        owners.customer_count as seen_on_customers,
        assessed.record_count as seen_on_records,
        -- timestamps
        assessed.first_seen_at,
        assessed.last_seen_at
    from assessed
    inner join owners
        on assessed.identifier_type = owners.identifier_type
            and assessed.identifier_value = owners.identifier_value
    left join erased_identifiers
        on assessed.identifier_type = erased_identifiers.identifier_type
            and assessed.identifier_value = erased_identifiers.identifier_value
    where erased_identifiers.identifier_value is null or assessed.is_blocked
)

select * from final
