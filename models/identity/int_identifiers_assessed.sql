{{ config(materialized='table') }}

with

all_observations as (
    select * from {{ ref('int_identifiers_observed') }}
),

observations as (
    select * from all_observations
    where identifier_type <> 'source_record'
),

blocked_values as (
    select * from {{ ref('mailmart_blocked_identifiers') }}
    where is_enabled
),

limits as (
    select * from {{ ref('mailmart_identifier_limits') }}
),

identifiers as (
    select
        identifier_type,
        identifier_value,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as record_count
    from observations
    group by 1, 2
),

blocked as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        min(
            blocked_values.reason || ' (' || blocked_values.match_type || ' '
            || blocked_values.pattern || ')'
        ) as blocked_reason
    from identifiers
    inner join blocked_values
        on blocked_values.identifier_type in (identifiers.identifier_type, 'any')
            and (
                (
                    blocked_values.match_type = 'exact'
                    and identifiers.identifier_value = blocked_values.pattern
                )
                or (
                    blocked_values.match_type = 'like'
                    and identifiers.identifier_value like blocked_values.pattern
                )
            )
    group by 1, 2
),

-- pairs of identifiers seen on the same record, for the types that have a limit
co_occurrences as (
    select distinct
        observations.identifier_type,
        observations.identifier_value,
        observations.last_seen_at,
        limits.linked_type,
        limits.max_linked,
        limits.window_days,
        limits.reason,
        -- `source_record` limits count records, which are only unique with their system
        case
            when linked.identifier_type = 'source_record'
                then linked.source_system || ':' || linked.source_table || ':'
                    || linked.identifier_value
            else linked.identifier_value
        end as linked_value,
        linked.last_seen_at as linked_last_seen_at
    from observations
    inner join limits
        on observations.identifier_type = limits.identifier_type
    inner join all_observations as linked
        on observations.source_system = linked.source_system
            and observations.source_table = linked.source_table
            and observations.source_record_id = linked.source_record_id
            and limits.linked_type = linked.identifier_type
    -- a placeholder value on the other side says nothing about sharing
    left join blocked
        on linked.identifier_type = blocked.identifier_type
            and linked.identifier_value = blocked.identifier_value
    where blocked.identifier_value is null
),

limit_checks as (
    select
        co_occurrences.identifier_type,
        co_occurrences.identifier_value,
        co_occurrences.linked_type,
        co_occurrences.max_linked,
        co_occurrences.window_days,
        co_occurrences.reason,
        count(distinct co_occurrences.linked_value) as linked_count
    from co_occurrences
    inner join identifiers
        on co_occurrences.identifier_type = identifiers.identifier_type
            and co_occurrences.identifier_value = identifiers.identifier_value
    -- the window: what was seen together in the identifier's last `window_days` days
    where co_occurrences.linked_last_seen_at >= {{ dbt.dateadd(
        'day', '-1 * co_occurrences.window_days', 'identifiers.last_seen_at'
    ) }}
    group by 1, 2, 3, 4, 5, 6
),

over_limit as (
    select
        identifier_type,
        identifier_value,
        min(
            identifier_type || ' seen with ' || linked_count || ' ' || linked_type
            || ' values within ' || window_days || ' days (limit ' || max_linked || '): '
            || reason
        ) as shared_reason
    from limit_checks
    where linked_count > max_linked
    group by 1, 2
),

assessed as (
    select
        -- ids
        identifiers.identifier_type,
        identifiers.identifier_value,
        -- rules
        blocked.identifier_value is not null as is_blocked,
        blocked.blocked_reason,
        over_limit.identifier_value is not null as is_shared,
        over_limit.shared_reason,
        blocked.identifier_value is null and over_limit.identifier_value is null as can_link,
        -- counts
        identifiers.record_count,
        -- timestamps
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from identifiers
    left join blocked
        on identifiers.identifier_type = blocked.identifier_type
            and identifiers.identifier_value = blocked.identifier_value
    left join over_limit
        on identifiers.identifier_type = over_limit.identifier_type
            and identifiers.identifier_value = over_limit.identifier_value
)

select * from assessed
