{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=owner_increment_pre_hooks(),
    post_hook=owner_increment_post_hooks(),
) }}

-- depends_on: {{ ref('int_record_assignments_logged') }}
{%- set reads_changes = owner_increment_reads_changes() %}

-- Incremental by identifier (doc `identifier_owner_increments`): a run recomputes the
-- identifiers assessed again, those on records whose own id was, whose customer changed or
-- whose customer was erased; the pre-hooks delete their kept rows.
with

observations as (
    select * from {{ ref('int_identifiers_observed') }}
    where identifier_type <> 'source_record'
    {%- if reads_changes %}
        and {{ owner_in_scope('identifier_type', 'identifier_value') }}
    {%- endif %}
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
    {%- if reads_changes %}
    where {{ owner_in_scope('identifier_type', 'identifier_value') }}
    {%- endif %}
),

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

-- every customer whose records carry the identifier, once, and whether it was through a
-- record that can link (a record of several people, a family computer, does not make its
-- identifiers theirs)
record_owners as (
    select
        observations.identifier_type,
        observations.identifier_value,
        assigned.customer_id,
        records.can_link
    from observations
    inner join assigned
        on observations.source_system = assigned.source_system
            and observations.source_table = assigned.source_table
            and observations.source_record_id = assigned.source_record_id
    inner join records
        on assigned.record_key = records.record_key
    group by 1, 2, 3, 4
),

-- a linkable identifier belongs to exactly one customer (its records were joined through
-- it); an identifier on an erased customer's records is that person's data, whoever else
-- shares it
owners as (
    select
        record_owners.identifier_type,
        record_owners.identifier_value,
        min(case when record_owners.can_link then record_owners.customer_id end) as customer_id,
        count(case when record_owners.can_link then record_owners.customer_id end)
            as customer_count,
        coalesce(bool_or(erased_customers.customer_id is not null), false) as is_erased
    from record_owners
    left join erased_customers
        on record_owners.customer_id = erased_customers.customer_id
    group by 1, 2
),

final as (
    select
        -- ids
        assessed.identifier_type,
        assessed.identifier_value,
        -- a blocked or shared identifier is kept as an observation but belongs to nobody
        case when assessed.can_link then owners.customer_id end as customer_id,
        -- status
        case
            when assessed.is_blocked then 'blocked'
            when assessed.is_shared then 'shared'
            else 'linked'
        end as link_status,
        coalesce(assessed.blocked_reason, assessed.shared_reason) as status_reason,
        owners.customer_count as seen_on_customers,
        assessed.record_count as seen_on_records,
        -- timestamps
        assessed.first_seen_at,
        assessed.last_seen_at
    from assessed
    inner join owners
        on assessed.identifier_type = owners.identifier_type
            and assessed.identifier_value = owners.identifier_value
    -- a blocked placeholder (test@test.com) is nobody's and stays
    where not owners.is_erased or assessed.is_blocked
)

select * from final
