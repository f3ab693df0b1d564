-- Completeness of the fields everything downstream hangs on, one check row per source system
-- that has records: CRM contacts with a usable email (the address we send to), Segment events
-- with a user or anonymous id (an event without one belongs to nobody), orders with a customer
-- (a customer id or an email; POS guests have neither). Sources without records have no row.
with

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

contacts_counted as (
    select
        'contacts_with_email_share' as check_name,
        'crm' as source_system,
        count(*) as records,
        count(email) as complete_records,
        'contacts have an email address' as what,
        {{ quality_threshold('mailmart_quality_contacts_with_email_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_contacts_with_email_fail') }} as threshold_fail
    from contacts
),

events as (
    select
        user_id,
        anonymous_id
    from identifies
    union all
    select
        user_id,
        anonymous_id
    from pages
    union all
    select
        user_id,
        anonymous_id
    from tracks
),

events_counted as (
    select
        'events_with_user_or_anonymous_id_share' as check_name,
        'segment' as source_system,
        count(*) as records,
        sum(
            case when user_id is not null or anonymous_id is not null then 1 else 0 end
        ) as complete_records,
        'events have a user id or an anonymous id' as what,
        {{ quality_threshold('mailmart_quality_events_with_id_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_events_with_id_fail') }} as threshold_fail
    from events
),

shop_orders_counted as (
    select
        'orders_with_customer_share' as check_name,
        'shop' as source_system,
        count(*) as records,
        sum(
            case
                when
                    customer_id is not null or email is not null or customer_email is not null
                    then 1
                else 0
            end
        ) as complete_records,
        'orders have a customer id or an email' as what,
        {{ quality_threshold('mailmart_quality_orders_with_customer_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_orders_with_customer_fail') }} as threshold_fail
    from shop_orders
),

imported_orders as (
    select
        order_id,
        max(
            case when customer_id is not null or email is not null then 1 else 0 end
        ) as has_customer
    from order_lines
    group by order_id
),

imported_orders_counted as (
    select
        'orders_with_customer_share' as check_name,
        'order_import' as source_system,
        count(*) as records,
        sum(has_customer) as complete_records,
        'orders have a customer id or an email' as what,
        {{ quality_threshold('mailmart_quality_orders_with_customer_warn') }} as threshold_warn,
        {{ quality_threshold('mailmart_quality_orders_with_customer_fail') }} as threshold_fail
    from imported_orders
),

counted as (
    select * from contacts_counted
    union all
    select * from events_counted
    union all
    select * from shop_orders_counted
    union all
    select * from imported_orders_counted
),

checked as (
    select
        -- check
        check_name,
        'completeness' as check_family,
        source_system,
        -- measurement
        cast(complete_records as double) / nullif(records, 0) as measured_value,
        records as sample_size,
        threshold_warn,
        threshold_fail,
        'min' as direction,
        {{ quality_text('complete_records') }} || ' of ' || {{ quality_text('records') }}
        || ' ' || what as details
    from counted
    where records > 0
)

select * from checked
