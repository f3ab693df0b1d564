-- Duplicates, two kinds, one check row per source system each:
-- `deduplicated_share`: records the loader dropped as exact re-deliveries (an event id seen
-- before) or superseded versions (an older export of a contact or order), from landing_files;
-- `records_merged_share`: person records that identity resolution merged into a customer who
-- already had a record of the same system and kind (two CRM contacts of one person). Orders
-- are left out of the second: a repeat purchase is not a duplicate.
with

landing as (
    select * from {{ ref('int_quality_landing_files_summarized') }}
),

source_records as (
    select * from {{ ref('customer_source_records') }}
),

deduplicated as (
    select
        -- check
        'deduplicated_share' as check_name,
        'duplicates' as check_family,
        source_system,
        -- measurement
        cast(rows_deduplicated as double) / nullif(rows_in, 0) as measured_value,
        rows_in as sample_size,
        {{ quality_threshold('mailmart_quality_deduplicated_share_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_deduplicated_share_fail') }} as threshold_fail,
        'max' as direction,
        {{ quality_text('rows_deduplicated') }} || ' of ' || {{ quality_text('rows_in') }}
        || ' records read were re-deliveries or superseded versions, dropped at load'
            as details
    from landing
),

records_per_customer as (
    select
        source_system,
        source_table,
        customer_id,
        count(*) as records
    from source_records
    where source_table <> 'orders'
    group by source_system, source_table, customer_id
),

merged_counted as (
    select
        source_system,
        sum(records) as records,
        sum(records - 1) as merged_records
    from records_per_customer
    group by source_system
),

merged as (
    select
        -- check
        'records_merged_share' as check_name,
        'duplicates' as check_family,
        source_system,
        -- measurement
        cast(merged_records as double) / nullif(records, 0) as measured_value,
        records as sample_size,
        {{ quality_threshold('mailmart_quality_records_merged_share_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_records_merged_share_fail') }} as threshold_fail,
        'max' as direction,
        {{ quality_text('merged_records') }} || ' of ' || {{ quality_text('records') }}
        || ' records were merged into a customer with another record of the same kind'
            as details
    from merged_counted
),

checks as (
    select * from deduplicated
    union all
    select * from merged
)

select * from checks
