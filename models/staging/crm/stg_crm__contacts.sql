with

source as (
    select * from {{ source_or_empty('crm', 'contacts') }}
),

cleaned as (
    select
        -- ids
        trim(contact_id) as contact_id,
        nullif(trim(merged_into_contact_id), '') as merged_into_contact_id,
        -- contact points
        {{ normalize_email('email') }} as email,
        email as email_raw,
        {{ normalize_phone('phone', 'country') }} as phone,
        phone as phone_raw,
        -- person
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        date_of_birth,
        -- address
        nullif(trim(street_address), '') as street_address,
        nullif(trim(city), '') as city,
        nullif(upper(trim(postcode)), '') as postcode,
        nullif(trim(state), '') as state,
        nullif(upper(trim(country)), '') as country_code,
        -- flags
        email_opt_in as is_email_opt_in,
        coalesce(is_deleted, false) as is_deleted,
        -- timestamps
        {{ to_utc('created_at') }} as created_at,
        {{ to_utc('updated_at') }} as updated_at,
        -- lineage
        _landing_file as landing_file,
        _dlt_load_id as load_id
    from source
)

select * from cleaned
