{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
        post_hook="{{ delete_erased_customers(this) }}",
    )
}}

-- depends_on: {{ ref('int_erased_customers') }}

-- The log behind segment history: one row each time a customer enters or leaves a segment.
-- Each run compares the memberships evaluated now with the state the log ends in, and appends
-- the differences, stamped with the data time (`features_as_of`) and the run's start time.
-- Append-only and exempt from --full-refresh: history survives rebuilds. A run that changes
-- nothing appends nothing, so running twice gives the same log.
with

evaluated as (
    select * from {{ ref('int_segment_memberships_evaluated') }}
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

{% if is_incremental() %}
logged_latest as (
    select
        customer_id,
        segment_name,
        change_type,
        row_number() over (
            partition by customer_id, segment_name
            order by recorded_at desc, changed_at desc
        ) as position
    from {{ this }}
),

members_before as (
    select
        customer_id,
        segment_name
    from logged_latest
    where position = 1 and change_type = 'entered'
),
{% else %}
members_before as (
    select
        customer_id,
        segment_name
    from evaluated
    where 1 = 0
),
{% endif %}

entered as (
    select
        evaluated.customer_id,
        evaluated.segment_name,
        'entered' as change_type
    from evaluated
    left join members_before
        on evaluated.customer_id = members_before.customer_id
            and evaluated.segment_name = members_before.segment_name
    where members_before.customer_id is null
),

exited as (
    select
        members_before.customer_id,
        members_before.segment_name,
        'exited' as change_type
    from members_before
    left join evaluated
        on members_before.customer_id = evaluated.customer_id
            and members_before.segment_name = evaluated.segment_name
    where evaluated.customer_id is null
),

changes as (
    select * from entered
    union all
    select * from exited
),

stamped as (
    select
        -- ids
        changes.customer_id,
        changes.segment_name,
        -- change
        changes.change_type,
        -- timestamps
        as_of.as_of as changed_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
            as recorded_at,
        -- lineage
        '{{ invocation_id }}' as invocation_id
    from changes
    cross join as_of
)

select * from stamped
