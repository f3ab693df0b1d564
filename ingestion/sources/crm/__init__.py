"""CRM contacts: dated CSV exports in the documented header (``crm_contacts/*.csv``).

Also the documented import for a user's own CRM data: only ``contact_id`` is required, every
other column may be empty or absent, and extra columns are kept as text.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    bool_problem,
    cast_problem,
    reasons,
    required,
    timestamp_problem,
    to_bool,
)

COLUMNS = (
    "contact_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "date_of_birth",
    "street_address",
    "city",
    "postcode",
    "state",
    "country",
    "email_opt_in",
    "created_at",
    "updated_at",
    "is_deleted",
    "merged_into_contact_id",
)

CLASSIFY = f"""
select
    *,
    'contacts' as target_table,
    coalesce(parse_error, {
    reasons(
        required("contact_id"),
        cast_problem("date_of_birth", "date_of_birth", "DATE"),
        timestamp_problem("created_at"),
        timestamp_problem("updated_at"),
        bool_problem("email_opt_in"),
        bool_problem("is_deleted"),
    )
}) as reject_reason,
    trim(contact_id) as dedup_key,
    try_cast(updated_at as timestamptz) as version
from records
"""

CONTACTS = f"""
select
    trim(contact_id) as contact_id,
    email,
    phone,
    first_name,
    last_name,
    try_cast(date_of_birth as date) as date_of_birth,
    street_address,
    city,
    postcode,
    state,
    country,
    {to_bool("email_opt_in")} as email_opt_in,
    try_cast(created_at as timestamptz) as created_at,
    try_cast(updated_at as timestamptz) as updated_at,
    {to_bool("is_deleted")} as is_deleted,
    nullif(trim(merged_into_contact_id), '') as merged_into_contact_id,
    landing_file as _landing_file,
    record_number as _record_number
    {{extra_columns}}
from accepted
where target_table = 'contacts'
"""

SOURCE = Source(
    name="crm",
    folder="crm_contacts",
    kind="csv",
    classify_sql=CLASSIFY,
    tables=(Table("contacts", "contact_id", "upsert", CONTACTS),),
    keep="latest",
    version_column="updated_at",
    csv_columns=COLUMNS,
    csv_required=("contact_id",),
    keep_extra_columns=True,
    patterns=("*.csv",),
)
