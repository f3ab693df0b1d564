"""The Parquet lake (``load --destination lake``) holds what the DuckDB warehouse holds.

The same generated landing files arrive in three cumulative batches, with late files (as in
the equivalence test), and each batch is loaded both into a warehouse and into a lake. dlt
merges tables that change (contacts, orders, products ...) in the warehouse; in the lake every
load is appended and the Spark target reads such a table through a view that keeps each key's
rows of its latest load (macro ``lake_source_tables``). The same view, written here for
DuckDB, must give the warehouse's rows, table by table.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from test_incremental import _batches

from ingestion.framework import load_source
from ingestion.generator import generate
from ingestion.sources import SOURCES

# Written by each load itself: differ between two loads of the same files.
LOAD_COLUMNS = {"_dlt_load_id", "_dlt_id", "quarantined_at", "read_at"}


def _lake_tables(lake: Path) -> list[dict]:
    return [
        json.loads(line)
        for listing in sorted((lake / "_tables").glob("*.json"))
        for line in listing.read_text().splitlines()
    ]


def test_a_lake_read_by_latest_load_holds_the_warehouse_rows(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(customers=300, seed=11, landing_dir=landing, truth_dir=tmp_path / "truth", days=30)
    folders, _ = _batches(landing, tmp_path)
    warehouse = tmp_path / "warehouse.duckdb"
    lake = tmp_path / "lake"
    for folder in folders:
        for source in SOURCES.values():
            load_source(source, folder, warehouse, log=lambda _: None)
            load_source(source, folder, warehouse, log=lambda _: None, lake=lake)

    # loading the same files again writes nothing
    files = sorted(lake.rglob("*.parquet"))
    for source in SOURCES.values():
        again = load_source(source, folders[-1], warehouse, log=lambda _: None, lake=lake)
        assert again.files_loaded == 0, source.name
    assert sorted(lake.rglob("*.parquet")) == files

    tables = _lake_tables(lake)
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as warehouse (read_only)")
    replaced = {}
    for table in tables:
        if table["file_format"] != "parquet":
            continue
        name = f"{table['dataset']}.{table['table_name']}"
        files_sql = f"read_parquet('{table['location']}/*.parquet', union_by_name = true)"
        key = table["replace_key"]
        if key is None:
            lake_sql = f"select * from {files_sql}"
        else:
            lake_sql = (
                f"select * from {files_sql} as stored semi join ("
                f"select {key}, max(_dlt_load_id) as latest_load from {files_sql} group by {key}"
                f") as latest on stored.{key} is not distinct from latest.{key}"
                " and stored._dlt_load_id = latest.latest_load"
            )
            stored, kept = con.execute(
                f"select (select count(*) from {files_sql}), (select count(*) from ({lake_sql}))"
            ).fetchone()
            replaced[name] = stored - kept
        columns = [
            c[0]
            for c in con.execute(f"describe warehouse.{name}").fetchall()
            if c[0] not in LOAD_COLUMNS
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        warehouse_sql = f"select {select} from warehouse.{name}"
        lake_columns = f"select {select} from ({lake_sql})"
        rows = con.execute(f"select count(*) from warehouse.{name}").fetchone()[0]
        for first, second in ((warehouse_sql, lake_columns), (lake_columns, warehouse_sql)):
            only = con.execute(f"select count(*) from ({first} except all {second})").fetchone()
            assert only[0] == 0, f"{name}: {only[0]} of {rows} rows differ"

    listed = {f"{t['dataset']}.{t['table_name']}" for t in tables}
    assert {"raw_crm.contacts", "raw_segment.pages", "raw_shop.orders"} <= listed
    # the later batches re-export contacts and orders: the view is what keeps them single
    assert replaced["raw_crm.contacts"] > 0 and replaced["raw_shop.orders"] > 0, replaced
