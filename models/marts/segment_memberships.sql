{{ config(materialized='table') }}

-- One row per customer and segment they are in now, with why (rule and values), since when,
-- whether it is their primary segment and whether they are in the holdout.
with

evaluated as (
    select * from {{ ref('int_segment_memberships_evaluated') }}
),

spells as (
    select * from {{ ref('int_segment_membership_spells_derived') }}
    where is_current
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

final as (
    select
        -- ids
        evaluated.customer_id,
        evaluated.segment_name,
        -- segment
        evaluated.segment_definition,
        evaluated.segment_family,
        evaluated.segment_priority,
        row_number() over (
            partition by evaluated.customer_id
            order by evaluated.segment_priority, evaluated.segment_name
        ) = 1 as is_primary_segment,
        -- holdout: the same customers every run, whatever the segment
        {{ is_holdout('evaluated.customer_id') }} as is_holdout,
        -- explanation
        evaluated.segment_rule,
        evaluated.rule_values,
        -- timestamps
        coalesce(spells.entered_at, as_of.as_of) as entered_at,
        as_of.as_of as features_as_of
    from evaluated
    cross join as_of
    left join spells
        on evaluated.customer_id = spells.customer_id
            and evaluated.segment_name = spells.segment_name
)

select * from final
