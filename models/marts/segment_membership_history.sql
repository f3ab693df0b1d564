{{ config(materialized='table') }}

-- One row per spell a customer spent in a segment, across every run since the history began
-- (the log behind it survives rebuilds). A spell still open has no `exited_at`.
with

spells as (
    select * from {{ ref('int_segment_membership_spells_derived') }}
),

definitions as (
    select * from {{ ref('mailmart_segments') }}
),

final as (
    select
        -- ids
        spells.customer_id,
        spells.segment_name,
        -- segment
        definitions.segment_family,
        -- timestamps
        spells.entered_at,
        spells.exited_at,
        spells.entered_recorded_at,
        spells.exited_recorded_at,
        -- status
        spells.is_current,
        -- lineage
        spells.entered_invocation_id
    from spells
    -- `category_affinity:books` is a segment of definition `category_affinity`
    left join definitions
        on {{ dbt.split_part('spells.segment_name', "':'", 1) }} = definitions.segment_name
)

select * from final
