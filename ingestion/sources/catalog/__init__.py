"""Product catalog CSV (``catalog/*.csv``): one row per product; the newest row wins."""

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

MONEY = "DECIMAL(18, 2)"

COLUMNS = (
    "product_id",
    "sku",
    "name",
    "category",
    "subcategory",
    "brand",
    "price",
    "currency",
    "is_active",
    "updated_at",
)

CLASSIFY = f"""
select
    *,
    'products' as target_table,
    coalesce(parse_error, {
    reasons(
        required("product_id"),
        cast_problem("price", "price", MONEY),
        bool_problem("is_active"),
        timestamp_problem("updated_at"),
    )
}) as reject_reason,
    trim(product_id) as dedup_key,
    try_cast(updated_at as timestamptz) as version
from records
"""

PRODUCTS = f"""
select
    trim(product_id) as product_id,
    sku,
    name,
    category,
    subcategory,
    brand,
    try_cast(price as {MONEY}) as price,
    upper(trim(currency)) as currency,
    {to_bool("is_active")} as is_active,
    try_cast(updated_at as timestamptz) as updated_at,
    landing_file as _landing_file,
    record_number as _record_number
    {{extra_columns}}
from accepted
where target_table = 'products'
"""

SOURCE = Source(
    name="catalog",
    folder="catalog",
    kind="csv",
    classify_sql=CLASSIFY,
    tables=(Table("products", "product_id", "upsert", PRODUCTS),),
    keep="latest",
    version_column="updated_at",
    csv_columns=COLUMNS,
    csv_required=("product_id",),
    keep_extra_columns=True,
    patterns=("*.csv",),
)
