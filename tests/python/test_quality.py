"""Data quality checks and their HTML report, on the session's generated warehouse.

The report is checked against ``marts.data_quality_checks`` card by card; then bad CRM records
are planted in a copy of the warehouse: a few make the quarantine check warn, many make it
fail, and the fail test stops the build.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt, write

from ingestion.__main__ import main
from ingestion.framework import load_source
from ingestion.sources import SOURCES

FAMILIES = {
    "schema_validation",
    "duplicates",
    "completeness",
    "consistency",
    "freshness",
    "identity",
}
CRM_HEADER = (
    "contact_id,email,phone,first_name,last_name,date_of_birth,street_address,city,postcode,"
    "state,country,email_opt_in,created_at,updated_at,is_deleted,merged_into_contact_id\n"
)
# the quality models, the mart and their tests; everything upstream is already built
QUALITY = ["build", "--select", "tag:quality"]


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _latest_checks(warehouse: Path) -> list[tuple]:
    return _query(
        warehouse,
        """
        select check_name, source_system, check_family, status, measured_value
        from marts.data_quality_checks
        where measured_at = (select max(measured_at) from marts.data_quality_checks)
        """,
    )


def _report(warehouse: Path, out: Path) -> str:
    assert main(["quality-report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def _cards(page: str) -> dict[str, tuple[str, str]]:
    """data-check -> (status, value) of every card in the report."""
    return {
        check: (status, value)
        for check, status, value in re.findall(
            r'<article class="card [a-z]+" data-check="([^"]+)" data-status="([a-z]+)" '
            r'data-value="([^"]*)">',
            page,
        )
    }


@pytest.fixture
def warehouse_copy(built, tmp_path: Path) -> Path:
    _, warehouse, _ = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    # dbt may leave its last writes in the write-ahead log
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    return copy


def test_checks_cover_every_family_and_the_sample_passes(warehouse_copy: Path):
    checks = _latest_checks(warehouse_copy)
    assert {family for _, _, family, _, _ in checks} == FAMILIES
    failed = [c for c in checks if c[3] == "fail"]
    assert not failed, failed
    by_key = {(name, source): (status, value) for name, source, _, status, value in checks}
    # the generator plants about 0.2% bad records per source
    assert 0 < by_key[("quarantine_share", "segment")][1] < 0.01
    assert by_key[("events_with_user_or_anonymous_id_share", "segment")][1] == 1.0
    # Segment's Order Completed events carry the shop's order ids
    assert by_key[("order_events_matched_share", "segment")][1] > 0.95
    # never-loaded sources have no checks (and did not break the build)
    assert not [c for c in checks if c[1] in ("mandrill", "postmark", "order_import")]


def test_report_has_a_card_per_check_with_its_status_and_value(warehouse_copy, tmp_path):
    page = _report(warehouse_copy, tmp_path / "report.html")
    checks = _latest_checks(warehouse_copy)
    cards = _cards(page)
    assert len(cards) == len(checks)
    for name, source, _, status, value in checks:
        expected_value = "" if value is None else f"{value:.6g}"
        assert cards[f"{name}:{source}"] == (status, expected_value)
    # a chart per card, the runs chart, a chart per segment family
    assert page.count("<svg") >= len(checks) + 2
    assert "Segment sizes" in page
    # self-contained: no scripts, no external resources
    assert "<script" not in page
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*https?:', page)
    assert "url(" not in page
    assert "@import" not in page


def test_report_on_a_warehouse_without_the_marts_shows_a_message(tmp_path: Path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    page = _report(empty, tmp_path / "report.html")
    assert "No data quality checks in this warehouse yet" in page
    assert "No segment history yet" in page


def test_planted_bad_records_warn_then_fail_the_build(warehouse_copy: Path, tmp_path: Path):
    [(contacts_read,)] = _query(warehouse_copy, "select sum(rows_in) from raw_crm.landing_files")
    [(runs_before,)] = _query(
        warehouse_copy, "select count(distinct invocation_id) from marts.data_quality_checks"
    )
    landing = tmp_path / "landing"

    def plant(name: str, count: int) -> None:
        rows = "".join(
            f",bad{i}@example.com,,,,,,,,,GB,true,2026-10-30T00:00:00Z,"
            "2026-10-30T00:00:00Z,false,\n"
            for i in range(count)
        )
        write(landing / "crm_contacts" / name, CRM_HEADER + rows)
        load_source(SOURCES["crm"], landing, warehouse_copy, log=lambda _: None)

    def crm_quarantine() -> tuple[str, float]:
        [row] = [
            (status, value)
            for name, source, _, status, value in _latest_checks(warehouse_copy)
            if (name, source) == ("quarantine_share", "crm")
        ]
        return row

    # about 2% of the CRM records missing their id: above the 1% warning, below the 5% fail
    plant("bad_2026-10-30.csv", contacts_read // 50 + 1)
    result = run_dbt(QUALITY, warehouse_copy, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r"WARN \d+ warn_quality_checks", result.stdout), result.stdout[-4000:]
    status, value = crm_quarantine()
    assert status == "warn" and 0.01 < value < 0.05

    # another 10%: the check fails, and so does the build
    plant("bad_2026-10-31.csv", contacts_read // 10)
    result = run_dbt(QUALITY, warehouse_copy, tmp_path)
    assert result.returncode != 0
    assert re.search(r"FAIL \d+ assert_no_failed_quality_checks", result.stdout), result.stdout[
        -4000:
    ]
    status, value = crm_quarantine()
    assert status == "fail" and value > 0.05

    # each build added a run; the report shows the failing card
    [(runs_after,)] = _query(
        warehouse_copy, "select count(distinct invocation_id) from marts.data_quality_checks"
    )
    assert runs_after == runs_before + 2
    page = _report(warehouse_copy, tmp_path / "report.html")
    assert _cards(page)["quarantine_share:crm"][0] == "fail"
    assert '<div class="pill fail"><b>1</b>' in page
