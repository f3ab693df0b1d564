"""Simulate one person across all sources, and a chunk of persons into one sink."""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.generator import crm, extras, sendgrid, ses, shop, web
from ingestion.generator.people import build_person
from ingestion.generator.sink import ChunkSink, PersonTruth
from ingestion.generator.state import Sim, Trigger
from ingestion.generator.world import World


def _account_email(sim: Sim) -> str:
    person, rng = sim.person, sim.rng
    roll = rng.random()
    if person.work_email and roll < 0.1:
        return person.work_email
    if len(person.emails) > 1 and roll > 0.95:
        return person.emails[1]
    return person.emails[0]


def simulate_person(world: World, index: int, sink: ChunkSink) -> None:
    """Generate every record of person ``index`` into ``sink``.

    The steps run in dependency order: CRM contacts decide the marketing list; campaign clicks
    start web sessions; sessions create orders and abandoned carts; carts trigger reminders
    whose clicks start more sessions; orders produce transactional mail; opt-outs and erasure
    flow back into the CRM exports.

    Args:
        world: Shared context.
        index: 0-based person index.
        sink: Chunk output buffers.
    """
    person = build_person(world, index)
    truth = PersonTruth(person.person_id)
    sim = Sim(world, person, sink, truth, person.rng)
    sim.extra["account_email"] = _account_email(sim)
    erasure_ms = extras.erasure_time(sim)
    contacts, triggers = crm.plan_contacts(sim)
    if person.account_ms is not None and world.start_ms <= person.account_ms < world.end_ms:
        triggers.append(Trigger(person.account_ms, "signup"))
    subscribers = crm.subscribers_from(sim, contacts, erasure_ms)
    writer = sendgrid.send_campaigns(sim, subscribers)
    first_pass = triggers + writer.clicks
    writer.clicks = []
    web.simulate_web(sim, first_pass, organic=True)
    shop.plan_store_orders(sim)
    sendgrid.send_cart_reminders(sim, writer, subscribers)
    if writer.clicks:
        web.simulate_web(sim, writer.clicks, organic=False)
    notices = shop.emit_orders(sim)
    ses.send_order_mails(sim, notices)
    ses.send_welcome_mails(sim)
    for kind, ms, plan, amount in notices:
        if (
            kind == "refund_confirmation"
            and plan.customer_id
            and plan.customer_id == person.user_id
        ):
            web.server_track(
                sim,
                ms,
                "Order Refunded",
                {"order_id": plan.order_id, "total": float(amount or 0), "currency": plan.currency},
                person.user_id,
                None,
            )
    crm.finalize_and_export(sim, contacts, writer.optouts, erasure_ms)
    extras.write_enrichment(sim)
    extras.write_erasure(sim, erasure_ms)
    sink.add_truth(truth)
    sink.counts["persons"] += 1


@dataclass(slots=True)
class ChunkResult:
    """Serialized output of one chunk.

    Attributes:
        chunk: Chunk number.
        files: ``(relative landing path, UTF-8 bytes to append)``, sorted by path.
        records: Rows for ``records.csv`` (no header).
        identifiers: Rows for ``identifiers.csv`` (no header).
        counts: Summary counters.
    """

    chunk: int
    files: list[tuple[str, bytes]]
    records: str
    identifiers: str
    counts: dict[str, int]


def run_chunk(world: World, chunk: int, chunk_size: int) -> ChunkResult:
    """Simulate persons ``chunk * chunk_size`` up to the next chunk boundary."""
    sink = ChunkSink(world.seed, chunk)
    first = chunk * chunk_size
    for index in range(first, min(first + chunk_size, world.customers)):
        simulate_person(world, index, sink)
    files, records, identifiers = sink.render()
    return ChunkResult(chunk, files, records, identifiers, dict(sink.counts))
