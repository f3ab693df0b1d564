"""GDPR erasure requests CSV (``erasure_requests/*.csv``): ``request_id, email, requested_at``.

A request without an id gets one derived from the email and time, so re-delivering the same
file never creates a second request.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import reasons, required, timestamp_problem

COLUMNS = ("request_id", "email", "requested_at")

CLASSIFY = f"""
select
    *,
    'erasure_requests' as target_table,
    coalesce(parse_error, {
    reasons(
        required("email"),
        timestamp_problem("requested_at", required=True),
    )
}) as reject_reason,
    coalesce(
        nullif(trim(request_id), ''),
        'derived-' || md5(lower(trim(email)) || '|' || trim(requested_at))
    ) as dedup_key,
    try_cast(requested_at as timestamptz) as version
from records
"""

ERASURE_REQUESTS = """
select
    dedup_key as request_id,
    email,
    try_cast(requested_at as timestamptz) as requested_at,
    landing_file as _landing_file,
    record_number as _record_number
    {extra_columns}
from accepted
where target_table = 'erasure_requests'
"""

SOURCE = Source(
    name="privacy",
    folder="erasure_requests",
    kind="csv",
    classify_sql=CLASSIFY,
    tables=(Table("erasure_requests", "request_id", "upsert", ERASURE_REQUESTS),),
    keep="latest",
    csv_columns=COLUMNS,
    csv_required=("email", "requested_at"),
    keep_extra_columns=True,
    patterns=("*.csv",),
)
