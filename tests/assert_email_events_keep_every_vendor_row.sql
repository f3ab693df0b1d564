-- The canonical email-event model must carry every row of every vendor's staging model:
-- a mapping join that drops or multiplies rows would silently change engagement and consent.
with

vendor_rows as (
    select
        'sendgrid' as vendor,
        count(*) as row_count
    from {{ ref('stg_sendgrid__events') }}
    union all
    select
        'ses' as vendor,
        count(*) as row_count
    from {{ ref('stg_ses__events') }}
    union all
    select
        'mandrill' as vendor,
        count(*) as row_count
    from {{ ref('stg_mandrill__events') }}
    union all
    select
        'postmark' as vendor,
        count(*) as row_count
    from {{ ref('stg_postmark__events') }}
),

unioned_rows as (
    select
        vendor,
        count(*) as row_count
    from {{ ref('int_email_events_unioned') }}
    group by vendor
),

compared as (
    select
        vendor_rows.vendor,
        vendor_rows.row_count as staging_rows,
        coalesce(unioned_rows.row_count, 0) as unioned_rows
    from vendor_rows
    left join unioned_rows on vendor_rows.vendor = unioned_rows.vendor
)

select * from compared
where staging_rows <> unioned_rows
