{{ config(materialized='table') }}

-- depends_on: {{ ref('mailmart_segments') }}

-- One row per customer and segment whose rule holds now: every active rule of seed
-- `mailmart_segments` applied to `int_segment_inputs_prepared` (see macro
-- `segment_membership_selects`), with the rule and the values that put the customer there.
-- A rule may use every column of `customer_features` and of `int_segment_inputs_prepared`.
with

features as (
    select * from {{ ref('customer_features') }}
),

prepared as (
    select * from {{ ref('int_segment_inputs_prepared') }}
),

inputs as (
    select
        features.*,
        prepared.lifecycle_stage,
        prepared.consent_state,
        prepared.is_sendable,
        prepared.affinity_category,
        prepared.cart_abandoned_hours_ago,
        prepared.browse_abandoned_days_ago
    from features
    inner join prepared
        on features.customer_id = prepared.customer_id
),

evaluated as (
    {{ segment_membership_selects('inputs') }}
)

select * from evaluated
