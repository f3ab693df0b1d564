{{ config(materialized='table') }}

-- Every deliverable address of a customer, ranked: `email_rank` 1 is the address to write to.
-- A sendable address beats one that is not; then the most recently seen, then the one seen on
-- most records. Erased customers have no rows (their addresses are not kept).
with

addresses as (
    select * from {{ ref('int_customer_email_addresses') }}
),

consent as (
    select * from {{ ref('email_consent') }}
),

erased as (
    select * from {{ ref('int_erased_customers') }}
),

ranked as (
    select
        -- ids
        addresses.customer_id,
        addresses.email_hash,
        -- contact point
        addresses.email,
        -- consent
        coalesce(consent.consent_state, 'never_opted_in') as consent_state,
        coalesce(consent.is_sendable, false) as is_sendable,
        -- attributes
        addresses.record_count,
        addresses.last_seen_at,
        row_number() over (
            partition by addresses.customer_id
            order by
                coalesce(consent.is_sendable, false) desc,
                addresses.last_seen_at desc nulls last,
                addresses.record_count desc,
                addresses.email asc
        ) as email_rank
    from addresses
    left join consent
        on addresses.email_hash = consent.email_hash
    left join erased
        on addresses.customer_id = erased.customer_id
    where addresses.email is not null
        and erased.customer_id is null
)

select * from ranked
