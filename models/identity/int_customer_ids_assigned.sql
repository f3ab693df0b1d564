{{ config(materialized='table') }}

-- A customer id is derived from the cluster's earliest record (first seen, then key), so it
-- does not change when later records join the cluster; it changes only when clusters merge
-- (the older cluster's id survives) or split.
with

records as (
    select * from {{ ref('int_identity_records') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

clustered as (
    select
        records.*,
        clusters.component
    from records
    inner join clusters
        on records.node_id = clusters.node
),

anchored as (
    select
        *,
        first_value(record_key) over (
            partition by component
            order by first_seen_at nulls last, record_key
            rows between unbounded preceding and unbounded following
        ) as anchor_record_key,
        count(*) over (partition by component) as cluster_record_count
    from clustered
),

assigned as (
    select
        -- ids
        'cus_' || substr(md5(anchor_record_key), 1, 16) as customer_id,
        record_key,
        source_system,
        source_table,
        source_record_id,
        anchor_record_key,
        -- cluster
        cluster_record_count,
        -- timestamps
        first_seen_at,
        last_seen_at
    from anchored
)

select * from assigned
