"""Connected components in SQL (macros/identity/): exact partitions, smallest-id labels.

One edges table holds every shape at once (they are disjoint), so one dbt invocation checks
them all; the expected partition comes from a plain union-find here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import run_dbt

from ingestion.settings import PROJECT_ROOT

Edge = tuple[int | None, int | None]

# The files of the clustering core (a throwaway project below loads just these).
CLUSTERING_MACROS = [
    "build_connected_components.sql",
    "connected_components_into.sql",
    "identity_node_id.sql",
    "identity_scratch_tables.sql",
    "materialization_connected_components.sql",
]


def node_id(key: str) -> int:
    """A signed 64-bit hash, like identity_node_id: ids in random order."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def chain(keys: list[int]) -> list[Edge]:
    return [(a, b) for a, b in zip(keys, keys[1:], strict=False)]


def build_graph() -> tuple[list[Edge], dict[str, list[int]]]:
    """Edges with known components, and a few named components to assert on directly."""
    edges: list[Edge] = []
    named: dict[str, list[int]] = {}

    # a chain of 2,000 cookies with sequential-looking keys, hashed
    cookies = [node_id(f"cookie:{i}") for i in range(2000)]
    edges += chain(cookies)
    named["hashed_chain"] = cookies

    # a chain whose ids increase along it: the worst order for hooking to the smallest
    # neighbour (one step per round without pointer jumping)
    ascending = list(range(1, 5001))
    edges += chain(ascending)
    named["ascending_chain"] = ascending

    # a star: one shared device seen with 500 cookies, listed both ways round
    device = node_id("device:kiosk")
    leaves = [node_id(f"star:{i}") for i in range(500)]
    edges += [(device, leaf) if i % 2 else (leaf, device) for i, leaf in enumerate(leaves)]
    named["star"] = [device, *leaves]

    # singletons: self-edges (a record with no link), repeated, and rows with a null end
    lonely = [node_id(f"lonely:{i}") for i in range(50)]
    edges += [(n, n) for n in lonely] + [(lonely[0], lonely[0])]
    edges += [(node_id("null:a"), None), (None, node_id("null:b")), (None, None)]

    # duplicate and reversed links of a small person graph
    email, phone, customer = node_id("email:a"), node_id("phone:a"), node_id("customer:a")
    edges += [(email, phone), (phone, email), (email, phone), (customer, email)] * 3
    named["person"] = [email, phone, customer]

    # two persons who meet only through a long path (1,500 hops) between two stars
    left = [node_id(f"left:{i}") for i in range(20)]
    right = [node_id(f"right:{i}") for i in range(20)]
    path = [node_id(f"path:{i}") for i in range(1500)]
    edges += [(left[0], n) for n in left[1:]] + [(right[0], n) for n in right[1:]]
    edges += chain([left[-1], *path, right[-1]])
    named["bridged"] = left + path + right

    # many small components of random shapes
    for person in range(300):
        ids = [node_id(f"p{person}:{k}") for k in range(1 + person % 6)]
        edges += [(ids[0], other) for other in ids[1:]] or [(ids[0], ids[0])]
    return edges, named


def expected_components(edges: list[Edge]) -> dict[int, int]:
    """node -> smallest node id of its component, by union-find."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a is None and b is None:
            continue
        a, b = (b, b) if a is None else (a, a) if b is None else (a, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)
    return {node: min(members) for members in groups.values() for node in members}


def write_edges(warehouse: Path, edges: list[Edge], node_type: str = "bigint") -> None:
    table = pa.table(
        {
            "node_a": pa.array([a for a, _ in edges], pa.int64()),
            "node_b": pa.array([b for _, b in edges], pa.int64()),
        }
    )
    con = duckdb.connect(str(warehouse))
    con.register("test_edges", table)
    if node_type == "ubigint":
        # DuckDB's own hash() type: the same graph, ids shifted into the unsigned range
        con.execute(
            """
            create or replace table edges as
            select
                (node_a::hugeint + 9223372036854775808)::ubigint as node_a,
                (node_b::hugeint + 9223372036854775808)::ubigint as node_b
            from test_edges
            """
        )
    else:
        con.execute("create or replace table edges as select * from test_edges")
    con.close()


def read_components(warehouse: Path, table: str = "components") -> dict[int, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(f"select node, component from {table}").fetchall()
    finally:
        con.close()
    return dict(rows)


@pytest.fixture(scope="module")
def graph() -> tuple[list[Edge], dict[str, list[int]]]:
    return build_graph()


@pytest.fixture(scope="module")
def dbt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared dbt target and log folders, so later invocations parse partially."""
    return tmp_path_factory.mktemp("dbt")


