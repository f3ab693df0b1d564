{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=customer_increment_pre_hooks(),
    post_hook=customer_increment_post_hooks(),
) }}

-- One row per customer with any email event up to as-of: deliveries, opens and clicks in the
-- last 30/90 days, rates, the engagement score at the latest engagement (customer_features
-- decays it to as-of) and the local hour and weekday the customer engages at. Exact
-- definitions: _features__email.yml. Nothing after as-of is read.
--
-- Incremental by customer (doc `customer_increments`): a run recomputes the customers whose
-- email events, site visits or time zone changed and those with an event whose window
-- boundary as-of crossed; what it reads is declared in customer_increment_spec.
{%- set half_life_days = var('mailmart_engagement_half_life_days', 30) %}
{%- set click_weight = var('mailmart_engagement_click_weight', 3) %}
{%- set message_key = dbt.concat([
    'email_events.vendor', "':'", 'email_events.message_id'
]) %}
with

email_events as {{ not_materialized() }} (
    select * from {{ ref('int_email_events_attributed') }}
),

web_events as {{ not_materialized() }} (
    select * from {{ ref('int_web_events_attributed') }}
),

as_of as {{ not_materialized() }} (
    select * from {{ ref('int_as_of_resolved') }}
),

time_zones as {{ not_materialized() }} (
    select * from {{ ref('int_customer_time_zones_resolved') }}
),

