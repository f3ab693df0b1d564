-- Erasure requests name an address; the person is every customer whose records carry it, in
-- its identity form, so `Jane.Doe+x@gmail.com` finds the customer who typed janedoe@gmail.com.
with

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

observed as (
    select * from {{ ref('int_identifiers_observed') }}
    where identifier_type = 'email'
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
    where identifier_type = 'email'
),

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

requests as (
    select
        request_id,
        {{ identity_email('email') }} as identity_email,
        requested_at
    from erasure_requests
),

-- a placeholder (test@test.com, blocked in identity) is nobody's address: a request for it
-- erases no customer (the address itself is still suppressed in email_consent); a shared
-- address erases everyone it is on, since we cannot tell whose it is
matched as (
    select distinct
        assigned.customer_id,
        requests.request_id,
        requests.requested_at
    from requests
    inner join observed
        on requests.identity_email = observed.identifier_value
    inner join assigned
        on
            observed.source_system = assigned.source_system
            and observed.source_table = assigned.source_table
            and observed.source_record_id = assigned.source_record_id
    left join assessed
        on observed.identifier_value = assessed.identifier_value
    where not coalesce(assessed.is_blocked, false)
),

ranked as (
    select
        customer_id,
        request_id,
        requested_at,
        row_number() over (
            partition by customer_id order by requested_at nulls last, request_id nulls last
        ) as request_rank,
        count(*) over (partition by customer_id) as request_count
    from matched
),

final as (
    select
        -- ids
        customer_id,
        request_id,
        -- counts
        request_count,
        -- timestamps
        requested_at as erased_at
    from ranked
    where request_rank = 1
)

select * from final
