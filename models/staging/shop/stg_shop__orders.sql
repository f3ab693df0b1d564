with

source as (
    select * from {{ source_or_empty('shop', 'orders') }}
),

billing_extracted as (
    select
        *,
        {{ json_text('billing_address', '$.first_name') }} as billing_first_name_raw,
        {{ json_text('billing_address', '$.last_name') }} as billing_last_name_raw,
        {{ json_text('billing_address', '$.address1') }} as billing_address1_raw,
        {{ json_text('billing_address', '$.city') }} as billing_city_raw,
        {{ json_text('billing_address', '$.zip') }} as billing_postcode_raw,
        {{ json_text('billing_address', '$.province') }} as billing_province_raw,
        {{ json_text('billing_address', '$.country_code') }} as billing_country_code_raw,
        {{ json_text('billing_address', '$.phone') }} as billing_phone_raw
    from source
),

cleaned as (
    select
        -- ids
        order_id,
        nullif(trim(order_number), '') as order_number,
        nullif(trim(customer_id), '') as customer_id,
        -- contact points
        {{ normalize_email('email') }} as email,
        {{ normalize_email('customer_email') }} as customer_email,
        {{ normalize_phone('phone', 'billing_country_code_raw') }} as phone,
        {{ normalize_phone('billing_phone_raw', 'billing_country_code_raw') }} as billing_phone,
        nullif(trim(customer_first_name), '') as customer_first_name,
        nullif(trim(customer_last_name), '') as customer_last_name,
        nullif(trim(browser_ip), '') as browser_ip,
        -- billing address
        nullif(trim(billing_first_name_raw), '') as billing_first_name,
        nullif(trim(billing_last_name_raw), '') as billing_last_name,
        nullif(trim(billing_address1_raw), '') as billing_address1,
        nullif(trim(billing_city_raw), '') as billing_city,
        nullif(upper(trim(billing_postcode_raw)), '') as billing_postcode,
        nullif(trim(billing_province_raw), '') as billing_province,
        nullif(upper(trim(billing_country_code_raw)), '') as billing_country_code,
        -- status
        lower(trim(source_name)) as source_name,
        lower(trim(financial_status)) as financial_status,
        lower(trim(fulfillment_status)) as fulfillment_status,
        coalesce(lower(trim(source_name)) = 'pos', false) as is_pos,
        cancelled_at is not null as is_cancelled,
        -- money, in `currency`
        currency,
        total_price,
        subtotal_price,
        total_tax,
        total_discounts,
        -- timestamps
        {{ to_utc('created_at') }} as created_at,
        {{ to_utc('updated_at') }} as updated_at,
        {{ to_utc('cancelled_at') }} as cancelled_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from billing_extracted
)

select * from cleaned
