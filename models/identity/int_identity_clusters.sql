{{ config(materialized='connected_components') }}

-- Edges of the identity graph: one per link between two records, plus a self-edge per record
-- so that a record with no link is a cluster of its own.
with

links as (
    select * from {{ ref('int_identity_links') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

edges as (
    select
        {{ identity_node_id('record_key_a') }} as node_a,
        {{ identity_node_id('record_key_b') }} as node_b
    from links
    union all
    select
        node_id as node_a,
        node_id as node_b
    from records
)

select * from edges
