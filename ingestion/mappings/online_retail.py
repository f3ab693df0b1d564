"""UCI Online Retail -> the documented order-lines CSV import.

The mapping (one input line, one order line):

| Online Retail  | order_lines    | note                                                         |
|----------------|----------------|--------------------------------------------------------------|
| InvoiceNo      | order_id       | a leading ``C`` marks a cancellation                         |
| CustomerID     | customer_id    | ``17850.0`` -> ``17850``; empty stays empty (guest checkout) |
| (none)         | email          | empty: the file has no emails                                |
| InvoiceDate    | ordered_at     | ISO 8601, UK time taken as UTC                               |
| StockCode      | product_id     |                                                              |
| Description    | product_name   |                                                              |
| (none)         | category       | empty                                                        |
| Quantity       | quantity       | negative on cancellations                                    |
| UnitPrice      | unit_price     |                                                              |
| (constant)     | currency       | ``GBP``                                                      |
| InvoiceNo      | status         | ``refunded`` if it starts with ``C``, else ``completed``      |
| Country        | country        | kept as an extra column                                      |

Source: UCI Machine Learning Repository, Chen, Sain & Guo (2012), doi 10.24432/C5BW33,
CC BY 4.0.
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path

from ingestion.settings import PROJECT_ROOT
from ingestion.sources.order_import import COLUMNS as ORDER_LINE_COLUMNS

DEFAULT_INPUT = PROJECT_ROOT.parent / "shared" / "data" / "retail" / "online_retail.csv.gz"

# The documented order-lines header (owned by the loader) plus the extra column kept.
HEADER = [*ORDER_LINE_COLUMNS, "country"]


def _iso(value: str) -> str:
    """Online Retail dates come as ``2010-12-01 08:26:00`` or ``12/1/2010 8:26``."""
    value = value.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    return value  # left as is: the loader quarantines it with the reason


def _customer_id(value: str) -> str:
    value = value.strip()
    return value[:-2] if value.endswith(".0") else value


def convert(source: Path, target: Path) -> int:
    """Write ``target`` in the order-lines import format; returns the number of lines."""
    target.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if source.suffix == ".gz" else open
    count = 0
    with (
        opener(source, "rt", encoding="utf-8", newline="") as fin,
        open(target, "w", encoding="utf-8", newline="") as fout,
    ):
        reader = csv.DictReader(fin)
        writer = csv.writer(fout)
        writer.writerow(HEADER)
        for row in reader:
            invoice = row["InvoiceNo"].strip()
            writer.writerow(
                [
                    invoice,
                    _customer_id(row["CustomerID"] or ""),
                    "",
                    _iso(row["InvoiceDate"]),
                    row["StockCode"].strip(),
                    (row["Description"] or "").strip(),
                    "",
                    row["Quantity"].strip(),
                    row["UnitPrice"].strip(),
                    "GBP",
                    "refunded" if invoice.upper().startswith("C") else "completed",
                    row["Country"].strip(),
                ]
            )
            count += 1
    return count
