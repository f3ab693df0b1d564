"""Shared, read-only simulation context: time window, catalog, campaigns and id families."""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.generator.campaigns import Campaign, build_campaigns
from ingestion.generator.catalog import Catalog, build_catalog
from ingestion.generator.clock import DAY_MS, END_MS, HOUR_MS, window_start_ms
from ingestion.generator.ids import Scrambler, make_scrambler


@dataclass(slots=True)
class World:
    """Everything every person's simulation may read; identical in every worker process.

    Attributes:
        seed: Generator seed.
        customers: Number of persons.
        days: Length of the history.
        start_ms: First instant of the history (00:00Z of the first day).
        end_ms: Last instant of the history (2026-10-31T23:59:59.999Z).
        catalog: Product catalog.
        campaigns: Marketing calendar.
        crm_exports: Instants of the CRM exports: a full export on the first day, then weekly
            deltas and a last delta on the final day.
        contact_ids: Id family for CRM contacts.
        customer_ids: Id family for shop customers (also the Segment ``userId``).
        order_ids: Id family for shop orders.
        line_ids: Id family for order line items.
        refund_ids: Id family for refunds.
        request_ids: Id family for erasure requests.
    """

    seed: int
    customers: int
    days: int
    start_ms: int
    end_ms: int
    catalog: Catalog
    campaigns: list[Campaign]
    crm_exports: list[int]
    contact_ids: Scrambler
    customer_ids: Scrambler
    order_ids: Scrambler
    line_ids: Scrambler
    refund_ids: Scrambler
    request_ids: Scrambler


def build_world(seed: int, customers: int, days: int) -> World:
    """Build the shared context for a run.

    Args:
        seed: Generator seed.
        customers: Number of persons.
        days: Length of the history in days.

    Returns:
        The world.
    """
    start_ms = window_start_ms(days)
    exports = [start_ms + 2 * HOUR_MS + k * 7 * DAY_MS for k in range(days // 7 + 1)]
    exports = [t for t in exports if t <= END_MS]
    final = END_MS + 1 - 2 * HOUR_MS  # last day, 22:00Z
    if final - exports[-1] >= DAY_MS:
        exports.append(final)
    return World(
        seed=seed,
        customers=customers,
        days=days,
        start_ms=start_ms,
        end_ms=END_MS,
        catalog=build_catalog(seed, start_ms, END_MS),
        campaigns=build_campaigns(seed, start_ms, END_MS),
        crm_exports=exports,
        contact_ids=make_scrambler(seed, "contact", 9),
        customer_ids=make_scrambler(seed, "customer", 13),
        order_ids=make_scrambler(seed, "order", 13),
        line_ids=make_scrambler(seed, "line", 14),
        refund_ids=make_scrambler(seed, "refund", 12),
        request_ids=make_scrambler(seed, "request", 8),
    )
