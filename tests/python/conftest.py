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
