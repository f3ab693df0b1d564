{{ config(post_hook="{{ unique_key_guard('email_hash') }}") }}
{%- set soft_bounce_limit = var('mailmart_soft_bounce_suppression_count', 3) %}

-- One row per address: its consent state, decided by the precedence in doc
-- `email_consent_precedence`. Each rule below proposes a state for the addresses it applies
-- to; the proposal with the lowest precedence wins.
with

addresses as (
    select * from {{ ref('int_customer_email_addresses') }}
),

events as {{ not_materialized() }} (
    select * from {{ ref('int_consent_events_unioned') }}
),

erased_customers as (
    select * from {{ ref('int_erased_customers') }}
),

-- placeholders (none@none.com) that identity resolution refuses to link
placeholders as (
    select * from {{ ref('int_identifiers_assessed') }}
    where identifier_type = 'email' and is_blocked
),

sightings as (
    select
        email,
        first_seen_at
    from addresses
    union all
    select
        email,
        occurred_at as first_seen_at
    from events
),

universe as (
    select
        email,
        min(first_seen_at) as first_seen_at
    from sightings
    group by email
),

keyed as (
    select
        email,
        {{ hash_email('email') }} as email_hash,
        {{ identity_email('email') }} as identity_email,
        first_seen_at
    from universe
),

-- 1. erased: the requested address, any address with the same identity form (the same
-- mailbox), and every address of a customer the request found
erasure_requests as (
    select
        email,
        {{ identity_email('email') }} as identity_email,
        occurred_at as requested_at,
        source_event_id as request_id
    from events
    where event_kind = 'erasure_requested'
),

erasures as (
    select
        keyed.email,
        erasure_requests.requested_at as erased_at,
        erasure_requests.request_id,
        'erasure request ' || erasure_requests.request_id as reason
    from keyed
    inner join erasure_requests
        on keyed.email = erasure_requests.email
    union all
    select
        keyed.email,
        erasure_requests.requested_at as erased_at,
        erasure_requests.request_id,
        'erasure request ' || erasure_requests.request_id as reason
    from keyed
    inner join erasure_requests
        on keyed.identity_email = erasure_requests.identity_email
    union all
    select
        addresses.email,
        erased_customers.erased_at,
        erased_customers.request_id,
        'erasure request ' || erased_customers.request_id
        || ' (another address of the same person)' as reason
    from addresses
    inner join erased_customers
        on addresses.customer_id = erased_customers.customer_id
),

erased_proposals as (
    select
        email,
        'erased' as consent_state,
        1 as precedence,
        reason,
        'privacy' as source_system,
        request_id as source_event_id,
        erased_at as state_since
    from erasures
),

-- 2. complained: permanent, from the first complaint
complained_proposals as (
    select
        email,
        'complained' as consent_state,
        2 as precedence,
        reason,
        source_system,
        source_event_id,
        occurred_at as state_since
    from events
    where event_kind = 'complained'
),

-- 3. invalid: fails the syntax check, or a placeholder
invalid_proposals as (
    select
        email,
        'invalid' as consent_state,
        3 as precedence,
        'not a well-formed email address' as reason,
        cast(null as {{ dbt.type_string() }}) as source_system,
        cast(null as {{ dbt.type_string() }}) as source_event_id,
        first_seen_at as state_since
    from keyed
    where not {{ is_valid_email('email') }}
    union all
    select
        keyed.email,
        'invalid' as consent_state,
        3 as precedence,
        'placeholder address (' || placeholders.blocked_reason || ')' as reason,
        cast(null as {{ dbt.type_string() }}) as source_system,
        cast(null as {{ dbt.type_string() }}) as source_event_id,
        keyed.first_seen_at as state_since
    from keyed
    inner join placeholders
        on keyed.identity_email = placeholders.identifier_value
),

-- 4 and 5. bounces count only after the last proof that the mailbox works; at the same
-- instant the bounce stands
mailbox_evidence as (
    select
        email,
        max(occurred_at) as last_evidence_at
    from events
    where event_kind in ('delivered', 'opened', 'clicked')
    group by email
),

bounces_since_evidence as (
    select
        events.email,
        events.event_kind,
        events.occurred_at,
        events.source_system,
        events.source_event_id,
        events.reason,
        row_number() over (
            partition by events.email, events.event_kind
            order by events.occurred_at nulls last, events.source_event_id nulls last
        ) as bounce_number
    from events
    left join mailbox_evidence
        on events.email = mailbox_evidence.email
    where
        events.event_kind in ('hard_bounced', 'soft_bounced')
        and (
            mailbox_evidence.last_evidence_at is null
            or events.occurred_at >= mailbox_evidence.last_evidence_at
        )
),

