"""Segment-spec web and app events (``segment/**/*.jsonl``).

Messages are routed by ``type`` as Segment's own warehouses do: ``identify`` to ``identifies``,
``page`` and ``screen`` to ``pages``, ``track`` to ``tracks``. Nested objects (``context``,
``properties``, ``traits``, ``integrations``) are kept as JSON text; staging extracts fields.
Events are de-duplicated on ``messageId`` (Segment delivers at least once). Every field is
extracted with one parse of the message (see ``sql.extract_fields``).
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    extract_fields,
    fields_list,
    reasons,
    required,
    timestamp_problem,
)

FIELDS = {
    "message_id": "$.messageId",
    "message_type_raw": "$.type",
    "anonymous_id": "$.anonymousId",
    "user_id": "$.userId",
    "timestamp_text": "$.timestamp",
    "event_name": "$.event",
    "sent_at_text": "$.sentAt",
    "received_at_text": "$.receivedAt",
    "original_timestamp_text": "$.originalTimestamp",
    "channel": "$.channel",
    "spec_version": "$.version",
    "context": "$.context",
    "integrations": "$.integrations",
    "top_traits": "$.traits",
    "context_traits": "$.context.traits",
    "properties": "$.properties",
    "page_name": "$.name",
    "page_category": "$.category",
}

CLASSIFY = f"""
with

parsed as (
    select *, {fields_list("record", FIELDS)}
    from records
),

fields as (
    select
        * exclude (_fields),
        {extract_fields(FIELDS)}
    from parsed
),

typed as (
    select
        * exclude (message_type_raw),
        lower(message_type_raw) as message_type
    from fields
)

select
    *,
    case message_type
        when 'identify' then 'identifies'
        when 'page' then 'pages'
        when 'screen' then 'pages'
        when 'track' then 'tracks'
    end as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        required("messageId", "message_id"),
        required("type", "message_type"),
        "case when message_type not in ('identify', 'page', 'screen', 'track') "
        "then 'unsupported message type: ' || message_type end",
        timestamp_problem("timestamp", "timestamp_text", required=True),
        "case when nullif(trim(anonymous_id), '') is null and nullif(trim(user_id), '') is null "
        "then 'missing both userId and anonymousId' end",
        "case when message_type = 'track' and nullif(trim(event_name), '') is null "
        "then 'track without event name' end",
    )
}) as reject_reason,
    message_id as dedup_key,
    null::timestamptz as version
from typed
"""

COMMON = """
    message_id,
    anonymous_id,
    user_id,
    try_cast(timestamp_text as timestamptz) as "timestamp",
    try_cast(sent_at_text as timestamptz) as sent_at,
    try_cast(received_at_text as timestamptz) as received_at,
    try_cast(original_timestamp_text as timestamptz) as original_timestamp,
    channel,
    spec_version,
    context,
    integrations,
"""

TRAILER = """
    landing_file as _landing_file,
    record_number as _record_number
from accepted
"""

IDENTIFIES = f"""
select
    {COMMON}
    -- analytics.js puts traits at the top level; some libraries send them in context.traits
    coalesce(top_traits, context_traits) as traits,
    {TRAILER}
where target_table = 'identifies'
"""

PAGES = f"""
select
    {COMMON}
    message_type as page_type,
    page_name as name,
    page_category as category,
    properties,
    {TRAILER}
where target_table = 'pages'
"""

TRACKS = f"""
select
    {COMMON}
    event_name as event,
    properties,
    {TRAILER}
where target_table = 'tracks'
"""

# A re-delivered message carries its own timestamp: the stored-key check reads that range only.
EVENT_TIME = {"time_column": '"timestamp"', "time_sql": "try_cast(timestamp_text as timestamptz)"}

SOURCE = Source(
    name="segment",
    folder="segment",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(
        Table("identifies", "message_id", "insert-only", IDENTIFIES, **EVENT_TIME),
        Table("pages", "message_id", "insert-only", PAGES, **EVENT_TIME),
        Table("tracks", "message_id", "insert-only", TRACKS, **EVENT_TIME),
    ),
    keep="first",
)
