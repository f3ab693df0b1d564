{{
    config(
        materialized='incremental',
        full_refresh=false,
        incremental_strategy=('append' if target.type == 'spark' else none),
        on_schema_change='append_new_columns',
    )
}}

-- The history of which customer each source record belonged to. Incremental and never
-- rebuilt (`full_refresh=false`): a row is added only when a record is new or its customer
-- changed, so this is the memory that survives `dbt build --full-refresh`.

with

current_assignments as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
),

{% if is_incremental() %}

logged as (
    select * from {{ this }}
),

-- a run logs a record at most once, so its latest row is the one with its latest
-- `assigned_at` (an aggregate: a window over the whole log sorted it, 1.2 s at 1M customers)
latest as (
    select
        record_key,
        {{ value_at_max('customer_id', 'assigned_at') }} as customer_id
    from logged
    group by record_key
),

{% else %}

latest as (
    select
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ dbt.type_string() }}) as customer_id
    where 1 = 0
),

{% endif %}

compared as (
    select
        current_assignments.record_key,
        current_assignments.customer_id,
        latest.customer_id as previous_customer_id
    from current_assignments
    left join latest
        on current_assignments.record_key = latest.record_key
    where latest.customer_id is null
        or latest.customer_id <> current_assignments.customer_id
),

-- a previous id that still names some record lost part of its cluster (split);
-- one that names no record any more was merged into another customer
surviving_ids as (
    select distinct customer_id from current_assignments
),

-- what joined the clusters: the latest link inside the new customer that touches a record
-- that is new or moved in this run. The links touching such a record come first, on either
-- side (two equi-joins: one join on `record_key in (a, b)` was a nested loop, 625 s on the
-- first build of 100k customers), so a run joins only those with the assignments, not all
-- links (2 s at 1M customers).
links_of_compared as (
    select links.*
    from links
    inner join compared
        on links.record_key_a = compared.record_key
    union
    select links.*
    from links
    inner join compared
        on links.record_key_b = compared.record_key
),

links_in_customers as (
    select
        side_a.customer_id,
        links_of_compared.link_rule,
        links_of_compared.reason,
        links_of_compared.linked_at
    from links_of_compared
    inner join current_assignments as side_a
        on links_of_compared.record_key_a = side_a.record_key
    inner join current_assignments as side_b
        on links_of_compared.record_key_b = side_b.record_key
    where side_a.customer_id = side_b.customer_id
),

causes as (
    select
        links_in_customers.customer_id,
        links_in_customers.link_rule,
        links_in_customers.reason,
        row_number() over (
            partition by links_in_customers.customer_id
            order by links_in_customers.linked_at desc, links_in_customers.reason asc
        ) as cause_rank
    from links_in_customers
),

logged_changes as (
    select
        -- ids
        compared.record_key,
        compared.customer_id,
        compared.previous_customer_id,
        -- what happened
        case
            when compared.previous_customer_id is null then 'new'
            when surviving_ids.customer_id is not null then 'split'
            else 'merge'
        end as change_type,
        case
            when surviving_ids.customer_id is null then causes.link_rule
        end as caused_by_rule,
        case
            when compared.previous_customer_id is null then null
            when surviving_ids.customer_id is null then causes.reason
            else 'no longer linked to ' || compared.previous_customer_id
                || ': the identifier or match that joined them was removed, blocked or shared'
        end as caused_by_reason,
        -- when
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as assigned_at,
        '{{ invocation_id }}' as invocation_id
    from compared
    left join surviving_ids
        on compared.previous_customer_id = surviving_ids.customer_id
    left join causes
        on compared.customer_id = causes.customer_id
            and causes.cause_rank = 1
)

select * from logged_changes
