with

deterministic as (
    select * from {{ ref('int_identity_links_deterministic') }}
),

links as (
    select
        -- ids
        record_key_a,
        record_key_b,
        -- why
        link_rule,
        identifier_type,
        identifier_value,
        match_score,
        reason,
        -- timestamps
        linked_at
    from deterministic
)

select * from links
