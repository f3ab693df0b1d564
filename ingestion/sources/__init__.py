"""One package per source system, as dlt's verified sources are laid out."""

from __future__ import annotations

from ingestion.framework import Source
from ingestion.sources.catalog import SOURCE as CATALOG
from ingestion.sources.crm import SOURCE as CRM
from ingestion.sources.enrichment import SOURCE as ENRICHMENT
from ingestion.sources.mandrill import SOURCE as MANDRILL
from ingestion.sources.order_import import SOURCE as ORDER_IMPORT
from ingestion.sources.postmark import SOURCE as POSTMARK
from ingestion.sources.privacy import SOURCE as PRIVACY
from ingestion.sources.segment import SOURCE as SEGMENT
from ingestion.sources.sendgrid import SOURCE as SENDGRID
from ingestion.sources.ses import SOURCE as SES
from ingestion.sources.shop import SOURCE as SHOP

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        CRM,
        SEGMENT,
        SHOP,
        ORDER_IMPORT,
        SENDGRID,
        SES,
        MANDRILL,
        POSTMARK,
        ENRICHMENT,
        CATALOG,
        PRIVACY,
    )
}
