-- No suppressed, erased or unknown address in an audience: every row of `email_audiences`
-- must have an address whose consent state is `subscribed`. An address the consent ledger does
-- not know fails too (it was never checked). Fails with one row per offending audience row.
with

audiences as (
    select * from {{ ref('email_audiences') }}
),

consent as (
    select * from {{ ref('email_consent') }}
),

checked as (
    select
        audiences.customer_id,
        audiences.segment_name,
        audiences.email_hash,
        consent.consent_state
    from audiences
    left join consent
        on audiences.email_hash = consent.email_hash
)

select * from checked
where consent_state is null or consent_state <> 'subscribed'
