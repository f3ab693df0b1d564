"""Order-history import: a user's own order lines as CSV (``order_lines/*.csv``).

Header ``order_id, customer_id, email, ordered_at, product_id, product_name, category,
quantity, unit_price, currency, status``; one row per order line; a negative quantity or status
``refunded`` is a return. Lines are keyed by order and their position within the order in the
file, so re-importing an export replaces its lines instead of duplicating them (true duplicate
lines inside one order, which real exports have, are kept as separate lines).
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import cast_problem, reasons, required, timestamp_problem

MONEY = "DECIMAL(18, 4)"

COLUMNS = (
    "order_id",
    "customer_id",
    "email",
    "ordered_at",
    "product_id",
    "product_name",
    "category",
    "quantity",
    "unit_price",
    "currency",
    "status",
)

CLASSIFY = f"""
select
    *,
    'order_lines' as target_table,
    coalesce(parse_error, {
    reasons(
        required("order_id"),
        timestamp_problem("ordered_at", required=True),
        cast_problem("quantity", "quantity", "INTEGER", required=True),
        cast_problem("unit_price", "unit_price", MONEY, required=True),
        "case when currency is not null "
        "and not regexp_full_match(upper(trim(currency)), '[A-Z]{3}') "
        "then 'currency: not an ISO 4217 code: ' || currency end",
    )
}) as reject_reason,
    trim(order_id) || '-' || row_number() over (
        partition by landing_file, trim(order_id) order by record_number
    ) as dedup_key,
    null::timestamptz as version
from records
"""

ORDER_LINES = f"""
select
    dedup_key as order_line_id,
    trim(order_id) as order_id,
    customer_id,
    email,
    try_cast(ordered_at as timestamptz) as ordered_at,
    product_id,
    product_name,
    category,
    try_cast(quantity as integer) as quantity,
    try_cast(unit_price as {MONEY}) as unit_price,
    upper(trim(currency)) as currency,
    status,
    landing_file as _landing_file,
    record_number as _record_number
    {{extra_columns}}
from accepted
where target_table = 'order_lines'
"""

SOURCE = Source(
    name="order_import",
    folder="order_lines",
    kind="csv",
    classify_sql=CLASSIFY,
    tables=(Table("order_lines", "order_line_id", "upsert", ORDER_LINES),),
    keep="latest",
    csv_columns=COLUMNS,
    csv_required=("order_id", "ordered_at", "quantity", "unit_price"),
    keep_extra_columns=True,
    patterns=("*.csv",),
)
