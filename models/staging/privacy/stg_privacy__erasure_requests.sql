with

source as (
    select * from {{ source_or_empty('privacy', 'erasure_requests') }}
),

cleaned as (
    select
        -- ids
        request_id,
        -- contact points
        {{ normalize_email('email') }} as email,
        -- timestamps
        {{ to_utc('requested_at') }} as requested_at,
        -- lineage
        _landing_file as landing_file
    from source
)

select * from cleaned
