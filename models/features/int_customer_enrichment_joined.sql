{{ config(materialized='table') }}

-- One row per customer with a third-party enrichment record enriched by as-of. A customer with
-- several enriched addresses gets the most recently enriched record as a whole (company and job
-- title stay a pair); ties go to the alphabetically first address.
with

people as (
    select * from {{ ref('stg_enrichment__people') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

enrichment_records as (
    select
        source_record_id as email,
        customer_id
    from source_records
    where source_system = 'enrichment' and source_table = 'people'
),

joined as (
    select
        enrichment_records.customer_id,
        people.email,
        people.company,
        people.job_title,
        people.seniority,
        people.industry,
        people.interests,
        people.household_income_band,
        people.provider_name,
        people.enriched_at
    from people
    inner join enrichment_records
        on people.email = enrichment_records.email
    cross join as_of
    -- staging keeps only the latest version of a person: one enriched after as-of was not
    -- known then, and the version before it is gone; an undated record is kept
    where people.enriched_at <= as_of.as_of or people.enriched_at is null
),

ranked as (
    select
        *,
        count(*) over (partition by customer_id) as enrichment_records,
        row_number() over (
            partition by customer_id
            order by enriched_at desc nulls last, email asc
        ) as recency_rank
    from joined
),

final as (
    select
        -- ids
        customer_id,
        -- attributes
        company,
        job_title,
        seniority,
        industry,
        interests,
        household_income_band,
        provider_name as enrichment_provider,
        enrichment_records,
        -- timestamps
        enriched_at
    from ranked
    where recency_rank = 1
)

select * from final
