{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'spark' else 'delete+insert'),
    unique_key=['message_type', 'message_id'],
    on_schema_change='append_new_columns',
    post_hook="{{ attribution_remember_customers(
        attribution_customers('segment', ['user_ids', 'anonymous_ids'])
    ) }}",
) }}

{%- set reads_changes = attribution_reads_changes() %}

-- Every Segment message with the customer it belongs to. A message's user id wins over its
-- anonymous id: a shared household computer's anonymous id is cut from its users by the
-- identity rules, but a logged-in message still says who is browsing.
-- Only the columns the feature models read are kept (ids, page URLs and IP addresses stay in
-- the kept event tables, joined back by message type and id): a full build writes all 21M rows
-- at 1M customers, and leaving these out took that write from 31 s to 19 s.
-- Incremental (doc `incremental_attribution`): a run rewrites the messages of new loads and
-- the messages of user and anonymous ids whose customer changed since the last run (state:
-- int_web_events_attributed_customers); every other message keeps its customer.
with

source_records as (
    select * from {{ ref('customer_source_records') }}
),

{%- if reads_changes %}

current_customers as (
    {{ attribution_customers('segment', ['user_ids', 'anonymous_ids']) }}
),

changed_records as (
    {{ attribution_changed_records('current_customers') }}
),
{%- endif %}
{%- set kept_events = {
    'pages': 'int_segment_pages_extracted',
    'tracks': 'int_segment_tracks_extracted',
    'identifies': 'int_segment_identifies_extracted',
} %}
{% for name, kept_model in kept_events.items() %}
{{ name }} as (
    select * from {{ ref(kept_model) }}
    {%- if reads_changes %}
    where
        ({{ incremental_event_filter(ref(kept_model)) }})
        or user_id in (
            select source_record_id from changed_records where source_table = 'user_ids'
        )
        or anonymous_id in (
            select source_record_id from changed_records where source_table = 'anonymous_ids'
        )
    {%- endif %}
),
{% endfor %}

messages as (
    select
        message_id,
        'page' as message_type,
        page_type as event_name,
        anonymous_id,
        user_id,
        page_category,
        page_url,
        page_path,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as cart_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        cast(null as {{ dbt.type_string() }}) as product_category,
        cast(null as decimal(18, 2)) as price,
        cast(null as integer) as quantity,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        channel,
        device_type,
        timezone,
        locale,
        ip_address,
        utm_source,
        utm_medium,
        utm_campaign,
        occurred_at,
        load_id
    from pages
    union all
    select
        message_id,
        'track' as message_type,
        event_name,
        anonymous_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as page_category,
        page_url,
        page_path,
        order_id,
        cart_id,
        product_id,
        product_name,
        product_category,
        price,
        quantity,
        coalesce(revenue, order_total, order_value) as revenue,
        currency,
        channel,
        device_type,
        timezone,
        locale,
        ip_address,
        utm_source,
        utm_medium,
        utm_campaign,
        occurred_at,
        load_id
    from tracks
    union all
    select
        message_id,
        'identify' as message_type,
        'identify' as event_name,
        anonymous_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as page_category,
        page_url,
        page_path,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as cart_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        cast(null as {{ dbt.type_string() }}) as product_category,
        cast(null as decimal(18, 2)) as price,
        cast(null as integer) as quantity,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        channel,
        device_type,
        timezone,
        locale,
        ip_address,
        utm_source,
        utm_medium,
        utm_campaign,
        occurred_at,
        load_id
    from identifies
),

user_customers as (
    select
        source_record_id as user_id,
        customer_id
    from source_records
    where source_system = 'segment' and source_table = 'user_ids'
),

anonymous_customers as (
    select
        source_record_id as anonymous_id,
        customer_id
    from source_records
    where source_system = 'segment' and source_table = 'anonymous_ids'
),

attributed as (
    select
        -- ids
        messages.message_id,
        coalesce(user_customers.customer_id, anonymous_customers.customer_id) as customer_id,
        messages.order_id,
        messages.cart_id,
        messages.product_id,
        -- attributes
        messages.message_type,
        messages.event_name,
        messages.product_name,
        messages.product_category,
        messages.price,
        messages.quantity,
        messages.currency,
        -- context
        messages.channel,
        messages.device_type,
        messages.timezone,
        messages.locale,
        messages.utm_source,
        messages.utm_medium,
        messages.utm_campaign,
        -- timestamps
        messages.occurred_at,
        -- the kept event row's dlt load: a run rewrites the loads it has not attributed yet
        messages.load_id,
        -- when this run wrote the row (doc `tests_on_new_rows`)
        {{ written_at() }} as written_at
    from messages
    left join user_customers
        on messages.user_id = user_customers.user_id
    left join anonymous_customers
        on messages.anonymous_id = anonymous_customers.anonymous_id
)

select * from attributed
