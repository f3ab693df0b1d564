"""Paths shared by the generator, the loaders and the tests, resolved from env vars."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def landing_dir() -> Path:
    """Folder the loaders read and the generator writes (``LANDING_DIR``)."""
    return Path(os.environ.get("LANDING_DIR", PROJECT_ROOT / "data" / "landing"))


def ground_truth_dir() -> Path:
    """Folder for the generator's ground truth (``GROUND_TRUTH_DIR``); never loaded."""
    return Path(os.environ.get("GROUND_TRUTH_DIR", PROJECT_ROOT / "data" / "ground_truth"))


def warehouse_path() -> Path:
    """DuckDB warehouse file (``WAREHOUSE_PATH``), ``warehouse.duckdb`` in the repo root."""
    return Path(os.environ.get("WAREHOUSE_PATH", PROJECT_ROOT / "warehouse.duckdb"))


def lake_dir() -> Path:
    """Folder of the Parquet lake the Spark target reads (``LAKE_DIR``), ``data/lake``."""
    return Path(os.environ.get("LAKE_DIR", PROJECT_ROOT / "data" / "lake"))
