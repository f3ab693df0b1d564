"""Shop orders: Shopify-style JSON orders, one per line (``shop_orders/*.jsonl``).

An order re-appears in a later file when it changes (payment, fulfilment, refund); the newest
``updated_at`` wins. Line items and refunds are split into their own raw tables, keyed by their
own ids, so an updated order replaces its lines instead of duplicating them.
"""

from __future__ import annotations

from ingestion.framework import Source, Table
from ingestion.sources.sql import (
    JSON_OBJECT_PROBLEM,
    cast_problem,
    json_raw,
    json_text,
    reasons,
    required,
    timestamp_problem,
)

R = "record"
MONEY = "DECIMAL(18, 2)"

CLASSIFY = f"""
with

fields as (
    select
        *,
        {json_text(R, "$.id")} as order_id,
        {json_text(R, "$.created_at")} as created_at_text,
        {json_text(R, "$.updated_at")} as updated_at_text,
        {json_text(R, "$.currency")} as currency_text,
        {json_text(R, "$.total_price")} as total_price_text,
        -- every line needs a numeric quantity and price, else the order is not trustworthy
        (
            select count(*)
            from unnest(coalesce(json_extract({R}, '$.line_items[*]'), []::json[])) as li(item)
            where try_cast(json_extract_string(li.item, '$.quantity') as integer) is null
                or try_cast(json_extract_string(li.item, '$.price') as {MONEY}) is null
        ) as bad_line_items
    from records
)

select
    *,
    'orders' as target_table,
    coalesce({JSON_OBJECT_PROBLEM}, {
    reasons(
        required("id", "order_id"),
        timestamp_problem("created_at", "created_at_text", required=True),
        timestamp_problem("updated_at", "updated_at_text"),
        "case when currency_text is null then 'missing currency' "
        "when not regexp_full_match(upper(trim(currency_text)), '[A-Z]{3}') "
        "then 'currency: not an ISO 4217 code: ' || currency_text end",
        cast_problem("total_price", "total_price_text", MONEY),
        "case when bad_line_items > 0 then bad_line_items "
        "|| ' line item(s) without a numeric quantity and price' end",
    )
}) as reject_reason,
    order_id as dedup_key,
    coalesce(try_cast(updated_at_text as timestamptz), try_cast(created_at_text as timestamptz))
        as version
from fields
"""

ORDERS = f"""
select
    order_id,
    {json_text(R, "$.order_number")} as order_number,
    {json_text(R, "$.email")} as email,
    {json_text(R, "$.phone")} as phone,
    {json_text(R, "$.customer.id")} as customer_id,
    {json_text(R, "$.customer.email")} as customer_email,
    {json_text(R, "$.customer.first_name")} as customer_first_name,
    {json_text(R, "$.customer.last_name")} as customer_last_name,
    upper(trim(currency_text)) as currency,
    {json_text(R, "$.financial_status")} as financial_status,
    {json_text(R, "$.fulfillment_status")} as fulfillment_status,
    try_cast(total_price_text as {MONEY}) as total_price,
    try_cast({json_text(R, "$.subtotal_price")} as {MONEY}) as subtotal_price,
    try_cast({json_text(R, "$.total_tax")} as {MONEY}) as total_tax,
    try_cast({json_text(R, "$.total_discounts")} as {MONEY}) as total_discounts,
    {json_text(R, "$.source_name")} as source_name,
    {json_text(R, "$.browser_ip")} as browser_ip,
    try_cast(created_at_text as timestamptz) as created_at,
    try_cast(updated_at_text as timestamptz) as updated_at,
    try_cast({json_text(R, "$.cancelled_at")} as timestamptz) as cancelled_at,
    {json_raw(R, "$.billing_address")} as billing_address,
    {json_raw(R, "$.shipping_address")} as shipping_address,
    landing_file as _landing_file,
    record_number as _record_number
from accepted
where target_table = 'orders'
"""

LINE_ITEMS = f"""
with

items as (
    select
        a.order_id,
        li.item,
        li.line_number,
        a.landing_file,
        a.record_number
    from accepted as a,
        unnest(coalesce(json_extract(a.{R}, '$.line_items[*]'), []::json[]))
            with ordinality as li(item, line_number)
    where a.target_table = 'orders'
)

select
    -- a line without its own id is numbered by its position in the order
    coalesce(json_extract_string(item, '$.id'), order_id || '-' || line_number) as line_item_id,
    order_id,
    line_number,
    json_extract_string(item, '$.product_id') as product_id,
    json_extract_string(item, '$.variant_id') as variant_id,
    json_extract_string(item, '$.sku') as sku,
    json_extract_string(item, '$.title') as title,
    json_extract_string(item, '$.vendor') as vendor,
    try_cast(json_extract_string(item, '$.quantity') as integer) as quantity,
    try_cast(json_extract_string(item, '$.price') as {MONEY}) as price,
    try_cast(json_extract_string(item, '$.total_discount') as {MONEY}) as total_discount,
    landing_file as _landing_file,
    record_number as _record_number
from items
"""

REFUNDS = f"""
with

refunds as (
    select
        a.order_id,
        r.refund,
        r.refund_number,
        a.landing_file,
        a.record_number
    from accepted as a,
        unnest(coalesce(json_extract(a.{R}, '$.refunds[*]'), []::json[]))
            with ordinality as r(refund, refund_number)
    where a.target_table = 'orders'
)

select
    coalesce(json_extract_string(refund, '$.id'), order_id || '-r' || refund_number)
        as refund_id,
    order_id,
    try_cast(json_extract_string(refund, '$.created_at') as timestamptz) as created_at,
    json_extract_string(refund, '$.note') as note,
    list_sum(
        list_transform(
            coalesce(json_extract(refund, '$.refund_line_items[*].subtotal'), []::json[]),
            lambda x: try_cast(json_extract_string(x, '$') as {MONEY}),
        )
    )::{MONEY} as refunded_amount,
    json_extract(refund, '$.refund_line_items')::varchar as refund_line_items,
    landing_file as _landing_file,
    record_number as _record_number
from refunds
"""

SOURCE = Source(
    name="shop",
    folder="shop_orders",
    kind="json",
    classify_sql=CLASSIFY,
    tables=(
        Table("orders", "order_id", "upsert", ORDERS),
        Table(
            "order_line_items",
            "line_item_id",
            "upsert",
            LINE_ITEMS,
            is_root=False,
            replace_by="order_id",
        ),
        Table("refunds", "refund_id", "upsert", REFUNDS, is_root=False, replace_by="order_id"),
    ),
    keep="latest",
    version_column="updated_at",
)
