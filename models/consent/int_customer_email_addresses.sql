-- The addresses a customer gave or was mailed at, in the form an ESP sends to
-- (`deliverable_email`, not `identity_email`: `j.smith+shop@gmail.com` must stay as typed).
-- Enrichment records are left out: the provider's address is not one the person gave us.
with

assigned as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

imported_order_lines as (
    select * from {{ ref('stg_order_import__order_lines') }}
),

identifies as (
    select * from {{ ref('int_segment_identifies_extracted') }}
),

-- ESP recipients as the identity layer already summarised them (one row per address, first
-- and last event), instead of grouping every email event again
email_recipients as (
    select * from {{ ref('int_identifiers_observed') }}
    where source_system = 'email'
        and source_table = 'recipients'
        and identifier_type = 'source_record'
),

assessed as (
    select * from {{ ref('int_identifiers_assessed') }}
    where identifier_type = 'email'
),

-- the identity layer's records (`system:table:id`), with the address each one carries
sightings as (
    select
        'crm' as source_system,
        'crm:contacts:' || contact_id as record_key,
        email,
        coalesce(created_at, updated_at) as first_seen_at,
        coalesce(updated_at, created_at) as last_seen_at
    from contacts
    union all
    -- a shop order carries the checkout's email and the shop customer's; both were typed
    select
        'shop' as source_system,
        'shop:orders:' || order_id as record_key,
        email,
        created_at as first_seen_at,
        created_at as last_seen_at
    from orders
    union all
    select
        'shop' as source_system,
        'shop:orders:' || order_id as record_key,
        customer_email as email,
        created_at as first_seen_at,
        created_at as last_seen_at
    from orders
    union all
    select
        'order_import' as source_system,
        'order_import:orders:' || order_id as record_key,
        email,
        ordered_at as first_seen_at,
        ordered_at as last_seen_at
    from imported_order_lines
    union all
    -- an identify belongs to its user id's record when it has one (as in the features), so a
    -- shared computer's anonymous id does not carry one partner's address to the other
    select
        'segment' as source_system,
        case
            when user_id is not null then 'segment:user_ids:' || user_id
            else 'segment:anonymous_ids:' || anonymous_id
        end as record_key,
        email,
        occurred_at as first_seen_at,
        occurred_at as last_seen_at
    from identifies
    union all
    -- an ESP recipient is a record of its own in the identity graph, keyed by the address
    select
        'email' as source_system,
        'email:recipients:' || source_record_id as record_key,
        source_record_id as email,
        first_seen_at,
        last_seen_at
    from email_recipients
),

deliverable as (
    select
        -- ids
        assigned.customer_id,
        {{ deliverable_email('sightings.email') }} as email,
        -- lineage
        sightings.source_system,
        sightings.record_key,
        -- timestamps
        sightings.first_seen_at,
        sightings.last_seen_at
    from sightings
    inner join assigned
        on sightings.record_key = assigned.record_key
    where {{ deliverable_email('sightings.email') }} is not null
),

aggregated as (
    select
        -- ids
        customer_id,
        email,
        -- sources
        bool_or(source_system = 'crm') as has_crm_contact,
        bool_or(source_system = 'shop') as has_shop_order,
        bool_or(source_system = 'order_import') as has_imported_order,
        bool_or(source_system = 'segment') as has_segment_identify,
        bool_or(source_system = 'email') as has_email_event,
        count(distinct record_key) as record_count,
        -- timestamps
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from deliverable
    group by customer_id, email
),

described as (
    select
        aggregated.*,
        {{ identity_email('aggregated.email') }} as identity_email,
        {{ is_valid_email('aggregated.email') }} as is_valid_email,
        -- what the person typed beats what we inferred or merely sent to
        case
            when aggregated.has_crm_contact then 'crm'
            when aggregated.has_shop_order then 'shop'
            when aggregated.has_imported_order then 'order_import'
            when aggregated.has_segment_identify then 'segment'
            else 'email'
        end as primary_source_system,
        concat_ws(
            ',',
            case when aggregated.has_crm_contact then 'crm' end,
            case when aggregated.has_shop_order then 'shop' end,
            case when aggregated.has_imported_order then 'order_import' end,
            case when aggregated.has_segment_identify then 'segment' end,
            case when aggregated.has_email_event then 'email' end
        ) as source_systems
    from aggregated
),

final as (
    select
        -- ids
        described.customer_id,
        described.email,
        {{ hash_email('described.email') }} as email_hash,
        described.identity_email,
        -- quality
        described.is_valid_email,
        case
            when assessed.is_blocked then 'blocked'
            when assessed.is_shared then 'shared'
            when assessed.can_link then 'linked'
        end as identity_link_status,
        -- sources
        described.primary_source_system,
        described.source_systems,
        described.has_crm_contact,
        described.has_shop_order,
        described.has_imported_order,
        described.has_segment_identify,
        described.has_email_event,
        described.record_count,
        -- timestamps
        described.first_seen_at,
        described.last_seen_at
    from described
    left join assessed
        on described.identity_email = assessed.identifier_value
)

select * from final
