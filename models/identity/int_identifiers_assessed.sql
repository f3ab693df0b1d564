{{ config(materialized='table') }}

with

all_observations as {{ not_materialized() }} (
    select * from {{ ref('int_identifiers_observed') }}
),

observations as {{ not_materialized() }} (
    select * from all_observations
    where identifier_type <> 'source_record'
),

limits as (
    select * from {{ ref('mailmart_identifier_limits') }}
),

identifier_types as (
    select * from {{ ref('mailmart_identifier_types') }}
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
    select * from {{ ref('int_identifiers_blocked') }}
),

-- pairs of identifiers seen on the same record, for the types that have a limit (unique
-- without a `distinct`: observations are unique per record and identifier, limits per pair of
-- types, and every count below is of distinct values anyway)
co_occurrences as (
    select
        observations.identifier_type,
        observations.identifier_value,
        observations.source_system,
        observations.source_table,
        observations.source_record_id,
        coalesce(observations.is_record_key, false) as is_record_key,
        limits.linked_type,
        limits.window_days,
        linked.identifier_value as linked_identifier_value,
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

-- the window: what was seen together in the identifier's last `window_days` days. Kept (both
-- passes read it), so only the columns they need: the limit's other columns are joined back
-- after counting (7.4M rows at 1M customers).
co_occurrences_in_window as (
    select
        co_occurrences.identifier_type,
        co_occurrences.identifier_value,
        co_occurrences.source_system,
        co_occurrences.source_table,
        co_occurrences.source_record_id,
        co_occurrences.is_record_key,
        co_occurrences.linked_type,
        co_occurrences.linked_identifier_value,
        co_occurrences.linked_value
    from co_occurrences
    inner join identifiers
        on co_occurrences.identifier_type = identifiers.identifier_type
            and co_occurrences.identifier_value = identifiers.identifier_value
    where co_occurrences.linked_last_seen_at >= {{ dbt.dateadd(
        'day', '-1 * co_occurrences.window_days', 'identifiers.last_seen_at'
    ) }}
),

-- First pass: every identifier over any of its limits, counting everything seen with it.
first_pass_over as (
    select distinct
        first_pass_checks.identifier_type,
        first_pass_checks.identifier_value
    from (
        select
            identifier_type,
            identifier_value,
            linked_type,
            count(distinct linked_value) as linked_count
        from co_occurrences_in_window
        group by 1, 2, 3
    ) as first_pass_checks
    inner join limits
        on first_pass_checks.identifier_type = limits.identifier_type
            and first_pass_checks.linked_type = limits.linked_type
    where first_pass_checks.linked_count > limits.max_linked
),

-- A record whose own id is blocked or over a limit (a family computer's anonymous id seen
-- with both partners' user ids) belongs to several people: it links nothing, and what was
-- seen on it does not count against its other identifiers.
records_of_several as (
    select distinct
        observations.source_system,
        observations.source_table,
        observations.source_record_id
    from observations
    left join first_pass_over
        on observations.identifier_type = first_pass_over.identifier_type
            and observations.identifier_value = first_pass_over.identifier_value
    left join blocked
        on observations.identifier_type = blocked.identifier_type
            and observations.identifier_value = blocked.identifier_value
    where observations.is_record_key
        and (
            first_pass_over.identifier_value is not null
            or blocked.identifier_value is not null
        )
),

-- Second pass, priority: a linked value that is itself over a limit and weaker than the
-- identifier (`mailmart_identifier_types.priority`, 1 strongest) is the shared one, so it does
-- not count against the identifier. An email given with four phones, one of them a number
-- given with many emails, is cut only if the other three phones still exceed its limit; the
-- number is cut either way. One pass: the weaker side's own status is from the first pass.
limit_checks as (
    select
        co_occurrences_in_window.identifier_type,
        co_occurrences_in_window.identifier_value,
        co_occurrences_in_window.linked_type,
        count(distinct co_occurrences_in_window.linked_value) as linked_count
    from co_occurrences_in_window
    left join records_of_several
        on co_occurrences_in_window.source_system = records_of_several.source_system
            and co_occurrences_in_window.source_table = records_of_several.source_table
            and co_occurrences_in_window.source_record_id = records_of_several.source_record_id
    left join first_pass_over as linked_over
        on co_occurrences_in_window.linked_type = linked_over.identifier_type
            and co_occurrences_in_window.linked_identifier_value = linked_over.identifier_value
    left join identifier_types as own_type
        on co_occurrences_in_window.identifier_type = own_type.identifier_type
    left join identifier_types as linked_type
        on co_occurrences_in_window.linked_type = linked_type.identifier_type
    where (
        records_of_several.source_record_id is null
        or co_occurrences_in_window.is_record_key
    )
    and not (
        linked_over.identifier_value is not null
        and coalesce(linked_type.priority, 0) > coalesce(own_type.priority, 0)
    )
    group by 1, 2, 3
),

over_limit as (
    select
        limit_checks.identifier_type,
        limit_checks.identifier_value,
        min(
            limit_checks.identifier_type || ' seen with ' || limit_checks.linked_count || ' '
            || limit_checks.linked_type || ' values within ' || limits.window_days
            || ' days (limit ' || limits.max_linked || '): ' || limits.reason
        ) as shared_reason
    from limit_checks
    inner join limits
        on limit_checks.identifier_type = limits.identifier_type
            and limit_checks.linked_type = limits.linked_type
    where limit_checks.linked_count > limits.max_linked
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
