"""Segment-spec web and app events (``segment/**/*.jsonl``).

Messages are routed by ``type`` as Segment's own warehouses do: ``identify`` to ``identifies``,
``page`` and ``screen`` to ``pages``, ``track`` to ``tracks``. Nested objects (``context``,
``properties``, ``traits``, ``integrations``) are kept as JSON text; staging extracts fields.
Events are de-duplicated on ``messageId`` (Segment delivers at least once).
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    json_raw,
    json_text,
    reasons,
    required,
    timestamp_problem,
)

R = "record"

FIELDS = f"""
    {json_text(R, "$.messageId")} as message_id,
    lower({json_text(R, "$.type")}) as message_type,
    {json_text(R, "$.anonymousId")} as anonymous_id,
    {json_text(R, "$.userId")} as user_id,
    {json_text(R, "$.timestamp")} as timestamp_text,
    {json_text(R, "$.event")} as event_name
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
from fields
"""

COMMON = f"""
    message_id,
    anonymous_id,
    user_id,
    try_cast(timestamp_text as timestamptz) as "timestamp",
    try_cast({json_text(R, "$.sentAt")} as timestamptz) as sent_at,
    try_cast({json_text(R, "$.receivedAt")} as timestamptz) as received_at,
    try_cast({json_text(R, "$.originalTimestamp")} as timestamptz) as original_timestamp,
    {json_text(R, "$.channel")} as channel,
    {json_text(R, "$.version")} as spec_version,
    {json_raw(R, "$.context")} as context,
    {json_raw(R, "$.integrations")} as integrations,
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
    coalesce({json_raw(R, "$.traits")}, {json_raw(R, "$.context.traits")}) as traits,
    {TRAILER}
where target_table = 'identifies'
"""

PAGES = f"""
select
    {COMMON}
    message_type as page_type,
    {json_text(R, "$.name")} as name,
    {json_text(R, "$.category")} as category,
    {json_raw(R, "$.properties")} as properties,
    {TRAILER}
where target_table = 'pages'
"""

TRACKS = f"""
select
    {COMMON}
    event_name as event,
    {json_raw(R, "$.properties")} as properties,
    {TRAILER}
where target_table = 'tracks'
"""

SOURCE = Source(
    name="segment",
    folder="segment",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(
        Table("identifies", "message_id", "insert-only", IDENTIFIES),
        Table("pages", "message_id", "insert-only", PAGES),
        Table("tracks", "message_id", "insert-only", TRACKS),
    ),
    keep="first",
)
