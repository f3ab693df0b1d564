"""Third-party enrichment deliveries and privacy erasure requests."""

from __future__ import annotations

import datetime as dt
import random

from ingestion.generator.clock import DAY_MS, HOUR_MS, date_str, iso_s
from ingestion.generator.messy import email_as_typed
from ingestion.generator.reference import (
    ENRICHMENT_PROVIDERS,
    INCOME_BANDS,
    INTERESTS,
    JOB_TITLES,
)
from ingestion.generator.sink import dumps
from ingestion.generator.state import Sim
from ingestion.generator.world import World

ERASURE_HEADER = ("request_id", "email", "requested_at")
_ERASURE_EVERY = 331  # ~0.3% of persons, chosen by index so chunking cannot change who


def enrichment_deliveries(world: World) -> list[int]:
    """Instants of the monthly enrichment deliveries (the first three days in)."""
    first = world.start_ms + min(3, world.days - 1) * DAY_MS + 5 * HOUR_MS
    return list(range(first, world.end_ms, 30 * DAY_MS))


def erasure_time(sim: Sim) -> int | None:
    """When the person asks to be forgotten, or ``None`` (for about 0.3% of persons)."""
    person, world = sim.person, sim.world
    if person.index % _ERASURE_EVERY != 17:
        return None
    rng = _side_rng(sim, "erasure")
    start = world.start_ms + min(DAY_MS, (world.end_ms - world.start_ms) // 2)
    return start + rng.randrange(world.end_ms - start)


def _side_rng(sim: Sim, name: str) -> random.Random:
    return random.Random(f"{sim.world.seed}:{name}:{sim.person.index}")


def write_erasure(sim: Sim, requested_ms: int | None) -> None:
    """Write the erasure request into the weekly request file following it."""
    if requested_ms is None or requested_ms > sim.world.end_ms:
        return
    person, rng, world = sim.person, sim.rng, sim.world
    email = email_as_typed(
        rng, rng.choice(person.emails + ([person.work_email] if person.work_email else [])), 0.3
    )
    file_ms = next((t for t in world.crm_exports if t >= requested_ms), world.end_ms)
    request_id = f"DSR-{world.request_ids(person.index)}"
    path = f"erasure_requests/erasure_requests_{date_str(file_ms)}.csv"
    sim.sink.row(path, (requested_ms, request_id), [request_id, email, iso_s(requested_ms)])
    sim.truth.ident("email", email)


def write_enrichment(sim: Sim) -> None:
    """Write third-party enrichment records for about 40% of persons."""
    person, rng, world = sim.person, sim.rng, sim.world
    if rng.random() >= 0.4:
        return
    deliveries = [t for t in enrichment_deliveries(world) if t > person.first_seen_ms]
    if not deliveries:
        return
    first = 0 if person.pre_existing else rng.randrange(len(deliveries))
    picks = [deliveries[first]]
    if first + 1 < len(deliveries) and rng.random() < 0.15:
        picks.append(deliveries[rng.randrange(first + 1, len(deliveries))])
    title, seniority = JOB_TITLES[person.job]
    company = person.company
    for n, delivered in enumerate(picks):
        if person.work_email and rng.random() < 0.55:
            email = person.work_email
        else:
            email = person.emails[0]
        email = email_as_typed(rng, email, 0.25)
        if n and rng.random() < 0.5:
            title, seniority = JOB_TITLES[rng.randrange(len(JOB_TITLES))]
        age = (dt.date(2026, 10, 31) - person.dob).days // 365
        record = {
            "email": email,
            "company": company[0] if company else None,
            "job_title": title if age < 67 or rng.random() < 0.3 else "Retired",
            "seniority": seniority,
            "industry": company[2] if company else None,
            "interests": sorted(rng.sample(INTERESTS, rng.randint(1, 4))),
            "household_income_band": rng.choice(INCOME_BANDS) if rng.random() < 0.8 else None,
            "enriched_at": iso_s(delivered - rng.randrange(3 * DAY_MS)).replace("Z", "+00:00"),
            "provider": ENRICHMENT_PROVIDERS[person.index % 2],
        }
        path = f"enrichment/enrichment_{date_str(delivered)}.jsonl"
        text = dumps(record)
        key = email.strip().lower()
        sim.sink.line(path, delivered, key, text)
        sim.truth.ident("email", email)
        if rng.random() < 0.002:
            broken = dict(record)
            broken["email"] = None
            sim.sink.line(path, delivered, key + "~", dumps(broken))
            sim.bad("enrichment")
