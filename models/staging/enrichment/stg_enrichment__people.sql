with

source as (
    select * from {{ source_or_empty('enrichment', 'people') }}
),

cleaned as (
    select
        -- ids
        {{ normalize_email('email_key') }} as email,
        -- attributes
        nullif(trim(company), '') as company,
        nullif(trim(job_title), '') as job_title,
        nullif(lower(trim(seniority)), '') as seniority,
        nullif(trim(industry), '') as industry,
        interests,
        nullif(trim(household_income_band), '') as household_income_band,
        nullif(lower(trim(provider)), '') as provider_name,
        -- timestamps
        {{ to_utc('enriched_at') }} as enriched_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from cleaned
