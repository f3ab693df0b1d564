"""SendGrid Event Webhook deliveries (``sendgrid/**/*.json``) into ``raw_sendgrid.events``.

SendGrid POSTs a JSON array of events; a landing file holds one POST body per line (or the whole
file is one array, or one event per line). Every event becomes one row. SendGrid can send two
different events with the same ``sg_event_id`` (a ``bounce`` and a ``blocked`` bounce), so the
key is a hash of the whole normalised event: only an exact re-delivery is a duplicate.

Rejected: not JSON, not an object, missing ``email``, missing ``event``, missing ``timestamp`` or
one that is not epoch seconds (or is out of range, e.g. milliseconds).

Columns of ``events``:

- ``event_key`` (varchar, key): md5 of the event's minified JSON text.
- ``sg_event_id``, ``sg_message_id`` (varchar): SendGrid's event and message ids.
- ``smtp_id`` (varchar): the ``smtp-id`` header value.
- ``email`` (varchar): recipient as given (staging normalises).
- ``event`` (varchar): SendGrid event name (processed, delivered, open, bounce, ...).
- ``type`` (varchar): bounce sub-type, ``bounce`` or ``blocked``.
- ``bounce_classification`` (varchar): SendGrid's bounce class, when sent.
- ``timestamp`` (timestamptz): event time (epoch seconds, UTC).
- ``reason``, ``status``, ``response`` (varchar): bounce/drop reason, SMTP status, server reply.
- ``attempt`` (bigint): delivery attempt of a ``deferred`` event.
- ``url`` (varchar): clicked link; ``user_agent``, ``ip`` (varchar): of opens and clicks.
- ``sg_machine_open`` (boolean): open reported as machine-generated (e.g. Apple MPP).
- ``asm_group_id`` (bigint): unsubscribe group of group (un)subscribe events.
- ``marketing_campaign_id``, ``marketing_campaign_name``, ``sg_template_id`` (varchar).
- ``tls`` (bigint), ``cert_err`` (varchar): TLS used / certificate error on delivery.
- ``category`` (json text): a string or an array of strings, as sent.
- ``pool`` (json text): IP pool ``{name, id}``.
- ``other_fields`` (json text): every field of the event without a column above, custom args
  included; null when there is none. Nothing of the event is lost, and it is not stored twice.
- ``_landing_file`` (varchar), ``_record_number`` (bigint): where the event came from.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    epoch_problem,
    epoch_range_problem,
    epoch_to_ts,
    extract_fields,
    fields_list,
    reasons,
    required,
)

R = "record"

# Every field, extracted with one parse of the event (see ``sql.extract_fields``).
FIELDS = {
    "email": "$.email",
    "event_name": "$.event",
    "timestamp_text": "$.timestamp",
    "sg_event_id": "$.sg_event_id",
    "sg_message_id": "$.sg_message_id",
    "smtp_id": '$."smtp-id"',
    "type": "$.type",
    "bounce_classification": "$.bounce_classification",
    "reason": "$.reason",
    "status": "$.status",
    "response": "$.response",
    "attempt_text": "$.attempt",
    "url": "$.url",
    "user_agent": "$.useragent",
    "ip": "$.ip",
    "sg_machine_open_text": "$.sg_machine_open",
    "asm_group_id_text": "$.asm_group_id",
    "marketing_campaign_id": "$.marketing_campaign_id",
    "marketing_campaign_name": "$.marketing_campaign_name",
    "sg_template_id": "$.sg_template_id",
    "tls_text": "$.tls",
    "cert_err": "$.cert_err",
}

# Kept as JSON text as sent (a string or an array of strings).
JSON_FIELDS = {"category": "$.category", "pool": "$.pool"}

# A JSON merge patch that removes every key held in a column of its own.
KNOWN_AS_NULLS = (
    "{"
    + ", ".join(
        f'"{path.removeprefix("$.").strip(chr(34))}": null'
        for path in [*FIELDS.values(), *JSON_FIELDS.values()]
    )
    + "}"
)

CLASSIFY = f"""
with

parsed as (
    select
        *,
        md5(json({R})::varchar) as event_key,
        {fields_list(R, FIELDS)},
        {fields_list(R, JSON_FIELDS, as_json=True)}
    from records
),

fields as (
    select
        * exclude (_fields, _json_fields),
        {extract_fields(FIELDS)},
        {extract_fields(JSON_FIELDS, as_json=True)}
    from parsed
)

select
    *,
    'events' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        required("email"),
        required("event", "event_name"),
        epoch_problem("timestamp", "timestamp_text"),
        epoch_range_problem("timestamp", "timestamp_text"),
    )
}) as reject_reason,
    event_key as dedup_key,
    null::timestamptz as version
from fields
"""

EVENTS = f"""
select
    event_key,
    sg_event_id,
    sg_message_id,
    smtp_id,
    email,
    event_name as event,
    type,
    bounce_classification,
    {epoch_to_ts("timestamp_text")} as "timestamp",
    reason,
    status,
    response,
    try_cast(attempt_text as bigint) as attempt,
    url,
    user_agent,
    ip,
    try_cast(sg_machine_open_text as boolean) as sg_machine_open,
    try_cast(asm_group_id_text as bigint) as asm_group_id,
    marketing_campaign_id,
    marketing_campaign_name,
    sg_template_id,
    try_cast(tls_text as bigint) as tls,
    cert_err,
    category,
    pool,
    -- custom args and any field without a column above (nothing of the event is lost)
    nullif(json_merge_patch({R}, '{KNOWN_AS_NULLS}')::varchar, '{{}}') as other_fields,
    landing_file as _landing_file,
    record_number as _record_number
from accepted
where target_table = 'events'
"""

SOURCE = Source(
    name="sendgrid",
    folder="sendgrid",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(
        Table(
            "events",
            "event_key",
            "insert-only",
            EVENTS,
            # a re-delivery carries the event's own time: the key check reads that range only
            time_column='"timestamp"',
            time_sql=epoch_to_ts("timestamp_text"),
        ),
    ),
    keep="first",
)
