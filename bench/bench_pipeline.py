"""End-to-end benchmark: generate, load, full dbt build per layer, an incremental day, clustering.

Usage:
    python bench/bench_pipeline.py --customers 100000
    python bench/bench_pipeline.py --customers 100000,1000000 --landing-root /work/bench

For each size it:

1. generates the sample data (cached: `<landing-root>/landing_<N>` with a `.complete` marker,
   the layout `bench_load.py` uses) and holds back the last day's files (the newest date in
   any file path: about 1% of the events of the default 90 days);
2. loads the rest with our loaders and reads the same files with DuckDB's own reader, per
   source, for the load ratio (issue 2's measure);
3. runs a full `dbt build` and splits dbt's own per-node timings by layer (the model's folder:
   staging, events, identity, features, consent, segments, quality, marts; seeds and
   data tests apart). dbt runs the profile's threads (two unless `MAILMART_DBT_THREADS` says
   otherwise); with two, nodes overlap, so layer sums exceed the wall time;
4. adds the held-back day (hard links), loads it and runs `dbt build` again: the incremental
   run, as a share of the full build; then once more with nothing new, the floor under any
   incremental run (what every run costs, whatever arrived);
5. clusters the warehouse's own identity graph with scipy and with our SQL macro
   (`bench_components.py` machinery) and checks both give the same partition.

It prints one table per size and the peak resident memory of the loader process and of the
dbt processes. Targets (issue 6): full build of 1M customers under 10 minutes, peak memory
under 8 GB, incremental run under a tenth of the full build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_components import compare, run_child, time_scipy, time_sql  # noqa: E402
from bench_load import native_read  # noqa: E402

from ingestion.framework import discover, load_source  # noqa: E402
from ingestion.sources import SOURCES  # noqa: E402

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LAYERS = ("staging", "events", "identity", "features", "consent", "segments", "quality")


def landing_for(customers: int, root: Path, seed: int) -> tuple[Path, float | None]:
    """The cached landing folder of `customers`, generated when missing (seconds or None)."""
    landing = root / f"landing_{customers}"
    if customers == 1_000_000 and not landing.exists() and (root / "landing_1m").exists():
        landing = root / "landing_1m"
    if customers == 100_000 and not landing.exists() and (root / "landing_100k").exists():
        landing = root / "landing_100k"
    if (landing / ".complete").exists() or (landing / "segment").exists():
        return landing, None
    from ingestion.generator import generate

    shutil.rmtree(landing, ignore_errors=True)
    started = time.perf_counter()
    generate(
        customers=customers,
        seed=seed,
        landing_dir=landing,
        truth_dir=root / f"truth_{customers}",
        days=90,
    )
    (landing / ".complete").write_text("ok")
    return landing, time.perf_counter() - started


def split_last_day(landing: Path, work: Path) -> tuple[Path, list[Path], str]:
    """Hard-link every landing file but the last day's into `work/landing`; return the rest."""
    files = [p for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")]
    dates = [m.group(0) for p in files for m in [DATE.search(str(p.relative_to(landing)))] if m]
    last_day = max(dates)
    target = work / "landing"
    shutil.rmtree(target, ignore_errors=True)
    held_back = []
    for path in files:
        relative = path.relative_to(landing)
        if last_day in str(relative):
            held_back.append(relative)
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target / relative)
    return target, held_back, last_day


def load_all(landing: Path, warehouse: Path, work: Path, native: bool) -> dict[str, float]:
    """Load every source; with `native`, also time DuckDB reading the same files."""
    ours = duckdb_seconds = 0.0
    records = 0
    for source in SOURCES.values():
        files = discover(source, landing)
        if not files:
            continue
        if native:
            duckdb_seconds += native_read(
                [f.path for f in files], source.kind, work / "native.duckdb"
            )
        started = time.perf_counter()
        result = load_source(source, landing, warehouse, log=lambda _: None)
        ours += time.perf_counter() - started
        records += result.rows_in
    return {"ours": ours, "duckdb": duckdb_seconds, "records": records}


def dbt_build(warehouse: Path, work: Path, name: str) -> dict[str, object]:
    """`dbt build` on the warehouse: wall seconds, peak memory and node seconds per layer.

    Every build of one warehouse shares a target directory, as a scheduled job's runs do, so
    a run after the first parses only what changed (dbt's partial parsing: 4 s instead of 8 s
    here); each run's results are copied to `dbt_<name>/`.
    """
    target = work / "dbt_target"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).parent / "dbt"
    # a production run: unit tests check the SQL's logic, not the data, and run in CI
    _, wall, peak = run_child([str(dbt), "build", "--exclude-resource-type", "unit_test"], env=env)
    kept = work / f"dbt_{name}"
    kept.mkdir(parents=True, exist_ok=True)
    for artifact in ("run_results.json", "manifest.json"):
        shutil.copy(target / artifact, kept / artifact)
    results = json.loads((target / "run_results.json").read_text())["results"]
    layers: dict[str, float] = defaultdict(float)
    for result in results:
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        if kind == "model":
            folder = next((layer for layer in LAYERS if f".{layer}." in unique_id), None)
            layer = folder or _model_layer(target, unique_id)
        else:
            layer = {"seed": "seeds", "test": "tests", "unit_test": "tests"}.get(kind, kind)
        layers[layer] += float(result.get("execution_time") or 0)
    return {"wall": wall, "peak_mb": peak, "layers": dict(layers)}