bounced_proposals as (
    select
        email,
        'hard_bounced' as consent_state,
        4 as precedence,
        reason,
        source_system,
        source_event_id,
        occurred_at as state_since
    from bounces_since_evidence
    where event_kind = 'hard_bounced'
    {%- if soft_bounce_limit is not none %}
    union all
    -- the bounce that reached the limit; later soft bounces keep the state
    select
        email,
        'soft_bounced' as consent_state,
        5 as precedence,
        '{{ soft_bounce_limit }} soft bounces since the last delivery, open or click; the'
        || ' last: ' || reason as reason,
        source_system,
        source_event_id,
        occurred_at as state_since
    from bounces_since_evidence
    where event_kind = 'soft_bounced' and bounce_number = {{ soft_bounce_limit }}
    {%- endif %}
),

-- 6. the latest opt-in, opt-out, unsubscribe or resubscribe decides; at the same instant
-- an opt-out wins
subscription_events as (
    select
        email,
        event_kind,
        occurred_at,
        source_system,
        source_event_id,
        reason,
        row_number() over (
            partition by email
            order by
                occurred_at desc,
                case when event_kind in ('crm_opt_out', 'unsubscribed') then 0 else 1 end asc,
                source_event_id asc
        ) as recency_rank
    from events
    where event_kind in ('crm_opt_in', 'crm_opt_out', 'unsubscribed', 'resubscribed')
),

subscription_history as (
    select
        email,
        max(
            case when event_kind in ('crm_opt_in', 'resubscribed') then occurred_at end
        ) as opted_in_at,
        -- a CRM opt-out flag alone is the CRM's default for someone who never opted in;
        -- anything else means the address was, or was getting mail as, a subscriber
        bool_or(event_kind <> 'crm_opt_out') as has_subscribed
    from subscription_events
    group by email
),

subscription_proposals as (
    select
        subscription_events.email,
        case
            when subscription_events.event_kind in ('crm_opt_in', 'resubscribed')
                then 'subscribed'
            else 'unsubscribed'
        end as consent_state,
        6 as precedence,
        subscription_events.reason,
        subscription_events.source_system,
        subscription_events.source_event_id,
        subscription_events.occurred_at as state_since
    from subscription_events
    inner join subscription_history
        on subscription_events.email = subscription_history.email
    where subscription_events.recency_rank = 1 and subscription_history.has_subscribed
),

-- 7. everything else
never_opted_in_proposals as (
    select
        keyed.email,
        'never_opted_in' as consent_state,
        7 as precedence,
        'no opt-in or resubscribe recorded'
        || coalesce('; ' || subscription_events.reason, '') as reason,
        subscription_events.source_system,
        subscription_events.source_event_id,
        keyed.first_seen_at as state_since
    from keyed
    left join subscription_events
        on keyed.email = subscription_events.email and subscription_events.recency_rank = 1
),

proposals as (
    select * from erased_proposals
    union all
    select * from complained_proposals
    union all
    select * from invalid_proposals
    union all
    select * from bounced_proposals
    union all
    select * from subscription_proposals
    union all
    select * from never_opted_in_proposals
),

decided as (
    select
        *,
        row_number() over (
            partition by email
            order by
                precedence nulls last,
                state_since nulls last,
                source_event_id nulls last,
                reason nulls last
        ) as proposal_rank
    from proposals
),

last_events as (
    select
        email,
        max(occurred_at) as last_event_at
    from events
    group by email
),

final as (
    select
        -- ids
        keyed.email_hash,
        -- an erased address keeps only its hash, to go on suppressing it
        case when decided.consent_state <> 'erased' then keyed.email end as email,
        -- state
        decided.consent_state,
        decided.consent_state = 'subscribed' as is_sendable,
        decided.reason,
        decided.source_system,
        decided.source_event_id,
        -- timestamps
        decided.state_since,
        case
            when decided.consent_state <> 'erased' then subscription_history.opted_in_at
        end as opted_in_at,
        case
            when decided.consent_state <> 'erased' then last_events.last_event_at
        end as last_event_at
    from keyed
    inner join decided
        on keyed.email = decided.email and decided.proposal_rank = 1
    left join subscription_history
        on keyed.email = subscription_history.email
    left join last_events
        on keyed.email = last_events.email
)

select * from final
