"""One package per source system, as dlt's verified sources are laid out."""

from __future__ import annotations

from ingestion.framework import Source
from ingestion.sources.crm import SOURCE as CRM
from ingestion.sources.segment import SOURCE as SEGMENT

SOURCES: dict[str, Source] = {s.name: s for s in (CRM, SEGMENT)}
