"""Third-party enrichment: one JSON person per line keyed by email (``enrichment/*.jsonl``).

Providers differ in email case and whitespace, so the key is the trimmed, lower-cased email
(``email_key``); the email as delivered is kept in ``email``. The newest ``enriched_at`` wins.
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

CLASSIFY = f"""
with

fields as (
    select
        *,
        {json_text(R, "$.email")} as email_text,
        {json_text(R, "$.enriched_at")} as enriched_at_text,
        json_type({R}, '$.interests') as interests_type
    from records
)

select
    *,
    'people' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        required("email", "email_text"),
        timestamp_problem("enriched_at", "enriched_at_text"),
        "case when interests_type not in ('ARRAY', 'NULL') then 'interests: not a list' end",
    )
}) as reject_reason,
    lower(trim(email_text)) as dedup_key,
    try_cast(enriched_at_text as timestamptz) as version
from fields
"""

PEOPLE = f"""
select
    dedup_key as email_key,
    email_text as email,
    {json_text(R, "$.company")} as company,
    {json_text(R, "$.job_title")} as job_title,
    {json_text(R, "$.seniority")} as seniority,
    {json_text(R, "$.industry")} as industry,
    {json_raw(R, "$.interests")} as interests,
    {json_text(R, "$.household_income_band")} as household_income_band,
    {json_text(R, "$.provider")} as provider,
    try_cast(enriched_at_text as timestamptz) as enriched_at,
    landing_file as _landing_file,
    record_number as _record_number
from accepted
where target_table = 'people'
"""

SOURCE = Source(
    name="enrichment",
    folder="enrichment",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(Table("people", "email_key", "upsert", PEOPLE),),
    keep="latest",
    version_column="enriched_at",
)
