"""Postmark webhooks (``postmark/**/*.json``) into ``raw_postmark.events``.

Postmark POSTs one event per request; a landing file holds one payload per line, or a JSON
array of payloads. Two shapes are accepted:

- the current format, with a top-level ``RecordType`` (Bounce, Delivery, Open, Click,
  SpamComplaint, SubscriptionChange);
- the legacy receiver format ``{"webhook": "bounce" | "open" | "delivery", "payload": {...}}``.

Fields are read from ``payload`` for legacy records and from the record itself otherwise. The
key is a hash of the whole normalised record (Postmark only gives bounces an ``ID``).

Rejected: not JSON, not an object, no event type (``RecordType`` or ``webhook``), a legacy record
whose ``payload`` is not an object, no email (``Email`` or ``Recipient``), a missing or
unparseable event time. Timestamps without an offset are UTC.

Columns of ``events``:

- ``event_key`` (varchar, key): md5 of the record's minified JSON text.
- ``event`` (varchar): ``RecordType``, or the legacy ``webhook`` name, as sent.
- ``record_format`` (varchar): ``record_type`` or ``legacy``.
- ``postmark_id`` (varchar): Postmark's ``ID`` (bounces and spam complaints).
- ``message_id`` (varchar): ``MessageID``; ``server_id`` (varchar): ``ServerID``/``ServerId``.
- ``message_stream`` (varchar): e.g. outbound, broadcast.
- ``email`` (varchar): recipient as given (``Email``, else ``Recipient``).
- ``type`` (varchar): bounce type (HardBounce, SoftBounce, SpamComplaint, ...);
  ``type_code`` (bigint), ``bounce_name`` (varchar): its code and label.
- ``timestamp`` (timestamptz): ``BouncedAt``, ``DeliveredAt``, ``ReceivedAt``, ``ClickedAt`` or
  ``ChangedAt``.
- ``description``, ``details`` (varchar): bounce description / delivery or bounce details.
- ``from_email``, ``subject``, ``tag`` (varchar): of the message.
- ``inactive``, ``can_activate``, ``dump_available`` (boolean): bounce flags.
- ``first_open`` (boolean), ``read_seconds`` (bigint), ``platform`` (varchar): of opens.
- ``url`` (varchar): clicked link (``OriginalLink``); ``click_location`` (varchar).
- ``user_agent``, ``ip`` (varchar): of opens and clicks (``UserAgent``, ``Geo.IP``).
- ``client``, ``os``, ``geo`` (json text): Postmark's parsed client, OS and geo-IP.
- ``origin``, ``suppression_reason`` (varchar), ``suppress_sending`` (boolean): of a
  SubscriptionChange.
- ``metadata`` (json text): the message's ``Metadata``.
- ``payload`` (varchar): the record as received (JSON text), legacy wrapper included.
- ``_landing_file`` (varchar), ``_record_number`` (bigint): where the record came from.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    json_raw,
    json_text,
    reasons,
    timestamp_problem,
)

# The event's fields: the legacy payload, or the record itself.
E = "event_json"

IS_LEGACY = f"({json_text('record', '$.webhook')} is not null)"

TIMESTAMPS = ("$.BouncedAt", "$.DeliveredAt", "$.ReceivedAt", "$.ClickedAt", "$.ChangedAt")

CLASSIFY = f"""
with

unwrapped as (
    select
        *,
        case
            when not {IS_LEGACY} then record
            when json_type(record, '$.payload') = 'OBJECT' then {json_raw("record", "$.payload")}
        end as event_json
    from records
),

fields as (
    select
        *,
        md5(json(record)::varchar) as event_key,
        coalesce(
            {json_text("record", "$.RecordType")},
            {json_text(E, "$.RecordType")},
            {json_text("record", "$.webhook")}
        ) as event_name,
        case when {IS_LEGACY} then 'legacy' else 'record_type' end as record_format,
        coalesce({json_text(E, "$.Email")}, {json_text(E, "$.Recipient")}) as email,
        coalesce({", ".join(json_text(E, path) for path in TIMESTAMPS)}) as timestamp_text
    from unwrapped
)

select
    *,
    'events' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        "case when nullif(trim(event_name), '') is null "
        "then 'missing event type (RecordType or webhook)' end",
        f"case when {IS_LEGACY} and event_json is null "
        "then 'legacy webhook without a payload object' end",
        "case when event_json is not null and nullif(trim(email), '') is null "
        "then 'missing email (Email or Recipient)' end",
        "case when event_json is not null and timestamp_text is null then 'missing timestamp "
        "(BouncedAt, DeliveredAt, ReceivedAt, ClickedAt or ChangedAt)' end",
        timestamp_problem("timestamp", "timestamp_text"),
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
    record_format,
    {json_text(E, "$.ID")} as postmark_id,
    {json_text(E, "$.MessageID")} as message_id,
    coalesce({json_text(E, "$.ServerID")}, {json_text(E, "$.ServerId")}) as server_id,
    {json_text(E, "$.MessageStream")} as message_stream,
    email,
    {json_text(E, "$.Type")} as type,
    try_cast({json_text(E, "$.TypeCode")} as bigint) as type_code,
    {json_text(E, "$.Name")} as bounce_name,
    try_cast(timestamp_text as timestamptz) as "timestamp",
    {json_text(E, "$.Description")} as description,
    {json_text(E, "$.Details")} as details,
    {json_text(E, "$.From")} as from_email,
    {json_text(E, "$.Subject")} as subject,
    {json_text(E, "$.Tag")} as tag,
    try_cast({json_text(E, "$.Inactive")} as boolean) as inactive,
    try_cast({json_text(E, "$.CanActivate")} as boolean) as can_activate,
    try_cast({json_text(E, "$.DumpAvailable")} as boolean) as dump_available,
    try_cast({json_text(E, "$.FirstOpen")} as boolean) as first_open,
    try_cast({json_text(E, "$.ReadSeconds")} as bigint) as read_seconds,
    {json_text(E, "$.Platform")} as platform,
    {json_text(E, "$.OriginalLink")} as url,
    {json_text(E, "$.ClickLocation")} as click_location,
    {json_text(E, "$.UserAgent")} as user_agent,
    {json_text(E, "$.Geo.IP")} as ip,
    {json_raw(E, "$.Client")} as client,
    {json_raw(E, "$.OS")} as os,
    {json_raw(E, "$.Geo")} as geo,
    {json_text(E, "$.Origin")} as origin,
    {json_text(E, "$.SuppressionReason")} as suppression_reason,
    try_cast({json_text(E, "$.SuppressSending")} as boolean) as suppress_sending,
    {json_raw(E, "$.Metadata")} as metadata,
    record as payload,
    landing_file as _landing_file,
    record_number as _record_number
from accepted
where target_table = 'events'
"""

SOURCE = Source(
    name="postmark",
    folder="postmark",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(Table("events", "event_key", "insert-only", EVENTS),),
    keep="first",
)
