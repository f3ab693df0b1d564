"""The same project on Apache Spark: load the lake, `dbt build --target spark`, same marts.

The session's DuckDB build (fixture ``built``: 500 generated customers) is the reference. Its
landing files are loaded a second time with ``--destination lake`` (Parquet files written by
dlt's filesystem destination), the project is built on local Spark (dbt-spark, session
method), and every mart Spark wrote is read back from its Parquet files and compared with
DuckDB's, row for row (``except``, both ways). Columns that describe the run rather than the
data (invocation ids, when a row was recorded), earlier runs in the history marts and the
checks that measure the run (freshness against the load time, change since the previous run)
are left out; floats are compared to 1e-6 (Spark's decimal arithmetic rounds some sums in the
last digits).

Skipped without Java (the README's commands run on a machine that has it, as CI's does).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT

from ingestion.framework import load_source
from ingestion.sources import SOURCES

# Run metadata: differs between any two builds, on one engine or two.
RUN_COLUMNS = {
    "invocation_id",
    "entered_invocation_id",
    "measured_at",
    "changed_at",
    "recorded_at",
    "entered_recorded_at",
    "exited_recorded_at",
}
# Rows compared: the history marts keep a row set per run, and other tests may build the
# DuckDB warehouse again, so only the last run's; not the checks that measure the run: the
# freshness against the load time (the lake is loaded after the warehouse) and the change
# since the previous run (the DuckDB warehouse may have one, Spark's has none).
LAST_RUN = "measured_at = (select max(measured_at) from {relation})"
RUN_ROWS = {
    "data_quality_checks": (
        f"check_name not in ('hours_before_load', 'customers_change_share') and {LAST_RUN}"
    ),
    "identity_kpis": LAST_RUN,
}
FLOAT_DECIMALS = 6
# JSON text columns, compared as parsed JSON by the mart's key: the engines print a double's
# last digit differently (Java's shortest form is not always DuckDB's), so numbers in them are
# compared to a relative 1e-9.
JSON_COLUMNS = {"segment_memberships": ("rule_values", ("customer_id", "segment_name"))}

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")


@pytest.fixture(scope="module")
def spark_built(built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """Load the fixture's landing files into a lake and build on Spark once for the module.

    Returns the DuckDB warehouse, Spark's table folder and the build's wall time in seconds.
    """
    landing, warehouse, _ = built
    root = tmp_path_factory.mktemp("spark")
    lake = root / "lake"
    for source in SOURCES.values():
        load_source(source, landing, warehouse, log=lambda _: None, lake=lake)
    spark_dir = root / "spark"
    env = {
        **os.environ,
        "DBT_TARGET": "spark",
        "LAKE_DIR": str(lake),
        "MAILMART_SPARK_DIR": str(spark_dir),
        "DBT_TARGET_PATH": str(root / "dbt_target"),
        "DBT_LOG_PATH": str(root / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(os.environ.get("VIRTUAL_ENV", PROJECT_ROOT / ".venv")) / "bin" / "dbt"
    started = time.perf_counter()
    result = subprocess.run(
        [str(dbt), "build"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
    assert result.returncode == 0, "\n".join(summary[-40:]) or result.stdout[-4000:]
    return warehouse, spark_dir / "warehouse", seconds


def _marts(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _comparable(con: duckdb.DuckDBPyConnection, relation: str, mart: str) -> str:
    """A select of ``relation`` without run columns, floats rounded, in a fixed column order."""
    where = f" where {RUN_ROWS[mart].format(relation=relation)}" if mart in RUN_ROWS else ""
    columns = con.execute(f"describe select * from {relation}").fetchall()
    parts = []
    json_column = JSON_COLUMNS.get(mart, (None,))[0]
    for name, data_type, *_ in sorted(columns):
        if name in RUN_COLUMNS or name == json_column:
            continue
        if data_type in ("DOUBLE", "FLOAT"):
            parts.append(f'round("{name}", {FLOAT_DECIMALS}) as "{name}"')
        else:
            parts.append(f'"{name}"')
    return f"select {', '.join(parts)} from {relation}{where}"


def _same_json(left: object, right: object) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_json(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same_json, left, right))
    if isinstance(left, float | int) and isinstance(right, float | int):
        return not isinstance(left, bool) and math.isclose(left, right, rel_tol=1e-9)
    return left == right


def _json_differences(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    column, key = JSON_COLUMNS[mart]
    keys = ", ".join(key)
    values = {}
    for side, relation in (("duck", f"duck.marts.{mart}"), ("spark", f"spark_{mart}")):
        rows = con.execute(f"select {keys}, {column} from {relation}").fetchall()
        values[side] = {row[:-1]: row[-1] for row in rows}
    assert values["duck"].keys() == values["spark"].keys(), mart
    return sum(
        not _same_json(json.loads(text), json.loads(values["spark"][k] or "null"))
        if text is not None
        else values["spark"][k] is not None
        for k, text in values["duck"].items()
    )


def test_every_mart_is_the_same_on_spark(spark_built) -> None:
    warehouse, spark_tables, seconds = spark_built
    print(f"dbt build --target spark: {seconds:.0f} s")
    marts = _marts(warehouse)
    assert "customers" in marts and "email_audiences" in marts
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as duck (read_only)")
    differences = {}
    for mart in marts:
        folder = spark_tables / "marts.db" / mart
        assert folder.is_dir(), f"Spark did not write marts.{mart}"
        con.execute(
            f"create or replace view spark_{mart} as "
            f"select * from read_parquet('{folder.as_posix()}/*.parquet')"
        )
        duck_sql = _comparable(con, f"duck.marts.{mart}", mart)
        spark_sql = _comparable(con, f"spark_{mart}", mart)
        duck_columns = [c[0] for c in con.execute(f"describe {duck_sql}").fetchall()]
        spark_columns = [c[0] for c in con.execute(f"describe {spark_sql}").fetchall()]
        assert duck_columns == spark_columns, mart
        rows = con.execute(f"select count(*) from duck.marts.{mart}").fetchone()[0]
        counts = tuple(
            con.execute(f"select count(*) from ({first} except all {second})").fetchone()[0]
            for first, second in ((duck_sql, spark_sql), (spark_sql, duck_sql))
        )
        if counts != (0, 0):
            differences[mart] = (rows, *counts)
        if mart in JSON_COLUMNS and (json_rows := _json_differences(con, mart)):
            differences[f"{mart}.{JSON_COLUMNS[mart][0]}"] = (rows, json_rows, json_rows)
    assert not differences, "marts differ (rows, only on DuckDB, only on Spark): " + repr(
        differences
    )
