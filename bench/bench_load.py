"""Load benchmark: our dlt loaders vs DuckDB reading the same landing files natively.

Usage:
    python bench/bench_load.py --customers 100000            # generates into bench/results/
    python bench/bench_load.py --landing-dir data/landing    # measures existing files

Prints, per source: files, MB, records, our load time, DuckDB's own read time
(`read_json` / `read_csv` into a table of a fresh database file) and the ratio. The target
(issue 2) is a total ratio of at most 1.5 at 1,000,000 customers.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.framework import discover, load_source  # noqa: E402
from ingestion.sources import SOURCES  # noqa: E402


def native_read(files: list[Path], kind: str, database: Path) -> float:
    """Seconds DuckDB takes to read the files into a table of a fresh database file."""
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    paths = "[" + ", ".join(f"'{p}'" for p in files) + "]"
    if kind == "csv":
        sql = f"create table t as select * from read_csv({paths}, union_by_name = true)"
    else:
        # format auto: newline-delimited files and files holding one JSON array
        sql = (
            f"create table t as select * from read_json({paths}, format = 'auto', "
            "union_by_name = true, ignore_errors = true, maximum_object_size = 100000000)"
        )
    started = time.perf_counter()
    con.execute(sql)
    elapsed = time.perf_counter() - started
    con.close()
    database.unlink(missing_ok=True)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--landing-dir", default=None)
    parser.add_argument("--work-dir", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    if args.landing_dir:
        landing = Path(args.landing_dir)
    else:
        customers = args.customers or 100_000
        landing = work / f"landing_{customers}"
        if not (landing / ".complete").exists():
            from ingestion.generator import generate

            shutil.rmtree(landing, ignore_errors=True)
            started = time.perf_counter()
            generate(
                customers=customers,
                seed=args.seed,
                landing_dir=landing,
                truth_dir=work / f"truth_{customers}",
                days=90,
            )
            print(f"generated {customers:,} customers in {time.perf_counter() - started:,.1f} s")
            (landing / ".complete").write_text("ok")

    warehouse = work / "bench_load.duckdb"
    warehouse.unlink(missing_ok=True)
    rows = []
    for name, source in SOURCES.items():
        files = discover(source, landing)
        if not files:
            continue
        size = sum(f.size for f in files) / 1e6
        native = native_read([f.path for f in files], source.kind, work / "native.duckdb")
        started = time.perf_counter()
        result = load_source(source, landing, warehouse, log=lambda _: None)
        ours = time.perf_counter() - started
        rows.append((name, len(files), size, result.rows_in, ours, native))
        print(
            f"{name}: ours {ours:,.1f} s, duckdb {native:,.1f} s, ratio {ours / native:.2f}",
            flush=True,
        )

    print()
    header = ("source", "files", "MB", "records", "ours s", "duckdb s", "ratio")
    print("{:<14}{:>7}{:>9}{:>12}{:>9}{:>10}{:>7}".format(*header))
    for name, n, size, records, ours, native in rows:
        ratio = ours / native
        print(f"{name:<14}{n:>7}{size:>9.1f}{records:>12,}{ours:>9.2f}{native:>10.2f}{ratio:>7.2f}")
    total_ours = sum(r[4] for r in rows)
    total_native = sum(r[5] for r in rows)
    print(
        f"{'total':<14}{sum(r[1] for r in rows):>7}{sum(r[2] for r in rows):>9.1f}"
        f"{sum(r[3] for r in rows):>12,}{total_ours:>9.2f}{total_native:>10.2f}"
        f"{total_ours / total_native:>7.2f}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