def _model_layer(target: Path, unique_id: str) -> str:
    """A model's layer from its folder in the manifest (`models/<layer>/...`)."""
    manifest = json.loads((target / "manifest.json").read_text())
    path = manifest["nodes"][unique_id]["original_file_path"]
    parts = Path(path).parts
    return parts[1] if len(parts) > 2 else "other"


def components(warehouse: Path, work: Path) -> dict[str, float]:
    """Cluster the warehouse's identity graph with scipy and with our macro; same partition?"""
    graph = work / "identity_graph.duckdb"
    graph.unlink(missing_ok=True)
    con = duckdb.connect(str(graph))
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    con.execute(
        """
        create table edges as
        select a.node_id as node_a, b.node_id as node_b
        from wh.identity.int_identity_links as links
        inner join wh.identity.int_identity_records as a on links.record_key_a = a.record_key
        inner join wh.identity.int_identity_records as b on links.record_key_b = b.record_key
        union all
        select node_id, node_id from wh.identity.int_identity_records
        """
    )
    edges = con.execute("select count(*) from edges").fetchall()[0][0]
    con.execute("detach wh")
    con.close()
    scipy = time_scipy(graph)
    ours = time_sql(graph, work, "")
    differences = compare(graph)
    return {
        "edges": edges,
        "scipy": scipy["seconds"],
        "ours": ours["seconds"],
        "same": all(v == 0 for k, v in differences.items() if k != "largest_component"),
    }


class _Rows(list):
    """Table rows, each printed as soon as it is measured (a later failure loses nothing)."""

    def append(self, row: tuple[str, str]) -> None:
        super().append(row)
        label, value = row
        print(f"  {label:<36}  {value}", flush=True)


def bench(customers: int, root: Path, work_root: Path, seed: int) -> list[tuple[str, str]]:
    work = work_root / f"pipeline_{customers}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = _Rows()
    landing, generated = landing_for(customers, root, seed)
    rows.append(
        ("generate", f"{generated:,.0f} s" if generated is not None else "cached (not timed)")
    )
    base, held_back, last_day = split_last_day(landing, work)
    warehouse = work / "warehouse.duckdb"

    load = load_all(base, warehouse, work, native=True)
    rows.append(
        (
            "load (all but the last day)",
            f"{load['ours']:,.1f} s for {load['records']:,} records; DuckDB's own reader "
            f"{load['duckdb']:,.1f} s; ratio {load['ours'] / load['duckdb']:.2f}",
        )
    )
    loader_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    full = dbt_build(warehouse, work, "full")
    rows.append(("dbt build, full (wall)", f"{full['wall']:,.1f} s"))
    for layer, seconds in sorted(full["layers"].items(), key=lambda kv: -kv[1]):
        rows.append((f"  {layer} (node seconds)", f"{seconds:,.1f} s"))

    for relative in held_back:
        (base / relative).parent.mkdir(parents=True, exist_ok=True)
        os.link(landing / relative, base / relative)
    day = load_all(base, warehouse, work, native=False)
    rows.append(
        (
            f"load of the last day ({last_day})",
            f"{day['ours']:,.1f} s for {day['records']:,} records "
            f"({day['records'] / max(load['records'], 1):.1%} of the rest)",
        )
    )
    incremental = dbt_build(warehouse, work, "incremental")
    rows.append(
        (
            "dbt build after the day (wall)",
            f"{incremental['wall']:,.1f} s ({incremental['wall'] / full['wall']:.0%} of full)",
        )
    )
    for layer, seconds in sorted(incremental["layers"].items(), key=lambda kv: -kv[1]):
        rows.append((f"  {layer} (node seconds)", f"{seconds:,.1f} s"))
    # the floor under any incremental run: what a build costs when nothing new arrived
    unchanged = dbt_build(warehouse, work, "unchanged")
    rows.append(
        (
            "dbt build with nothing new (wall)",
            f"{unchanged['wall']:,.1f} s ({unchanged['wall'] / full['wall']:.0%} of full)",
        )
    )

    clustering = components(warehouse, work)
    rows.append(
        (
            "identity clustering",
            f"{clustering['edges']:,} edges: ours {clustering['ours']:.2f} s, scipy "
            f"{clustering['scipy']:.2f} s, ratio {clustering['ours'] / clustering['scipy']:.2f}, "
            f"same partition: {'yes' if clustering['same'] else 'NO'}",
        )
    )
    rows.append(
        (
            "peak memory",
            f"loader {loader_peak:,.0f} MB, dbt full build {full['peak_mb']:,.0f} MB, dbt"
            f" incremental {incremental['peak_mb']:,.0f} MB",
        )
    )
    rows.append(("warehouse size", f"{warehouse.stat().st_size / 1e9:,.2f} GB"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", default="100000", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--landing-root",
        default=str(ROOT / "bench" / "results"),
        help="where landing_<N> folders are cached (bench_load.py's layout)",
    )
    parser.add_argument("--work-dir", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    root, work = Path(args.landing_root), Path(args.work_dir)
    root.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.customers.split(",")):
        print(f"\n{size:,} customers", flush=True)
        bench(size, root, work, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
