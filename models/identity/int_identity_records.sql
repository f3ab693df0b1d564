{{ config(materialized='table') }}

with

observations as (
    select * from {{ ref('int_identifiers_observed') }}
),

records as (
    select
        -- ids
        source_system || ':' || source_table || ':' || source_record_id as record_key,
        source_system,
        source_table,
        source_record_id,
        {{ identity_node_id("source_system || ':' || source_table || ':' || source_record_id") }}
            as node_id,
        -- timestamps
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from observations
    group by 1, 2, 3, 4, 5
)

select * from records
