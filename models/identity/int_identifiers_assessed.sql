{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=assessed_increment_pre_hooks(),
    post_hook=assessed_increment_post_hooks(),
) }}

{%- set reads_changes = assessed_increment_reads_changes() %}

-- Incremental by identifier (doc `assessed_increments`): a run recomputes the identifiers on
-- the records int_identifiers_observed recomputed since the last run, and those on records
-- holding an identifier whose first pass flipped; the pre-hooks compute the first pass of the
-- changed ones and delete the kept rows of this run's identifiers.
with

all_observations as {{ not_materialized() }} (
    select * from {{ ref('int_identifiers_observed') }}
),

observations as {{ not_materialized() }} (
    select * from all_observations
    where identifier_type <> 'source_record'
    {%- if reads_changes %}
        and {{ assessed_in_scope('touched', 'identifier_type', 'identifier_value') }}
    {%- endif %}
),

limits as (
    select * from {{ ref('mailmart_identifier_limits') }}
),

identifier_types as (
    select * from {{ ref('mailmart_identifier_types') }}
),

blocked as (
    select * from {{ ref('int_identifiers_blocked') }}
),

{{ identifier_limit_ctes() }}
{% if reads_changes %}
-- the first pass of every identifier after this run (pre-hook): unchanged ones as kept
first_pass_over as (
    select
        identifier_type,
        identifier_value
    from {{ assessed_increment_relation('first_pass_next') }}
),

-- the own ids of the records this run's identifiers were seen on
record_keys as (
    select keys.*
    from all_observations as keys
    where keys.is_record_key
        and keys.identifier_type <> 'source_record'
        and exists (
            select 1
            from observations
            where observations.source_system = keys.source_system
                and observations.source_table = keys.source_table
                and observations.source_record_id = keys.source_record_id
        )
),
{% else %}
{{ identifier_first_pass_over() }},

record_keys as (
    select * from observations
    where is_record_key
),
{% endif %}
-- A record whose own id is blocked or over a limit (a family computer's anonymous id seen
-- with both partners' user ids) belongs to several people: it links nothing, and what was
-- seen on it does not count against its other identifiers.
records_of_several as (
    select distinct
        record_keys.source_system,
        record_keys.source_table,
        record_keys.source_record_id
    from record_keys
    left join first_pass_over
        on record_keys.identifier_type = first_pass_over.identifier_type
            and record_keys.identifier_value = first_pass_over.identifier_value
    left join blocked
        on record_keys.identifier_type = blocked.identifier_type
            and record_keys.identifier_value = blocked.identifier_value
    where
        first_pass_over.identifier_value is not null
        or blocked.identifier_value is not null
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
        -- over a limit when everything seen with it counts (before priority), which decides
        -- for the identifiers seen with it
        first_pass_over.identifier_value is not null as is_over_limit_before_priority,
        -- counts
        identifiers.record_count,
        -- timestamps
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        -- when this run wrote the row (doc `tests_on_new_rows`)
        {{ written_at() }} as written_at
    from identifiers
    left join blocked
        on identifiers.identifier_type = blocked.identifier_type
            and identifiers.identifier_value = blocked.identifier_value
    left join over_limit
        on identifiers.identifier_type = over_limit.identifier_type
            and identifiers.identifier_value = over_limit.identifier_value
    left join first_pass_over
        on identifiers.identifier_type = first_pass_over.identifier_type
            and identifiers.identifier_value = first_pass_over.identifier_value
)

select * from assessed
