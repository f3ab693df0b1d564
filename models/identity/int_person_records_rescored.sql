{{ config(materialized='table') }}

-- depends_on: {{ ref('mailmart_fuzzy_weights') }}
-- depends_on: {{ ref('mailmart_fuzzy_settings') }}

{%- set state = fuzzy_scored_records_relation() %}
{%- set has_state = execute and load_relation(state) is not none %}
{%- set max_block_size = fuzzy_max_block_size() %}

-- The person records whose fuzzy links must be worked out again on this run, and why: compared
-- with the state of the last scoring (int_person_records_scored, written by
-- int_identity_links_fuzzy), a record that is new, changed in any compared value, or removed;
-- every member of a block that crossed the size limit either way; every record when the
-- scoring itself changed (weights, settings, code). A pair with neither record here keeps its
-- link or its absence of one: its values, its shared blocks and their usability are unchanged.
with

records as (
    select * from {{ ref('int_person_records_prepared') }}
),

current_records as (
    {{ fuzzy_scored_records_select('records') }}
),

{%- if has_state %}

previous_records as (
    select * from {{ state }}
),

scoring_changes as (
    select count(*) as changed_rows
    from previous_records
    where scoring_fingerprint <> '{{ fuzzy_scoring_fingerprint() }}'
),

record_changes as (
    select
        coalesce(current_records.record_key, previous_records.record_key) as record_key,
        case
            when previous_records.record_key is null then 'new record'
            when current_records.record_key is null then 'removed record'
            else 'changed record'
        end as rescore_reason
    from current_records
    full outer join previous_records
        on current_records.record_key = previous_records.record_key
    where
        current_records.record_key is null
        or previous_records.record_key is null
        or current_records.record_fingerprint <> previous_records.record_fingerprint
),

current_changed as (
    select * from current_records
    where record_key in (select record_key from record_changes)
),

previous_changed as (
    select * from previous_records
    where record_key in (select record_key from record_changes)
),

-- the blocks a changed record is in now or was in before: only their sizes can have moved
touched_blocks as (
    select distinct
        block_key,
        block_value
    from (
        {{ fuzzy_block_rows('current_changed') }}
        union all
        {{ fuzzy_block_rows('previous_changed') }}
    ) as touched
),

members_now as (
    select distinct * from ({{ fuzzy_block_members_in('current_records', 'touched_blocks') }})
        as members
),

members_before as (
    select distinct * from ({{ fuzzy_block_members_in('previous_records', 'touched_blocks') }})
        as members
),

sizes_now as (
    select
        block_key,
        block_value,
        count(*) as block_size
    from members_now
    group by block_key, block_value
),

sizes_before as (
    select
        block_key,
        block_value,
        count(*) as block_size
    from members_before
    group by block_key, block_value
),

-- blocks that crossed the size limit, either way. (Crossing the lower bound of two members
-- needs nothing: a block that had or has one member holds no pair of unchanged records.)
usability_changed as (
    select
        touched_blocks.block_key,
        touched_blocks.block_value
    from touched_blocks
    left join sizes_now
        on touched_blocks.block_key = sizes_now.block_key
            and touched_blocks.block_value = sizes_now.block_value
    left join sizes_before
        on touched_blocks.block_key = sizes_before.block_key
            and touched_blocks.block_value = sizes_before.block_value
    where
        (coalesce(sizes_now.block_size, 0) > {{ max_block_size }})
        <> (coalesce(sizes_before.block_size, 0) > {{ max_block_size }})
),

reasons as (
    select
        record_key,
        1 as priority
    from record_changes
    where rescore_reason = 'removed record'
    union all
    select
        record_key,
        case rescore_reason when 'new record' then 2 else 3 end as priority
    from record_changes
    where rescore_reason <> 'removed record'
    union all
    select
        members_now.record_key,
        4 as priority
    from members_now
    inner join usability_changed
        on members_now.block_key = usability_changed.block_key
            and members_now.block_value = usability_changed.block_value
    union all
    select
        current_records.record_key,
        5 as priority
    from current_records
    cross join scoring_changes
    where scoring_changes.changed_rows > 0
),

{%- else %}

reasons as (
    select
        record_key,
        6 as priority
    from current_records
),

{%- endif %}

rescored as (
    select
        record_key,
        case min(priority)
            when 1 then 'removed record'
            when 2 then 'new record'
            when 3 then 'changed record'
            when 4 then 'block crossed the size limit'
            when 5 then 'scoring changed'
            else 'no previous scoring'
        end as rescore_reason
    from reasons
    group by record_key
),

final as (
    select
        -- ids
        rescored.record_key,
        -- why
        rescored.rescore_reason,
        -- the state's columns (null for a removed record)
        current_records.record_fingerprint,
        current_records.scoring_fingerprint,
        current_records.{{ fuzzy_block_columns() | join(',\n        current_records.') }}
    from rescored
    left join current_records
        on rescored.record_key = current_records.record_key
)

select * from final
