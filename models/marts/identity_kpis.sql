{{
    config(
        materialized='incremental',
        full_refresh=false,
        incremental_strategy=('append' if target.type == 'spark' else none),
        unique_key='invocation_id',
        on_schema_change='append_new_columns',
    )
}}

-- One row per dbt run: the health of identity resolution over time. Kept across full
-- refreshes, so a jump (a new placeholder email merging thousands of people) is visible.

with

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

identifiers as (
    select * from {{ ref('customer_identifiers') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
),

customers as (
    select
        customer_id,
        count(*) as record_count
    from assigned
    group by customer_id
),

customer_stats as (
    select
        count(*) as customers,
        sum(case when record_count = 1 then 1 else 0 end) as singleton_customers,
        max(record_count) as largest_customer_records,
        sum(record_count) as source_records
    from customers
),

identifier_stats as (
    select
        sum(case when link_status = 'linked' then 1 else 0 end) as linked_identifiers,
        sum(case when link_status = 'blocked' then 1 else 0 end) as blocked_identifiers,
        sum(case when link_status = 'shared' then 1 else 0 end) as shared_identifiers,
        sum(
            case when identifier_type = 'email' and link_status = 'shared' then 1 else 0 end
        ) as shared_emails,
        -- records that a blocked or shared identifier would have joined to another record
        sum(case when link_status <> 'linked' then seen_on_records - 1 else 0 end)
            as links_refused
    from identifiers
),

link_stats as (
    select
        count(*) as links,
        sum(case when link_rule like 'fuzzy%' then 1 else 0 end) as fuzzy_links
    from links
),

kpis as (
    select
        -- run
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as measured_at,
        -- customers
        customer_stats.customers,
        customer_stats.singleton_customers,
        customer_stats.largest_customer_records,
        customer_stats.source_records,
        -- identifiers
        identifier_stats.linked_identifiers,
        round(identifier_stats.linked_identifiers * 1.0 / nullif(customer_stats.customers, 0), 3)
            as identifiers_per_customer,
        identifier_stats.blocked_identifiers,
        identifier_stats.shared_identifiers,
        identifier_stats.shared_emails,
        identifier_stats.links_refused,
        -- links
        link_stats.links,
        link_stats.fuzzy_links
    from customer_stats
    cross join identifier_stats
    cross join link_stats
)

select * from kpis