def test_partition_is_exact(graph, dbt_dir: Path, tmp_path: Path) -> None:
    edges, named = graph
    warehouse = tmp_path / "warehouse.duckdb"
    write_edges(warehouse, edges)

    result = run_dbt(
        [
            "run-operation",
            "connected_components_into",
            "--args",
            "{edges_table: main.edges, output_table: main.components}",
        ],
        warehouse,
        dbt_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "connected_components" in result.stdout and "rounds=" in result.stdout

    got = read_components(warehouse)
    expected = expected_components(edges)
    assert len(got) == len(expected)
    assert got == expected
    for members in named.values():
        assert {got[n] for n in members} == {min(members)}
    assert got[node_id("null:a")] == node_id("null:a")
    assert got[node_id("lonely:7")] == node_id("lonely:7")

    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"edges", "components"}


def test_unsigned_ids(graph, dbt_dir: Path, tmp_path: Path) -> None:
    """UBIGINT ids (DuckDB's hash()) work the same and keep their type."""
    edges, _ = graph
    warehouse = tmp_path / "warehouse.duckdb"
    write_edges(warehouse, edges, node_type="ubigint")

    result = run_dbt(
        [
            "run-operation",
            "connected_components_into",
            "--args",
            "{edges_table: edges, output_table: components}",
        ],
        warehouse,
        dbt_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    shift = 9223372036854775808
    expected = {n + shift: c + shift for n, c in expected_components(edges).items()}
    assert read_components(warehouse) == expected
    con = duckdb.connect(str(warehouse), read_only=True)
    types = con.execute("select distinct typeof(node), typeof(component) from components")
    assert types.fetchall() == [("UBIGINT", "UBIGINT")]
    con.close()


def test_round_cap_raises(graph, dbt_dir: Path, tmp_path: Path) -> None:
    """The 2,000-node hashed chain needs more than two rounds: a low cap fails loudly."""
    edges, named = graph
    warehouse = tmp_path / "warehouse.duckdb"
    write_edges(warehouse, chain(named["hashed_chain"]))

    result = run_dbt(
        [
            "run-operation",
            "connected_components_into",
            "--args",
            "{edges_table: edges, output_table: components, max_rounds: 2}",
        ],
        warehouse,
        dbt_dir,
    )
    assert result.returncode != 0
    assert "did not converge in 2 rounds" in result.stdout + result.stderr


def test_materialization(tmp_path: Path) -> None:
    """A model materialized as connected_components, built twice, read by a downstream model."""
    project = tmp_path / "project"
    (project / "macros" / "identity").mkdir(parents=True)
    (project / "models").mkdir()
    for name in CLUSTERING_MACROS:
        shutil.copy(PROJECT_ROOT / "macros" / "identity" / name, project / "macros" / "identity")
    shutil.copy(PROJECT_ROOT / "profiles.yml", project)
    # named mailmart: the macros dispatch in the mailmart namespace
    (project / "dbt_project.yml").write_text(
        'name: mailmart\nversion: "0.1.0"\nconfig-version: 2\nprofile: mailmart\n'
    )
    (project / "models" / "clusters.sql").write_text(
        """
{{ config(materialized='connected_components') }}

with

links as (
    select * from (values
        ('email:a@example.com', 'phone:441234'),
        ('phone:441234', 'cookie:c1'),
        ('cookie:c1', 'cookie:c2'),
        ('email:b@example.com', 'email:b@example.com'),
        ('email:c@example.com', null)
    ) as t (key_a, key_b)
)

select
    {{ identity_node_id('key_a') }} as node_a,
    {{ identity_node_id('key_b') }} as node_b
from links
"""
    )
    (project / "models" / "cluster_sizes.sql").write_text(
        "select component, count(*) as nodes from {{ ref('clusters') }} group by component\n"
    )
    warehouse = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(os.environ.get("VIRTUAL_ENV", PROJECT_ROOT / ".venv")) / "bin" / "dbt"
    for _ in range(2):
        result = subprocess.run(
            [str(dbt), "run", "--profiles-dir", str(project)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    con = duckdb.connect(str(warehouse), read_only=True)
    hashed = dict(
        con.execute(
            """
            select key, (hash(key)::hugeint - 9223372036854775808)::bigint
            from (values ('email:a@example.com'), ('phone:441234'), ('cookie:c1'),
                ('cookie:c2'), ('email:b@example.com'), ('email:c@example.com')) as t (key)
            """
        ).fetchall()
    )
    got = dict(con.execute("select node, component from clusters").fetchall())
    sizes = sorted(row[0] for row in con.execute("select nodes from cluster_sizes").fetchall())
    tables = con.execute("select table_name from information_schema.tables order by 1").fetchall()
    con.close()

    person = [hashed[k] for k in ("email:a@example.com", "phone:441234", "cookie:c1", "cookie:c2")]
    assert got == {
        **{n: min(person) for n in person},
        hashed["email:b@example.com"]: hashed["email:b@example.com"],
        hashed["email:c@example.com"]: hashed["email:c@example.com"],
    }
    assert sizes == [1, 1, 4]
    # no scratch, intermediate or backup relation left behind
    assert tables == [("cluster_sizes",), ("clusters",)]
