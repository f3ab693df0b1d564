"""Mandrill (Mailchimp Transactional) webhooks (``mandrill/**/*.json``): ``raw_mandrill.events``.

Mandrill POSTs a batch, the JSON array ``mandrill_events``; a landing file holds that array (one
batch per line, or the whole file). Two kinds of events arrive:

- message events with ``event`` (send, deferral, hard_bounce, soft_bounce, open, click, spam,
  unsub, reject) and the message in ``msg``;
- sync events without ``event`` but with ``type`` (blacklist, whitelist) and ``action`` (add,
  change, remove), the entry in ``reject`` (blacklist) or ``entry`` (whitelist).

The key is a hash of the whole normalised event: Mandrill's ``_id`` is the message id, shared by
every event of a message.

Rejected: not JSON, not an object, a ``{"mandrill_events": ...}`` wrapper (land the array
itself), no event type (neither ``event`` nor ``type``), no email (``msg.email``,
``reject.email`` or ``entry.email``), missing ``ts`` or one that is not epoch seconds.

Columns of ``events``:

- ``event_key`` (varchar, key): md5 of the event's minified JSON text.
- ``event`` (varchar): message event name; null for sync events.
- ``sync_type`` (varchar), ``sync_action`` (varchar): ``type`` and ``action`` of sync events.
- ``message_id`` (varchar): the message's ``_id`` (``msg._id``, else the event's ``_id``).
- ``email`` (varchar): recipient as given (``msg.email``, ``reject.email`` or ``entry.email``).
- ``timestamp`` (timestamptz): event time (``ts``, epoch seconds, UTC).
- ``message_sent_at`` (timestamptz): when the message was sent (``msg.ts``).
- ``subject``, ``sender``, ``state`` (varchar): of the message; ``state`` is sent, bounced, ...
- ``bounce_description`` (varchar), ``bgtools_code`` (bigint), ``diag`` (varchar): bounce detail.
- ``reason`` (varchar), ``detail`` (varchar): why an address was black- or whitelisted.
- ``url`` (varchar): clicked link; ``ip``, ``user_agent`` (varchar): of opens and clicks.
- ``location``, ``user_agent_parsed`` (json text): Mandrill's geo-IP and user-agent lookups.
- ``smtp_events`` (json text): delivery attempts (``msg.smtp_events``).
- ``tags`` (json text): ``msg.tags`` array; ``metadata`` (json text): ``msg.metadata``.
- ``subaccount``, ``template`` (varchar).
- ``payload`` (varchar): the event as received (JSON text).
- ``_landing_file`` (varchar), ``_record_number`` (bigint): where the event came from.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    MAX_EPOCH_SECONDS,
    epoch_problem,
    epoch_range_problem,
    epoch_to_ts,
    json_raw,
    json_text,
    reasons,
    required,
)

R = "record"


FIELDS = f"""
    md5(json({R})::varchar) as event_key,
    {json_text(R, "$.event")} as event_name,
    {json_text(R, "$.type")} as sync_type,
    {json_text(R, "$.action")} as sync_action,
    coalesce(
        {json_text(R, "$.msg.email")},
        {json_text(R, "$.reject.email")},
        {json_text(R, "$.entry.email")}
    ) as email,
    {json_text(R, "$.ts")} as timestamp_text
"""

# A receiver that stored the form field as an object instead of its array value.
WRAPPER_PROBLEM = (
    f"case when {json_raw(R, '$.mandrill_events')} is not null "
    "then 'mandrill_events wrapper object: land the JSON array of events itself' end"
)

CLASSIFY = f"""
with

fields as (
    select
        *,
        {FIELDS}
    from records
)

select
    *,
    'events' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {WRAPPER_PROBLEM}, {
    reasons(
        "case when nullif(trim(event_name), '') is null and nullif(trim(sync_type), '') is null "
        "then 'missing event type (event, or type for sync events)' end",
        required("email"),
        epoch_problem("ts", "timestamp_text"),
        epoch_range_problem("ts", "timestamp_text"),
    )
}) as reject_reason,
    event_key as dedup_key,
    null::timestamptz as version
from fields
"""

EVENTS = f"""
select
    event_key,
    event_name as event,
    case when event_name is null then sync_type end as sync_type,
    case when event_name is null then sync_action end as sync_action,
    coalesce({json_text(R, "$.msg._id")}, {json_text(R, "$._id")}) as message_id,
    email,
    {epoch_to_ts("timestamp_text")} as "timestamp",
    case
        when try_cast({json_text(R, "$.msg.ts")} as double) >= 0
            and try_cast({json_text(R, "$.msg.ts")} as double) < {MAX_EPOCH_SECONDS}
        then {epoch_to_ts(json_text(R, "$.msg.ts"))}
    end as message_sent_at,
    {json_text(R, "$.msg.subject")} as subject,
    coalesce({json_text(R, "$.msg.sender")}, {json_text(R, "$.reject.sender")}) as sender,
    {json_text(R, "$.msg.state")} as state,
    {json_text(R, "$.msg.bounce_description")} as bounce_description,
    try_cast({json_text(R, "$.msg.bgtools_code")} as bigint) as bgtools_code,
    {json_text(R, "$.msg.diag")} as diag,
    {json_text(R, "$.reject.reason")} as reason,
    coalesce({json_text(R, "$.reject.detail")}, {json_text(R, "$.entry.detail")}) as detail,
    {json_text(R, "$.url")} as url,
    {json_text(R, "$.ip")} as ip,
    {json_text(R, "$.user_agent")} as user_agent,
    {json_raw(R, "$.location")} as location,
    {json_raw(R, "$.user_agent_parsed")} as user_agent_parsed,
    {json_raw(R, "$.msg.smtp_events")} as smtp_events,
    {json_raw(R, "$.msg.tags")} as tags,
    {json_raw(R, "$.msg.metadata")} as metadata,
    coalesce({json_text(R, "$.msg.subaccount")}, {json_text(R, "$.reject.subaccount")})
        as subaccount,
    {json_text(R, "$.msg.template")} as template,
    {R} as payload,
    landing_file as _landing_file,
    record_number as _record_number
from accepted
where target_table = 'events'
"""

SOURCE = Source(
    name="mandrill",
    folder="mandrill",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(Table("events", "event_key", "insert-only", EVENTS),),
    keep="first",
)
