-- Freshness, two check rows per loaded source system, both from the latest record or event
-- time in the source's staging models (when it happened, not when it was loaded):
-- `hours_behind_as_of`: how far the source lags the as-of time every feature is computed at
-- (`int_as_of_resolved`, by default the latest event of any source): a source that stopped
-- delivering while the others carry on. Judged only for the systems in var
-- `mailmart_quality_freshness_systems`; reference data (catalog, enrichment) and rare
-- requests (privacy) are tracked without thresholds.
-- `hours_before_load`: from the latest record to the latest load of the source: how old the
-- data already was when it arrived (a stuck export delivers old files on time).
with

landing as (
    select * from {{ ref('int_quality_landing_files_summarized') }}
),

as_of as (
    select * from {{ ref('int_as_of_resolved') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

identifies as (
    select * from {{ ref('int_segment_identifies_extracted') }}
),

pages as (
    select * from {{ ref('int_segment_pages_extracted') }}
),

tracks as (
    select * from {{ ref('int_segment_tracks_extracted') }}
),

shop_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

order_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
),

email_events as (
    select * from {{ ref('int_email_events_unioned') }}
),

enrichment as (
    select * from {{ ref('stg_enrichment__people') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

record_times as (
    select
        'crm' as source_system,
        coalesce(updated_at, created_at) as record_at
    from contacts
    union all
    select
        'segment' as source_system,
        occurred_at as record_at
    from identifies
    union all
    select
        'segment' as source_system,
        occurred_at as record_at
    from pages
    union all
    select
        'segment' as source_system,
        occurred_at as record_at
    from tracks
    union all
    select
        'shop' as source_system,
        coalesce(updated_at, created_at) as record_at
    from shop_orders
    union all
    select
        'order_import' as source_system,
        ordered_at as record_at
    from order_lines
    union all
    select
        vendor as source_system,
        occurred_at as record_at
    from email_events
    union all
    select
        'enrichment' as source_system,
        enriched_at as record_at
    from enrichment
    union all
    select
        'catalog' as source_system,
        updated_at as record_at
    from products
    union all
    select
        'privacy' as source_system,
        requested_at as record_at
    from erasure_requests
),

-- the systems whose freshness is judged (var `mailmart_quality_freshness_systems`)
judged_systems as (
    {%- for system in var('mailmart_quality_freshness_systems') %}
    select '{{ system }}' as source_system
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as source_system
    where 1 = 0
    {%- endfor %}
),

latest_records as (
    select
        source_system,
        count(*) as records,
        max(record_at) as latest_record_at
    from record_times
    group by source_system
),

sources as (
    select
        landing.source_system,
        landing.last_read_at,
        coalesce(latest_records.records, 0) as records,
        latest_records.latest_record_at,
        as_of.as_of,
        judged_systems.source_system is not null as is_judged
    from landing
    cross join as_of
    left join latest_records
        on landing.source_system = latest_records.source_system
    left join judged_systems
        on landing.source_system = judged_systems.source_system
),

behind_as_of as (
    select
        -- check
        'hours_behind_as_of' as check_name,
        'freshness' as check_family,
        source_system,
        -- measurement
        {{ quality_hours_between('latest_record_at', 'as_of') }} as measured_value,
        records as sample_size,
        case
            when is_judged
                then {{ quality_threshold('mailmart_quality_hours_behind_as_of_warn') }}
        end as threshold_warn,
        case
            when is_judged
                then {{ quality_threshold('mailmart_quality_hours_behind_as_of_fail') }}
        end as threshold_fail,
        'max' as direction,
        'latest record ' || coalesce({{ quality_text('latest_record_at') }}, 'none')
        || ', as of ' || {{ quality_text('as_of') }} as details
    from sources
),

before_load as (
    select
        -- check
        'hours_before_load' as check_name,
        'freshness' as check_family,
        source_system,
        -- measurement
        {{ quality_hours_between('latest_record_at', 'last_read_at') }} as measured_value,
        records as sample_size,
        case
            when is_judged
                then {{ quality_threshold('mailmart_quality_hours_before_load_warn') }}
        end as threshold_warn,
        case
            when is_judged
                then {{ quality_threshold('mailmart_quality_hours_before_load_fail') }}
        end as threshold_fail,
        'max' as direction,
        'latest record ' || coalesce({{ quality_text('latest_record_at') }}, 'none')
        || ', last loaded ' || {{ quality_text('last_read_at') }} as details
    from sources
),

checks as (
    select * from behind_as_of
    union all
    select * from before_load
)

select * from checks
