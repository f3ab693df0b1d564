"""Shared fixtures: temporary landing folders and warehouses, the real vendor samples."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingestion.framework import SourceResult, load_source
from ingestion.generator import generate
from ingestion.settings import PROJECT_ROOT
from ingestion.sources import SOURCES

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def load(landing: Path, warehouse: Path) -> Callable[[str], SourceResult]:
    """Load one source from the test's landing folder into the test's warehouse."""

    def _load(name: str) -> SourceResult:
        return load_source(SOURCES[name], landing, warehouse, log=lambda _: None)

    return _load


@pytest.fixture
def query(warehouse: Path) -> Callable[[str], list[tuple]]:
    """Run a query against the test's warehouse (read-only) and return all rows."""

    def _query(sql: str) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    return _query


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def copy_sample(relative: str, target_dir: Path) -> Path:
    source = SHARED_DATA / relative
    target_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, target_dir / source.name))


def run_dbt(args: list[str], warehouse: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run dbt from the project root against ``warehouse``, artifacts under ``tmp_path``."""
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(os.environ.get("VIRTUAL_ENV", PROJECT_ROOT / ".venv")) / "bin" / "dbt"
    return subprocess.run(
        [str(dbt), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


BUILT_CUSTOMERS = 500


def table_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw, staging and event table of ``warehouse``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            """
            select table_schema, table_name from information_schema.tables
            where (table_schema like 'raw_%' or table_schema in ('staging', 'events'))
                and table_name not like '\\_dlt%' escape '\\'
            order by 1, 2
            """
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }
    finally:
        con.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    """Generate, load and ``dbt build`` once for the session (landing, warehouse, row counts).

    Shared by the pipeline and quality tests; a test that changes the data works on a copy.
    """
    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    warehouse = root / "warehouse.duckdb"
    generate(
        customers=BUILT_CUSTOMERS, seed=7, landing_dir=landing, truth_dir=root / "truth", days=60
    )
    for source in SOURCES.values():
        load_source(source, landing, warehouse, log=lambda _: None)
    result = run_dbt(["build"], warehouse, root)
    assert result.returncode == 0, result.stdout[-4000:]
    return landing, warehouse, table_counts(warehouse)
