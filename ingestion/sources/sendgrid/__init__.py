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
- ``payload`` (varchar): the event as received (JSON text); custom args live here.
- ``_landing_file`` (varchar), ``_record_number`` (bigint): where the event came from.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
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
    {json_text(R, "$.email")} as email,
    {json_text(R, "$.event")} as event_name,
    {json_text(R, "$.timestamp")} as timestamp_text
"""

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
    {json_text(R, "$.sg_event_id")} as sg_event_id,
    {json_text(R, "$.sg_message_id")} as sg_message_id,
    {json_text(R, '$."smtp-id"')} as smtp_id,
    email,
    event_name as event,
    {json_text(R, "$.type")} as type,
    {json_text(R, "$.bounce_classification")} as bounce_classification,
    {epoch_to_ts("timestamp_text")} as "timestamp",
    {json_text(R, "$.reason")} as reason,
    {json_text(R, "$.status")} as status,
    {json_text(R, "$.response")} as response,
    try_cast({json_text(R, "$.attempt")} as bigint) as attempt,
    {json_text(R, "$.url")} as url,
    {json_text(R, "$.useragent")} as user_agent,
    {json_text(R, "$.ip")} as ip,
    try_cast({json_text(R, "$.sg_machine_open")} as boolean) as sg_machine_open,
    try_cast({json_text(R, "$.asm_group_id")} as bigint) as asm_group_id,
    {json_text(R, "$.marketing_campaign_id")} as marketing_campaign_id,
    {json_text(R, "$.marketing_campaign_name")} as marketing_campaign_name,
    {json_text(R, "$.sg_template_id")} as sg_template_id,
    try_cast({json_text(R, "$.tls")} as bigint) as tls,
    {json_text(R, "$.cert_err")} as cert_err,
    {json_raw(R, "$.category")} as category,
    {json_raw(R, "$.pool")} as pool,
    {R} as payload,
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
    tables=(Table("events", "event_key", "insert-only", EVENTS),),
    keep="first",
)
