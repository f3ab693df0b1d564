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
    extract_fields,
    fields_list,
    reasons,
    required,
    timestamp_problem,
)

R = "record"
MONEY = "DECIMAL(18, 2)"

# Every order field, extracted with one parse of the order (see ``sql.extract_fields``).
FIELDS = {
    "order_id": "$.id",
    "created_at_text": "$.created_at",
    "updated_at_text": "$.updated_at",
    "currency_text": "$.currency",
    "total_price_text": "$.total_price",
    "order_number": "$.order_number",
    "email": "$.email",
    "phone": "$.phone",
    "customer_id": "$.customer.id",
    "customer_email": "$.customer.email",
    "customer_first_name": "$.customer.first_name",
    "customer_last_name": "$.customer.last_name",
    "financial_status": "$.financial_status",
    "fulfillment_status": "$.fulfillment_status",
    "subtotal_price_text": "$.subtotal_price",
    "total_tax_text": "$.total_tax",
    "total_discounts_text": "$.total_discounts",
    "source_name": "$.source_name",
    "browser_ip": "$.browser_ip",
    "cancelled_at_text": "$.cancelled_at",
}

# Kept as JSON: addresses as sent, line items and refunds split into rows below.
JSON_FIELDS = {
    "billing_address": "$.billing_address",
    "shipping_address": "$.shipping_address",
    "line_items_json": "$.line_items",
    "refunds_json": "$.refunds",
}

CLASSIFY = f"""
with

parsed as (
    select
        *,
        {fields_list(R, FIELDS)},
        {fields_list(R, JSON_FIELDS, as_json=True)}
    from records
),

extracted as (
    select
        * exclude (_fields, _json_fields),
        {extract_fields(FIELDS)},
        {extract_fields(JSON_FIELDS, as_json=True)}
    from parsed
),

fields as (
    select
        *,
        -- every line needs a numeric quantity and price, else the order is not trustworthy
        (
            select count(*)
            from unnest(coalesce(json_extract(line_items_json, '$[*]'), []::json[])) as li(item)
            where try_cast(json_extract_string(li.item, '$.quantity') as integer) is null
                or try_cast(json_extract_string(li.item, '$.price') as {MONEY}) is null
        ) as bad_line_items
    from extracted
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
    order_number,
    email,
    phone,
    customer_id,
    customer_email,
    customer_first_name,
    customer_last_name,
    upper(trim(currency_text)) as currency,
    financial_status,
    fulfillment_status,
    try_cast(total_price_text as {MONEY}) as total_price,
    try_cast(subtotal_price_text as {MONEY}) as subtotal_price,
    try_cast(total_tax_text as {MONEY}) as total_tax,
    try_cast(total_discounts_text as {MONEY}) as total_discounts,
    source_name,
    browser_ip,
    try_cast(created_at_text as timestamptz) as created_at,
    try_cast(updated_at_text as timestamptz) as updated_at,
    try_cast(cancelled_at_text as timestamptz) as cancelled_at,
    billing_address,
    shipping_address,
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
        unnest(coalesce(json_extract(a.line_items_json, '$[*]'), []::json[]))
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
        unnest(coalesce(json_extract(a.refunds_json, '$[*]'), []::json[]))
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
