"""Deterministic sample-data generator for the landing folders described in docs/sources.md.

``generate`` simulates ``customers`` persons over ``days`` days ending 2026-10-31T23:59:59Z and
writes CRM exports, Segment tracking, Shopify-style orders, SendGrid and Amazon SES events,
enrichment, the catalog and erasure requests under ``landing_dir``, plus the ground truth
(``records.csv``, ``identifiers.csv``) under ``truth_dir``.

Persons are simulated in fixed-size chunks, optionally in two worker processes; every person
draws from its own random stream seeded by ``f"{seed}:{index}"`` and chunks are written in
chunk order, so the output is byte-identical for the same ``(customers, seed, days)`` whatever
the number of workers, and memory stays bounded by the chunk size. ``GENERATOR_WORKERS``
(default 2, capped by the CPU count) sets the number of worker processes; 1 runs in-process.

Module map: ``clock`` (time, zones), ``reference`` (names, countries, devices), ``ids``,
``messy`` (dirty values), ``catalog``, ``campaigns``, ``world`` (shared context), ``people``
(persons, households, devices), ``state``, ``crm``, ``web`` (Segment), ``shop``, ``sendgrid``,
``ses``, ``extras`` (enrichment, erasure), ``simulate`` (per person and chunk), ``sink``
(per-chunk buffers, ground truth), ``writer`` (files, manifest).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from pathlib import Path

from ingestion.generator.simulate import ChunkResult, run_chunk
from ingestion.generator.sink import csv_text
from ingestion.generator.world import World, build_world
from ingestion.generator.writer import (
    LandingWriter,
    TruthWriter,
    remove_previous_output,
    write_manifest,
)

__all__ = ["generate", "CHUNK_SIZE"]

CHUNK_SIZE = 1_000
"""Persons per chunk. Part of the output format: records are time-sorted within a chunk."""

_WORKER_WORLD: World | None = None


def _init_worker(seed: int, customers: int, days: int) -> None:
    global _WORKER_WORLD
    _WORKER_WORLD = build_world(seed, customers, days)


def _work(chunk: int, chunk_size: int) -> ChunkResult:
    assert _WORKER_WORLD is not None
    return run_chunk(_WORKER_WORLD, chunk, chunk_size)


def _workers(chunks: int) -> int:
    configured = os.environ.get("GENERATOR_WORKERS")
    wanted = int(configured) if configured else 2
    return max(1, min(wanted, os.cpu_count() or 1, chunks))


def generate(
    customers: int, seed: int, landing_dir: Path, truth_dir: Path, days: int
) -> dict[str, int]:
    """Write deterministic sample landing files and their ground truth.

    Args:
        customers: Number of simulated persons.
        seed: Random seed; the same seed, customers and days give byte-identical files.
        landing_dir: Root of the landing folders (created if missing).
        truth_dir: Folder for ``records.csv``, ``identifiers.csv`` and the landing manifest;
            must not lie inside ``landing_dir``.
        days: Length of the simulated history, ending 2026-10-31.

    Returns:
        Summary counts (name -> count) for printing.

    Raises:
        ValueError: On a negative customer count, fewer than one day, or a truth folder inside
            the landing folder.
    """
    if customers < 0:
        raise ValueError("customers must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    landing_dir = Path(landing_dir)
    truth_dir = Path(truth_dir)
    landing_abs, truth_abs = landing_dir.resolve(), truth_dir.resolve()
    if truth_abs == landing_abs or landing_abs in truth_abs.parents:
        raise ValueError("truth_dir must not be inside landing_dir (the loaders read it all)")
    landing_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    remove_previous_output(landing_dir, truth_dir)

    world = build_world(seed, customers, days)
    landing = LandingWriter(landing_dir)
    truth = TruthWriter(truth_dir)
    counts: Counter[str] = Counter()
    for relpath, rows in world.catalog.files:
        landing.append(relpath, csv_text(rows).encode())
        counts["lines:catalog"] += len(rows)

    def consume(result: ChunkResult) -> None:
        for relpath, text in result.files:
            landing.append(relpath, text)
        truth.append(result.records, result.identifiers)
        counts.update(result.counts)

    chunk_size = CHUNK_SIZE
    chunks = (customers + chunk_size - 1) // chunk_size
    workers = _workers(chunks)
    if workers <= 1:
        for chunk in range(chunks):
            consume(run_chunk(world, chunk, chunk_size))
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, _init_worker, (seed, customers, days)) as pool:
            pending: deque = deque()
            submitted = 0
            while submitted < chunks and len(pending) < workers + 1:
                pending.append(pool.apply_async(_work, (submitted, chunk_size)))
                submitted += 1
            while pending:
                consume(pending.popleft().get())
                if submitted < chunks:
                    pending.append(pool.apply_async(_work, (submitted, chunk_size)))
                    submitted += 1

    files, size = write_manifest(landing_dir, truth_dir, landing.written)
    summary = {
        "customers": customers,
        "days": days,
        "crm_contact_rows": counts["lines:crm_contacts"],
        "segment_messages": counts["lines:segment"],
        "shop_order_rows": counts["lines:shop_orders"],
        "sendgrid_events": counts["sendgrid_events"],
        "sendgrid_webhook_posts": counts["lines:sendgrid"],
        "ses_records": counts["lines:ses"],
        "enrichment_records": counts["lines:enrichment"],
        "catalog_rows": counts["lines:catalog"],
        "erasure_requests": counts["lines:erasure_requests"],
        "bad_records": counts["bad_records"],
        "exact_duplicates": counts["exact_duplicates"],
        "truth_records": counts["truth_records"],
        "truth_identifiers": counts["truth_identifiers"],
        "landing_files": files,
        "landing_bytes": size,
    }
    return summary
