"""Fuzzy person matching on labelled data we did not generate: FEBRL 1 and fake_1000.

Each dataset goes through the documented CRM import and ``dbt build`` into its own warehouse
under ``tmp_path`` (``ingestion.evaluation.evaluate_dataset``); pairwise F1 against the labels
must stay at 0.95 or more. Neither dataset shares an identifier between duplicates except
fake_1000's emails, so the score is the fuzzy links' (and the clustering's) doing.

The evidence pre-filter of ``int_identity_links_fuzzy`` restates the scoring's evidence rule to
drop pairs early; rebuilt without it, the model must give the same links on both datasets.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from ingestion.evaluation import evaluate_dataset

MIN_F1 = 0.95


@pytest.mark.parametrize("dataset", ["febrl1", "fake_1000"])
def test_fuzzy_matching_f1(dataset: str, tmp_path: Path) -> None:
    scores = evaluate_dataset(dataset, tmp_path / dataset)
    assert scores.records == 1000, scores.describe()
    assert scores.f1 >= MIN_F1, scores.describe()


def _fuzzy_links(warehouse: Path) -> set[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return set(
            con.execute(
                "select record_key_a, record_key_b, match_score, reason, linked_at "
                'from "identity".int_identity_links_fuzzy'
            ).fetchall()
        )
    finally:
        con.close()


@pytest.mark.parametrize("dataset", ["febrl1", "fake_1000"])
def test_evidence_prefilter_drops_no_link(dataset: str, tmp_path: Path) -> None:
    work_dir = tmp_path / dataset
    evaluate_dataset(dataset, work_dir)
    filtered = _fuzzy_links(work_dir / "w.duckdb")
    result = run_dbt(
        [
            "run",
            "--select",
            "int_identity_links_fuzzy",
            "--vars",
            "{mailmart_fuzzy_evidence_prefilter: false}",
        ],
        work_dir / "w.duckdb",
        work_dir,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    unfiltered = _fuzzy_links(work_dir / "w.duckdb")
    assert len(filtered) > 100
    assert sorted(unfiltered - filtered)[:5] == [], "the pre-filter dropped pairs that link"
    assert sorted(filtered - unfiltered)[:5] == []


def test_incremental_scoring_equals_a_full_one(tmp_path: Path) -> None:
    """Records arrive, change and leave between two runs; scoring only the pairs of those records
    (``int_person_records_rescored``) must give exactly the links of a full scoring. A block
    limit of 2 makes blocks cross it as records come and go, so pairs of two unchanged records
    must be found or dropped too."""
    work_dir = tmp_path / "febrl1"
    evaluate_dataset("febrl1", work_dir)
    warehouse = work_dir / "w.duckdb"
    prepared = '"identity".int_person_records_prepared'

    def score(*extra: str) -> None:
        result = run_dbt(
            [
                "run",
                "--select",
                "int_person_records_rescored",
                "int_identity_links_fuzzy",
                "--vars",
                "{mailmart_fuzzy_max_block_size: 2}",
                *extra,
            ],
            warehouse,
            work_dir,
        )
        assert result.returncode == 0, result.stdout[-4000:]

    def execute(*statements: str) -> list[tuple]:
        con = duckdb.connect(str(warehouse))
        try:
            rows: list[tuple] = []
            for statement in statements:
                rows = con.execute(statement).fetchall()
            return rows
        finally:
            con.close()

    # before: a fifth of the records has not arrived yet, and one in ten has a twin (another
    # record with the same values) that pushes each of its blocks over the limit; scored in full
    execute(
        f"create table main.prepared_all as select * from {prepared}",
        f"delete from {prepared} where hash(record_key) % 5 = 0",
        f"""
        insert into {prepared}
        select 'crm:contacts:twin-' || record_key as record_key, * exclude (record_key)
        from {prepared} where hash(record_key) % 10 = 3
        """,
    )
    score("--full-refresh")
    # now: they arrive, the twins leave, one in twenty others gets a corrected phone and one in
    # twenty leaves too
    execute(
        f"insert into {prepared} select * from main.prepared_all where hash(record_key) % 5 = 0",
        f"delete from {prepared} where record_key like 'crm:contacts:twin-%'",
        f"""
        update {prepared}
        set phone = '44' || cast(hash(record_key) % 1000000 as varchar),
            block_phone = '44' || cast(hash(record_key) % 1000000 as varchar)
        where hash(record_key) % 20 = 1
        """,
        f"delete from {prepared} where hash(record_key) % 20 = 2",
    )
    score()
    incremental = _fuzzy_links(warehouse)
    reasons = dict(
        execute(
            'select rescore_reason, count(*) from "identity".int_person_records_rescored '
            "group by rescore_reason"
        )
    )
    score("--full-refresh")
    full = _fuzzy_links(warehouse)

    assert len(full) > 100
    assert sorted(full - incremental)[:5] == [], "links a full scoring finds, the increment lost"
    assert sorted(incremental - full)[:5] == [], "links the increment kept or made wrongly"
    assert {"new record", "changed record", "removed record", "block crossed the size limit"} <= (
        set(reasons)
    ), reasons
    assert sum(reasons.values()) < 0.6 * 1000, reasons
