-- Identity resolution health, from the latest row of `identity_kpis` (this run's, when the run
-- built it) and the one before: how much the number of customers moved since the previous run
-- (a placeholder email that slipped through the rules merges thousands of people at once),
-- identifiers per customer and the share of fuzzy links (both climb when matching
-- over-merges), and the largest customer. One row per check; `source_system` is `all`.
with

kpis as (
    select * from {{ ref('identity_kpis') }}
),

runs_ranked as (
    select
        *,
        row_number() over (order by measured_at desc, invocation_id desc) as run_position
    from kpis
),

latest as (
    select * from runs_ranked
    where run_position = 1
),

-- one row even on the first run (null then)
previous as (
    select max(customers) as customers from runs_ranked
    where run_position = 2
),

compared as (
    select
        latest.customers,
        latest.source_records,
        latest.identifiers_per_customer,
        latest.largest_customer_records,
        latest.links,
        latest.fuzzy_links,
        previous.customers as previous_customers
    from latest
    cross join previous
),

customers_change as (
    select
        -- check
        'customers_change_share' as check_name,
        'identity' as check_family,
        'all' as source_system,
        -- measurement
        abs(cast(customers - previous_customers as double)) / nullif(previous_customers, 0)
            as measured_value,
        previous_customers as sample_size,
        {{ quality_threshold('mailmart_quality_customers_change_share_warn') }}
            as threshold_warn,
        {{ quality_threshold('mailmart_quality_customers_change_share_fail') }}
            as threshold_fail,
        'max' as direction,
        {{ quality_text('customers') }} || ' customers, '
        || coalesce({{ quality_text('previous_customers') }}, 'no')
        || ' in the previous run' as details
    from compared
),

identifiers as (
    select
        -- check
        'identifiers_per_customer' as check_name,
        'identity' as check_family,
        'all' as source_system,
        -- measurement
        cast(identifiers_per_customer as double) as measured_value,
        customers as sample_size,
        {{ quality_threshold('mailmart_quality_identifiers_per_customer_warn') }}
            as threshold_warn,
        {{ quality_threshold('mailmart_quality_identifiers_per_customer_fail') }}
            as threshold_fail,
        'max' as direction,
        'linked identifiers per customer over ' || {{ quality_text('customers') }}
        || ' customers' as details
    from compared
),

fuzzy as (
    select
        -- check
        'fuzzy_link_share' as check_name,
        'identity' as check_family,
        'all' as source_system,
        -- measurement
        cast(fuzzy_links as double) / nullif(links, 0) as measured_value,
        links as sample_size,
        {{ quality_threshold('mailmart_quality_fuzzy_link_share_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_fuzzy_link_share_fail') }} as threshold_fail,
        'max' as direction,
        {{ quality_text('fuzzy_links') }} || ' of ' || {{ quality_text('links') }}
        || ' links between records come from fuzzy matching' as details
    from compared
),

largest as (
    select
        -- check
        'largest_customer_records' as check_name,
        'identity' as check_family,
        'all' as source_system,
        -- measurement
        cast(largest_customer_records as double) as measured_value,
        source_records as sample_size,
        {{ quality_threshold('mailmart_quality_largest_customer_records_warn') }}
            as threshold_warn,
        {{ quality_threshold('mailmart_quality_largest_customer_records_fail') }}
            as threshold_fail,
        'max' as direction,
        'source records (orders included) of the largest customer, of '
        || {{ quality_text('source_records') }} || ' records' as details
    from compared
),

checks as (
    select * from customers_change
    union all
    select * from identifiers
    union all
    select * from fuzzy
    union all
    select * from largest
)

select * from checks
