-- An erased person's personal data is in no mart: no erased customer id in the customer marts,
-- no address on an erased row of email_consent, and every address of an erased customer is
-- erased there (hash only). Each row returned names the breach.
with

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

addresses as (
    select * from {{ ref('int_customer_email_addresses') }}
),

consent as (
    select * from {{ ref('email_consent') }}
),

features as (
    select * from {{ ref('customer_features') }}
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
),

breaches as (
    select
        'customer_features' as found_in,
        features.customer_id as found
    from features
    inner join erased_customers
        on features.customer_id = erased_customers.customer_id
    union all
    select
        'customer_identifiers' as found_in,
        identifiers.customer_id as found
    from identifiers
    inner join erased_customers
        on identifiers.customer_id = erased_customers.customer_id
    union all
    select
        'customer_source_records' as found_in,
        source_records.customer_id as found
    from source_records
    inner join erased_customers
        on source_records.customer_id = erased_customers.customer_id
    union all
    select
        'email_consent: erased row with an address' as found_in,
        consent.email_hash as found
    from consent
    where consent.consent_state = 'erased' and consent.email is not null
    union all
    select
        'email_consent: address of an erased customer not erased' as found_in,
        consent.email_hash as found
    from addresses
    inner join erased_customers
        on addresses.customer_id = erased_customers.customer_id
    inner join consent
        on addresses.email_hash = consent.email_hash
    where consent.consent_state <> 'erased'
)

select * from breaches
