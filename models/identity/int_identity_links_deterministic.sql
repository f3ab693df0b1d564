{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=deterministic_increment_pre_hooks(),
    post_hook=deterministic_increment_post_hooks(),
) }}

-- Incremental by identifier (doc `deterministic_increments`): a run links again the
-- identifiers the assessment changed and those on records whose own id it changed; the
-- pre-hooks delete their kept links.
with

observations as (
    select * from {{ ref('int_identifiers_observed') }}
    where identifier_type <> 'source_record'
    {%- if deterministic_increment_reads_changes() %}
        and {{ deterministic_in_scope('identifier_type', 'identifier_value') }}
    {%- endif %}
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

-- linkable identifiers on records that may link (not a record of several people)
linkable as (
    select
        observations.*,
        records.record_key
    from observations
    inner join assessed
        on observations.identifier_type = assessed.identifier_type
            and observations.identifier_value = assessed.identifier_value
    inner join records
        on observations.source_system = records.source_system
            and observations.source_table = records.source_table
            and observations.source_record_id = records.source_record_id
    where assessed.can_link
        and records.can_link
),

-- every record holding an identifier links to the first record seen with it (a star, not
-- every pair: n - 1 links for n records, same components)
ranked as (
    select
        *,
        row_number() over (
            partition by identifier_type, identifier_value
            order by first_seen_at, record_key
        ) as sighting_number
    from linkable
),

anchors as (
    select * from ranked
    where sighting_number = 1
),

links as (
    select
        -- ids
        anchors.record_key as record_key_a,
        ranked.record_key as record_key_b,
        -- why
        'same_' || ranked.identifier_type as link_rule,
        ranked.identifier_type,
        ranked.identifier_value,
        cast(null as double) as match_score,
        {%- set label_a = record_label(
            'anchors.source_system', 'anchors.source_table', 'anchors.source_record_id'
        ) %}
        {%- set label_b = record_label(
            'ranked.source_system', 'ranked.source_table', 'ranked.source_record_id'
        ) %}
        'same ' || replace(ranked.identifier_type, '_', ' ') || ' ' || ranked.identifier_value
        || ' seen on ' || {{ label_a }} || ' and ' || {{ label_b }} as reason,
        -- timestamps
        ranked.first_seen_at as linked_at
    from ranked
    inner join anchors
        on ranked.identifier_type = anchors.identifier_type
            and ranked.identifier_value = anchors.identifier_value
    where ranked.sighting_number > 1
        and ranked.record_key <> anchors.record_key
)

select * from links
