"""Connected components benchmark: our SQL clustering (dbt) vs scipy on the same identity graph.

Usage:
    python bench/bench_components.py                      # 1M and 5M links
    python bench/bench_components.py --sizes 1m,5m,20m    # 20M is opt-in (about 1 minute each)
    python bench/bench_components.py --repeat 3           # median of 3 side-by-side runs
    python bench/bench_components.py --variants --repeat 3   # + design alternatives, no dbt

For each size it builds (once, cached under --work-dir) a synthetic identity graph in a DuckDB
file: persons with 1-6 identifiers linked as a star, ~10% duplicate link rows (half of them
reversed), households sharing an identifier, hub identifiers (test@..., 000..., a shared kiosk
device), cookie-rotation chains up to 1,000 long, and a self-edge for every person with a
single identifier. Node ids are random 64-bit hashes (signed BIGINT, like identity_node_id).

Then, side by side, it times:

- scipy end to end, in a child process: fetch the edges from DuckDB into numpy, factorise the
  ids (np.unique), build a sparse matrix, scipy.sparse.csgraph.connected_components, take the
  smallest node id per component and write node -> component back into a DuckDB table;
- our SQL: `dbt run-operation connected_components_into` on the same file, timed by the macro
  itself (it logs `seconds=` for its statements, so dbt's fixed startup is not counted; the
  whole dbt process is reported separately as `dbt wall`).

and checks that both give the same partition (every scipy component maps to exactly one of
ours and vice versa, over the same node set, with the same smallest-id labels). It prints
times, the ratio ours/scipy, our rounds and the peak resident memory of each process. The
target (identity-resolution issue) is a ratio within 1.3 at 20M links.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1m": 1_000_000, "5m": 5_000_000, "20m": 20_000_000}
# Link rows one person produces on average with the generator below; sizes persons.
LINKS_PER_PERSON = 4.0


def node_sql(seed: int, person: str, slot: str) -> str:
    """A random signed 64-bit node id for identifier `slot` of `person` (SQL expressions)."""
    return f"(hash({seed}, {person}, {slot})::hugeint - 9223372036854775808)::bigint"


def graph_sql(links: int, seed: int) -> str:
    """SQL selecting the edges (node_a, node_b) of a synthetic identity graph of ~`links` rows."""
    persons = int(links / LINKS_PER_PERSON)

    def pick(salt: int) -> str:
        """A pseudo-random UBIGINT per person `p`, one stream per salt."""
        return f"hash({seed}, p, {salt})"

    first = node_sql(seed, "p", "0")
    slot_j = node_sql(seed, "p", "j")
    slot_1 = node_sql(seed, "p", "1")
    slot_2 = node_sql(seed, "p", "2")
    last = node_sql(seed, "p", "identifiers - 1")
    neighbour = node_sql(seed, f"{pick(3)} % {persons}", "0")
    hub = node_sql(seed, f"-1 - ({pick(5)} % 3)::bigint", "0")
    second_hub = node_sql(seed, f"-1 - (({pick(5)} + 1) % 3)::bigint", "0")
    cookie_previous = node_sql(seed, "p", "case when i = 0 then 0 else 99 + i end")
    cookie = node_sql(seed, "p", "100 + i")
    return f"""
    with

    persons as (
        select p, 1 + {pick(1)} % 6 as identifiers
        from range({persons}) as t (p)
    ),

    links as (
        -- each person's identifiers, linked to the first (a login, a form fill)
        select {first} as node_a, {slot_j} as node_b
        from persons, range(1, 6) as r (j)
        where j < identifiers
        union all
        -- a person with one identifier only is a node with no links
        select {first}, {first}
        from persons
        where identifiers = 1
        union all
        -- some identifiers seen together directly as well (email + phone on an order)
        select {slot_1}, {slot_2}
        from persons
        where identifiers >= 3 and {pick(8)} % 3 = 0
        union all
        -- households: one identifier shared with another person
        select {last}, {neighbour}
        from persons
        where {pick(2)} % 20 = 0
        union all
        -- hub identifiers (test@example.com, 00000000000, a shop's kiosk device); a few
        -- persons reach two of them, so the hubs form one large component
        select {first}, {hub}
        from persons
        where {pick(4)} % 500 = 0
        union all
        select {first}, {second_hub}
        from persons
        where {pick(4)} % 5000 = 0
        union all
        -- cookie rotation: a chain of cookies, lengths log-uniform up to 1,000
        select {cookie_previous}, {cookie}
        from (
            select
                p,
                case
                    when p = 17 then 1000
                    else least(1000, floor(exp(ln(1000) * ({pick(7)} % 1000000) / 1e6)))
                end::bigint as chain_length
            from persons
            where {pick(6)} % 200 = 0 or p = 17
        ) as chains, range(0, chain_length) as r (i)
    )

    select node_a, node_b from links
    union all
    -- duplicate link rows, half of them reversed
    select
        case when hash(node_a, node_b) % 20 = 0 then node_b else node_a end,
        case when hash(node_a, node_b) % 20 = 0 then node_a else node_b end
    from links
    where hash(node_a, node_b) % 10 = 0
    """


def build_graph(path: Path, links: int, seed: int) -> dict[str, int]:
    """Write the graph into table `edges` of a DuckDB file (once); return its shape."""
    done = path.with_suffix(".complete")
    if not done.exists():
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        con = duckdb.connect(str(path))
        con.execute(f"create table edges as {graph_sql(links, seed)}")
        con.close()
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
        done.write_text("ok")
    con = duckdb.connect(str(path), read_only=True)
    rows, self_edges = con.execute(
        "select count(*), count(*) filter (where node_a = node_b) from edges"
    ).fetchone()
    con.close()
    return {"links": rows, "self_edges": self_edges}


def scipy_components(database: str) -> dict[str, float]:
    """Child-process body: scipy end to end; returns seconds per step and peak memory."""
    import resource

    import numpy as np
    import pyarrow as pa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    con = duckdb.connect(database)
    started = time.perf_counter()
    columns = con.execute("select node_a, node_b from edges").fetchnumpy()
    node_a = np.asarray(columns["node_a"])
    node_b = np.asarray(columns["node_b"])
    fetched = time.perf_counter()
    # (Arrow's hash-based dictionary_encode took as long in a fresh process, with twice the
    # memory)
    nodes, index = np.unique(np.concatenate([node_a, node_b]), return_inverse=True)
    links = len(node_a)
    factorised = time.perf_counter()
    graph = coo_matrix(
        (np.ones(links, dtype=np.int8), (index[:links], index[links:])),
        shape=(len(nodes), len(nodes)),
    ).tocsr()
    count, labels = connected_components(graph, directed=False)
    kernel = time.perf_counter()
    smallest = np.full(count, np.iinfo(nodes.dtype).max, dtype=nodes.dtype)
    np.minimum.at(smallest, labels, nodes)
    con.register("scipy_result", pa.table({"node": nodes, "component": smallest[labels]}))
    con.execute("create or replace table scipy_components as select * from scipy_result")
    written = time.perf_counter()
    con.close()
    return {
        "fetch": fetched - started,
        "factorise": factorised - fetched,
        "kernel": kernel - factorised,
        "write": written - kernel,
        "seconds": written - started,
        "components": int(count),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a process; return its stdout, wall seconds and peak resident memory (MB).

    Linux carries a process's peak memory across `fork` and `exec`: a child of a benchmark
    that has just loaded gigabytes in-process would report the parent's size as its own.
    The command is therefore started by GNU time (a small process), which reports the peak
    of the command alone; without GNU time, the figure is an upper bound.
    """
    started = time.perf_counter()
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss_file:
        prefix = [str(gnu_time), "-f", "%M", "-o", rss_file.name] if gnu_time.exists() else []
        process = subprocess.Popen(
            [*prefix, *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{output}")
        reported = Path(rss_file.name).read_text().strip().splitlines() if prefix else []
        peak_kb = int(reported[-1]) if reported and reported[-1].isdigit() else usage.ru_maxrss
    return output, wall, peak_kb / 1024


def time_scipy(database: Path) -> dict[str, float]:
    output, _, peak = run_child([sys.executable, __file__, "--scipy-child", str(database)])
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = peak
    return result


def time_sql(database: Path, work: Path, macro_args: str) -> dict[str, float]:
    dbt = Path(sys.executable).parent / "dbt"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(database),
        "DBT_TARGET_PATH": str(work / "dbt_target"),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = "{edges_table: main.edges, output_table: main.sql_components"
    if macro_args.strip("{} "):
        args += ", " + macro_args.strip().strip("{}")
    args += "}"
    output, wall, peak = run_child(
        [str(dbt), "run-operation", "connected_components_into", "--args", args], env=env
    )
    match = re.search(r"rounds=(\d+) edges_per_round=([\d,]+) seconds=([\d.]+)", output)
    if not match:
        raise RuntimeError(f"no timing line in dbt output:\n{output}")
    return {
        "seconds": float(match.group(3)),
        "rounds": int(match.group(1)),
        "edges_per_round": match.group(2),
        "wall": wall,
        "peak_mb": peak,
    }


def compare(database: Path) -> dict[str, int]:
    """Differences between the two results: all zero when they are the same partition."""
    con = duckdb.connect(str(database), read_only=True)
    row = con.execute(
        """
        with

        joined as (
            select s.node, s.component as scipy_component, o.component as sql_component
            from scipy_components as s
            full join sql_components as o
                on s.node = o.node
        ),

        scipy_side as (
            select scipy_component
            from joined
            group by scipy_component
            having count(distinct sql_component) <> 1
        ),

        sql_side as (
            select sql_component
            from joined
            group by sql_component
            having count(distinct scipy_component) <> 1
        )

        select
            (select count(*) from joined
                where scipy_component is null or sql_component is null) as unmatched_nodes,
            (select count(*) from scipy_side) as scipy_components_split,
            (select count(*) from sql_side) as sql_components_split,
            (select count(*) from joined
                where scipy_component <> sql_component) as different_labels,
            (select max(n) from (select count(*) as n from sql_components group by component))
                as largest_component
        """
    ).fetchone()
    con.close()
    names = [
        "unmatched_nodes",
        "scipy_components_split",
        "sql_components_split",
        "different_labels",
        "largest_component",
    ]
    return dict(zip(names, row, strict=True))


# Design alternatives, timed straight in DuckDB (no dbt) on a copy of the graph. "final" runs
# the statements of macros/identity/build_connected_components.sql; each other variant changes
# one thing. Used for the "tried and rejected" figures in docs/identity-clustering.md.
VARIANTS: dict[str, dict[str, bool]] = {
    "final": {},
    "complete round-1 map": {"complete_map": True},
    "no pointer jump in round 1": {"no_first_jump": True},
    "distinct in round 1": {"first_distinct": True},
    "hook by larger end only": {"larger_end_hook": True},
    "jump to roots every round": {"always_thorough": True},
    "preserve_insertion_order off": {"unordered": True},
}

SOURCE = (
    "(select coalesce(node_a, node_b) as node_a, coalesce(node_b, node_a) as node_b"
    " from edges where node_a is not null or node_b is not null)"
)


def contract_sql(edges: str, node_map: str, distinct: bool, complete: bool = False) -> str:
    join = "join" if complete else "left join"
    label_a = "map_a.label" if complete else "coalesce(map_a.label, e.node_a)"
    label_b = "map_b.label" if complete else "coalesce(map_b.label, e.node_b)"
    return f"""
        select {"distinct" if distinct else ""}
            least(label_a, label_b) as node_a, greatest(label_a, label_b) as node_b
        from (
            select {label_a} as label_a, {label_b} as label_b
            from {edges} as e
            {join} {node_map} as map_a on e.node_a = map_a.node
            {join} {node_map} as map_b on e.node_b = map_b.node
        ) as relabelled
        where label_a <> label_b"""


def run_variant(
    con: duckdb.DuckDBPyConnection, options: dict[str, bool]
) -> tuple[float, float, int]:
    """One clustering run into table `variant_components`: wall and CPU seconds, rounds."""

    def create(name: str, sql: str) -> int:
        return con.execute(f"create or replace temp table {name} as {sql}").fetchone()[0]

    con.execute(f"set preserve_insertion_order = {not options.get('unordered')}")
    started = time.perf_counter()
    started_cpu = time.process_time()
    complete = bool(options.get("complete_map"))
    if options.get("larger_end_hook"):
        create(
            "map_1",
            f"select greatest(node_a, node_b) as node, min(least(node_a, node_b)) as label"
            f" from {SOURCE} as e where node_a <> node_b group by greatest(node_a, node_b)",
        )
        if not options.get("no_first_jump"):
            create(
                "map_1j",
                "select h.node, coalesce(p.label, h.label) as label"
                " from map_1 as h left join map_1 as p on h.label = p.node",
            )
            con.execute("drop table map_1; alter table map_1j rename to map_1")
    else:
        create(
            "hooked_1",
            f"""select node, min(candidate) as label from (
                select node_a as node, least(node_a, node_b) as candidate from {SOURCE} as e
                union all
                select node_b as node, least(node_a, node_b) as candidate from {SOURCE} as e
            ) as incident group by node""",
        )
        if complete:
            create(
                "map_1",
                "select h.node, p.label from hooked_1 as h join hooked_1 as p on h.label = p.node"
                if not options.get("no_first_jump")
                else "select * from hooked_1",
            )
        else:
            parent = "(select node, label from hooked_1 where label <> node)"
            create(
                "map_1",
                "select h.node, h.label from hooked_1 as h where h.label <> h.node"
                if options.get("no_first_jump")
                else f"select h.node, coalesce(p.label, h.label) as label from hooked_1 as h"
                f" left join {parent} as p on h.label = p.node where h.label <> h.node",
            )
    rows = [
        create(
            "edges_2", contract_sql(SOURCE, "map_1", bool(options.get("first_distinct")), complete)
        )
    ]
    maps = ["map_1"]
    thorough = bool(options.get("always_thorough"))
    while rows[-1] > 0:
        r = len(maps) + 1
        create(
            f"map_{r}",
            f"""with hooked as (
                select node_b as node, min(node_a) as label from edges_{r} group by node_b
            )
            select hooked.node, coalesce(parent.label, hooked.label) as label
            from hooked left join hooked as parent on hooked.label = parent.node""",
        )
        current = f"map_{r}"
        while (
            thorough
            and con.execute(
                f"select count(*) from {current} as h join {current} as p on h.label = p.node"
            ).fetchone()[0]
        ):
            create(
                f"{current}j",
                f"select h.node, coalesce(p.label, h.label) as label"
                f" from {current} as h left join {current} as p on h.label = p.node",
            )
            current += "j"
        maps.append(current)
        rows.append(create(f"edges_{r + 1}", contract_sql(f"edges_{r}", current, True)))
        thorough = thorough or rows[-1] * 2 > rows[-2]
    resolved = maps[-1]
    for index in range(len(maps) - 2, 0, -1):
        create(
            f"resolved_{index + 1}",
            f"""select h.node, coalesce(l.label, h.label) as label
            from {maps[index]} as h left join {resolved} as l on h.label = l.node
            union all
            select l.node, l.label from {resolved} as l
            left join {maps[index]} as h on l.node = h.node where h.node is null""",
        )
        resolved = f"resolved_{index + 1}"
    later = f"left join {resolved} as l on m.label = l.node" if len(maps) > 1 else ""
    moved = f"select m.node, {'coalesce(l.label, m.label)' if later else 'm.label'} as component"
    moved += f" from map_1 as m {later}"
    if complete:
        output = moved
    elif options.get("larger_end_hook"):
        roots = f"""select distinct least(node_a, node_b) as node from {SOURCE} as e"""
        output = f"""{moved} union all
            select r.node, {"coalesce(l.label, r.node)" if later else "r.node"}
            from ({roots}) as r left join map_1 as m on r.node = m.node
            {later.replace("m.label", "r.node")} where m.node is null"""
    else:
        output = f"""{moved} union all
            select r.node, {"coalesce(l.label, r.node)" if later else "r.node"}
            from hooked_1 as r {later.replace("m.label", "r.node")} where r.label = r.node"""
    con.execute(f"create or replace table variant_components as {output}")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu
    for (table,) in con.execute(
        "select table_name from duckdb_tables() where temporary"
    ).fetchall():
        con.execute(f"drop table temp.main.{table}")
    return seconds, cpu_seconds, len(maps)


def time_variants(database: Path, repeat: int) -> None:
    """Medians of each design alternative, interleaved; each checked against scipy's result.

    CPU seconds (both DuckDB threads) are steadier than wall time when other processes share
    the machine.
    """
    con = duckdb.connect(str(database))
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    rounds: dict[str, int] = {}
    for _ in range(repeat):
        for name, options in VARIANTS.items():
            seconds, cpu_seconds, rounds[name] = run_variant(con, options)
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
            wrong = con.execute(
                """select count(*) from variant_components as v
                full join scipy_components as s on v.node = s.node
                where v.component is distinct from s.component"""
            ).fetchone()[0]
            if wrong:
                raise RuntimeError(f"variant {name!r}: {wrong} nodes differ from scipy")
    con.execute("drop table variant_components")
    con.close()
    final = statistics.median(times["final"])
    final_cpu = statistics.median(cpu["final"])
    print(f"\n{database.name}: design alternatives, median of {repeat}, straight in DuckDB")
    print(f"{'variant':<30} {'wall s':>7} {'ratio':>6} {'cpu s':>7} {'ratio':>6} {'rounds':>6}")
    for name, runs in times.items():
        wall, used = statistics.median(runs), statistics.median(cpu[name])
        print(
            f"{name:<30} {wall:>7.2f} {wall / final:>6.2f} {used:>7.2f} {used / final_cpu:>6.2f} "
            f"{rounds[name]:>6}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1m,5m", help="comma-separated: 1m, 5m, 20m")
    parser.add_argument("--repeat", type=int, default=1, help="side-by-side runs; medians")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", default=str(ROOT / "bench" / "results" / "components"))
    parser.add_argument("--macro-args", default="", help="extra YAML args for the macro")
    parser.add_argument(
        "--variants", action="store_true", help="also time the design alternatives (no dbt)"
    )
    parser.add_argument("--scipy-child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scipy_child:
        print(json.dumps(scipy_components(args.scipy_child)))
        return 0

    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    failed = False
    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        database = work / f"graph_{size}.duckdb"
        shape = build_graph(database, SIZES[size], args.seed)
        scipy_runs, sql_runs = [], []
        for _ in range(args.repeat):
            scipy_runs.append(time_scipy(database))
            sql_runs.append(time_sql(database, work, args.macro_args))
        check = compare(database)
        ok = all(check[k] == 0 for k in check if k != "largest_component")
        failed = failed or not ok
        scipy_s = statistics.median(r["seconds"] for r in scipy_runs)
        sql_s = statistics.median(r["seconds"] for r in sql_runs)
        rows.append(
            {
                "size": size,
                "links": shape["links"],
                "components": scipy_runs[-1]["components"],
                "largest": check["largest_component"],
                "scipy_s": scipy_s,
                "kernel_s": statistics.median(r["kernel"] for r in scipy_runs),
                "sql_s": sql_s,
                "ratio": sql_s / scipy_s,
                "rounds": sql_runs[-1]["rounds"],
                "dbt_wall_s": statistics.median(r["wall"] for r in sql_runs),
                "scipy_peak_mb": max(r["peak_mb"] for r in scipy_runs),
                "sql_peak_mb": max(r["peak_mb"] for r in sql_runs),
                "same_partition": ok,
            }
        )
        print(
            f"{size}: scipy {[round(r['seconds'], 2) for r in scipy_runs]} "
            f"(last: fetch {scipy_runs[-1]['fetch']:.2f}, factorise "
            f"{scipy_runs[-1]['factorise']:.2f}, kernel {scipy_runs[-1]['kernel']:.2f}, write "
            f"{scipy_runs[-1]['write']:.2f}); sql {[round(r['seconds'], 2) for r in sql_runs]} "
            f"edges per round {sql_runs[-1]['edges_per_round']}; check {check}",
            flush=True,
        )
        if args.variants:
            time_variants(database, args.repeat)

    header = (
        f"{'size':>5} {'links':>11} {'components':>11} {'largest':>8} {'scipy s':>8} "
        f"{'(kernel)':>8} "
        f"{'ours s':>7} {'ratio':>6} {'rounds':>6} {'dbt wall s':>10} {'scipy MB':>9} "
        f"{'ours MB':>8} {'same':>5}"
    )
    print()
    print(header)
    for r in rows:
        print(
            f"{r['size']:>5} {r['links']:>11,} {r['components']:>11,} {r['largest']:>8,} "
            f"{r['scipy_s']:>8.2f} {r['kernel_s']:>8.2f} {r['sql_s']:>7.2f} {r['ratio']:>6.2f} "
            f"{r['rounds']:>6} "
            f"{r['dbt_wall_s']:>10.2f} {r['scipy_peak_mb']:>9,.0f} {r['sql_peak_mb']:>8,.0f} "
            f"{'yes' if r['same_partition'] else 'NO':>5}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