events_until_as_of as {{ not_materialized() }} (
    select
        -- ids
        email_events.customer_id,
        {{ message_key }} as message_key,
        -- attributes
        email_events.event_type,
        -- Apple Mail Privacy Protection prefetches every image of every mail on delivery from
        -- Apple's proxy, which sends a bare `Mozilla/5.0`; SendGrid's own `sg_machine_open`
        -- flag marks exactly these opens on the sample (staging does not carry the flag, and no
        -- other vendor's source here has one), so the user agent decides for every vendor.
        -- Google's image proxy (`GoogleImageProxy`) fetches when the mail is opened: human.
        (
            email_events.event_type = 'opened'
            and coalesce(trim(email_events.user_agent) = 'Mozilla/5.0', false)
        ) as is_machine_open,
        -- timestamps
        email_events.occurred_at,
        {{ dbt.datediff('email_events.occurred_at', 'as_of.as_of', 'second') }}
        / cast(86400 as double) as age_days
    from email_events
    cross join as_of
    where
        email_events.customer_id is not null
        and email_events.occurred_at <= as_of.as_of
        and {{ customer_increment_filter('email_events.customer_id') }}
),

-- a click proves the mail was opened even when its tracking pixel was blocked: it is an open
-- too (Mailchimp counts it so); machine opens are not engagement
engagements as (
    select *
    from events_until_as_of
    where event_type = 'clicked' or (event_type = 'opened' and not is_machine_open)
),

messages as (
    select
        customer_id,
        message_key,
        min(case when event_type = 'delivered' then age_days end) as delivered_age_days,
        min(case
            when event_type in ('opened', 'clicked') and not is_machine_open then age_days
        end) as last_opened_age_days,
        min(case when event_type = 'clicked' then age_days end) as last_clicked_age_days,
        max(case
            when event_type in ('opened', 'clicked') and not is_machine_open then occurred_at
        end) as last_opened_at,
        max(case when event_type = 'clicked' then occurred_at end) as last_clicked_at,
        min(case when is_machine_open then age_days end) as machine_opened_age_days
    from events_until_as_of
    group by 1, 2
),

-- distinct messages with such an event in the window: a message counts when its latest such
-- event is young enough, so one pass over `messages` replaces a count(distinct) per column
window_counts as (
    select
        customer_id,
        {%- for name, age_column in [
            ['delivered', 'delivered_age_days'],
            ['opened', 'last_opened_age_days'],
            ['clicked', 'last_clicked_age_days'],
        ] %}
        {%- for days in [30, 90] %}
        count(case
            when message_key is not null and {{ age_column }} < {{ days }} then 1
        end) as {{ name }}_{{ days }}d,
        {%- endfor %}
        {%- endfor %}
        count(case
            when message_key is not null and machine_opened_age_days < 90 then 1
        end) as machine_opened_90d
    from messages
    group by 1
),

-- each opened message counts 1 and each clicked message `mailmart_engagement_click_weight`
-- more, halved every `mailmart_engagement_half_life_days` since its latest open or click.
-- Kept as the score at the customer's latest engagement: the decay to as-of is one factor for
-- all of a customer's messages, applied by customer_features, so this row stays the same
-- from one day to the next (doc `customer_increments`).
messages_engaged as (
    select
        *,
        max(last_opened_at) over (partition by customer_id) as last_engaged_at
    from messages
),

message_scores as (
    select
        customer_id,
        -- rates: of the messages delivered in the last 90 days, those opened (clicked) by as-of
        count(case when delivered_age_days < 90 then 1 end) as delivered_messages_90d,
        count(case
            when delivered_age_days < 90 and last_opened_age_days is not null then 1
        end) as opened_messages_90d,
        count(case
            when delivered_age_days < 90 and last_clicked_age_days is not null then 1
        end) as clicked_messages_90d,
        -- summed as decimals: a sum of doubles depends on the order rows arrive in, and the
        -- score must not change between two builds of the same data
        coalesce(sum(
            cast(power(
                0.5,
                {{ dbt.datediff('last_opened_at', 'last_engaged_at', 'second') }}
                / cast(86400 as double) / {{ half_life_days }}
            ) as decimal(18, 9))
        ), 0)
        + {{ click_weight }} * coalesce(sum(
            cast(power(
                0.5,
                {{ dbt.datediff('last_clicked_at', 'last_engaged_at', 'second') }}
                / cast(86400 as double) / {{ half_life_days }}
            ) as decimal(18, 9))
        ), 0) as engagement_score_at_last_engagement,
        max(last_opened_at) as last_opened_at,
        max(last_clicked_at) as last_clicked_at
    from messages_engaged
    group by 1
),

site_activity as (
    select
        web_events.customer_id,
        web_events.occurred_at
    from web_events
    cross join as_of
    where
        web_events.customer_id is not null
        and web_events.occurred_at <= as_of.as_of
        and {{ customer_increment_filter('web_events.customer_id') }}
        -- server-side events fire when a back office job runs, not when the customer is there
        and coalesce(web_events.channel, '') != 'server'
),

engaged_customers as (
    select distinct customer_id from engagements
),

-- opens and clicks say when the customer reads mail; site visits are the fallback for those
-- who never opened one
activity as (
    select
        customer_id,
        'email_engagement' as send_time_source,
        occurred_at
    from engagements
    union all
    select
        site_activity.customer_id,
        'site_activity' as send_time_source,
        site_activity.occurred_at
    from site_activity
    left join engaged_customers
        on site_activity.customer_id = engaged_customers.customer_id
    where engaged_customers.customer_id is null
),

-- Local clock hours and dates change only on whole quarter hours (every zone's offset and DST
-- change since 1972 is one), so every event of a UTC quarter hour has the same local hour and
-- date: convert one instant per quarter hour, and the latest event of it for the tie-break.
activity_quarters as (
    select
        customer_id,
        send_time_source,
        {{ quarter_hour_floor('occurred_at') }} as quarter_at,
        max(occurred_at) as last_at
    from activity
    group by 1, 2, 3
),

activity_local as (
    select
        activity_quarters.customer_id,
        activity_quarters.send_time_source,
        {{ to_local_time(
            'activity_quarters.quarter_at', "coalesce(time_zones.time_zone, 'UTC')"
        ) }} as local_at,
        {{ to_local_time(
            'activity_quarters.last_at', "coalesce(time_zones.time_zone, 'UTC')"
        ) }} as last_local_at
    from activity_quarters
    left join time_zones
        on activity_quarters.customer_id = time_zones.customer_id
),

-- a clock hour (a day) counts once however many events fell in it, so one long visit or a
-- mail opened five times does not outvote habits
hours as (
    select
        customer_id,
        send_time_source,
        cast(extract(hour from local_at) as integer) as local_hour,
        count(distinct {{ dbt.date_trunc('hour', 'local_at') }}) as active_hours,
        max(last_local_at) as last_local_at
    from activity_local
    group by 1, 2, 3
),

weekdays as (
    select
        customer_id,
        {{ iso_weekday('local_at') }} as local_weekday,
        count(distinct cast(local_at as date)) as active_days,
        max(last_local_at) as last_local_at
    from activity_local
    group by 1, 2
),

-- ties: the most recently used hour (weekday), then the earliest
preferred_hours as (
    select
        customer_id,
        send_time_source,
        local_hour,
        sum(active_hours) over (partition by customer_id) as send_time_observations,
        row_number() over (
            partition by customer_id
            order by active_hours desc, last_local_at desc, local_hour asc
        ) as preference
    from hours
),

preferred_weekdays as (
    select
        customer_id,
        local_weekday,
        row_number() over (
            partition by customer_id
            order by active_days desc, last_local_at desc, local_weekday asc
        ) as preference
    from weekdays
),

final as (
    select
        -- ids
        window_counts.customer_id,
        -- counts: distinct messages
        window_counts.delivered_30d,
        window_counts.delivered_90d,
        window_counts.opened_30d,
        window_counts.opened_90d,
        window_counts.clicked_30d,
        window_counts.clicked_90d,
        window_counts.machine_opened_90d,
        -- rates
        cast(message_scores.opened_messages_90d as double)
        / nullif(message_scores.delivered_messages_90d, 0) as open_rate_90d,
        cast(message_scores.clicked_messages_90d as double)
        / nullif(message_scores.delivered_messages_90d, 0) as click_rate_90d,
        -- engagement
        cast(message_scores.engagement_score_at_last_engagement as double)
            as engagement_score_at_last_engagement,
        message_scores.last_opened_at,
        message_scores.last_clicked_at,
        -- send time, local to the customer
        preferred_hours.local_hour as preferred_send_hour,
        preferred_weekdays.local_weekday as preferred_send_weekday,
        coalesce(preferred_hours.send_time_source, 'none') as send_time_source,
        cast(
            coalesce(preferred_hours.send_time_observations, 0) as bigint
        ) as send_time_observations,
        coalesce(time_zones.time_zone, 'UTC') as send_time_zone,
        case
            when time_zones.time_zone is not null then 'devices' else 'default_utc'
        end as send_time_zone_source
    from window_counts
    inner join message_scores
        on window_counts.customer_id = message_scores.customer_id
    left join preferred_hours
        on
            window_counts.customer_id = preferred_hours.customer_id
            and preferred_hours.preference = 1
    left join preferred_weekdays
        on
            window_counts.customer_id = preferred_weekdays.customer_id
            and preferred_weekdays.preference = 1
    left join time_zones
        on window_counts.customer_id = time_zones.customer_id
)

select * from final
