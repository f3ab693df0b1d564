{{ config(materialized='table') }}

with

observations as {{ not_materialized() }} (
    select * from {{ ref('int_identifiers_observed') }}
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
),

-- Every source row that makes a record also observes the record's own id
-- (`identifier_type = 'source_record'`), over the record's whole span: that row is the record.
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
        first_seen_at,
        last_seen_at
    from observations
    where identifier_type = 'source_record'
),

-- A record whose own id may not link (a family computer's anonymous id, seen with both
-- partners' user ids) belongs to several people: it stays a customer of its own.
records_of_several as (
    select
        observations.source_system || ':' || observations.source_table || ':'
        || observations.source_record_id as record_key,
        min(
            'its ' || replace(observations.identifier_type, '_', ' ') || ' is '
            || coalesce(assessed.blocked_reason, assessed.shared_reason)
        ) as unlinked_reason
    from observations
    inner join assessed
        on observations.identifier_type = assessed.identifier_type
            and observations.identifier_value = assessed.identifier_value
    where observations.is_record_key
        and observations.identifier_type <> 'source_record'
        and not assessed.can_link
    group by 1
),

final as (
    select
        records.*,
        records_of_several.record_key is null as can_link,
        records_of_several.unlinked_reason
    from records
    left join records_of_several
        on records.record_key = records_of_several.record_key
)

select * from final
