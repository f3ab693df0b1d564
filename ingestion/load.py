"""Load every source found under ``LANDING_DIR`` (or the ones asked for) into the warehouse."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from ingestion.framework import SourceResult, describe, load_source
from ingestion.sources import SOURCES


def load_all(
    landing_dir: Path,
    warehouse: Path,
    only: Sequence[str] | None = None,
    lake: Path | None = None,
) -> bool:
    """Load the sources and print rows loaded and quarantined per table.

    Args:
        landing_dir: Root of the landing folders.
        warehouse: DuckDB file to load into.
        only: Source names to load; all when empty.
        lake: Write Parquet files under this folder instead of the warehouse (Spark target).

    Returns:
        True when every source loaded.
    """
    unknown = sorted(set(only or ()) - set(SOURCES))
    if unknown:
        print(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}")
        return False
    started = time.perf_counter()
    results: list[SourceResult] = []
    for name, source in SOURCES.items():
        if only and name not in only:
            continue
        result = load_source(source, landing_dir, warehouse, lake=lake)
        results.append(result)
        if result.tables:
            print(
                f"[{name}] {result.files_loaded} file(s), {result.rows_in:,} records "
                f"in {result.seconds:,.1f} s"
            )
            print(describe(result))
    total_in = sum(r.rows_in for r in results)
    total_q = sum(r.rows_quarantined for r in results)
    print(
        f"loaded {total_in:,} records ({total_q:,} quarantined) into {lake or warehouse} "
        f"in {time.perf_counter() - started:,.1f} s"
    )
    return True
