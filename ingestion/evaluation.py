"""Pairwise precision, recall and F1 of identity resolution against a ground truth.

Two records are a *pair* when they belong to one customer (predicted) or one person (truth).
Pairs are counted from cluster sizes, never enumerated: for a cluster of n records there are
n (n - 1) / 2 pairs, and the true positives are the pairs inside each (customer, person) cell.
Only records present in both the truth and ``customer_source_records`` are scored; records the
truth assigns to several people (a shared household device) are left out and counted.

When the truth has an ``evidence_group`` column (the generator's: see
``ingestion.generator.evidence``), a second score counts as true only the *resolvable* pairs:
two records of one person joined by a chain of evidence the generator wrote into the landing
files. Its recall is the share of resolvable pairs predicted; its precision is the same as over
all records (a predicted pair of one person is right even without such a chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Scores:
    label: str
    records: int
    records_shared_in_truth: int
    records_missing: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    recalled_pairs: int | None = None
    """True pairs predicted, when the pairs recall is measured on (``true_pairs``) are not all
    pairs of one person; ``None`` means ``true_positive_pairs``."""

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        recalled = self.true_positive_pairs if self.recalled_pairs is None else self.recalled_pairs
        return recalled / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def describe(self) -> str:
        return (
            f"[{self.label}] records scored {self.records:,} "
            f"(left out: {self.records_shared_in_truth:,} shared in truth, "
            f"{self.records_missing:,} not in the warehouse)\n"
            f"true pairs {self.true_pairs:,}  predicted pairs {self.predicted_pairs:,}  "
            f"correct pairs {self.true_positive_pairs:,}"
            + (
                f"  true pairs predicted {self.recalled_pairs:,}"
                if self.recalled_pairs is not None
                else ""
            )
            + "\n"
            f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}"
        )


def _score(con: duckdb.DuckDBPyConnection, label: str, shared: int, truth_key: str) -> Scores:
    """Score ``joined``: precision against persons, recall against ``truth_key`` groups."""
    missing = con.execute(
        "select count(*) from truth_single where not exists (select 1 from joined as j "
        "where j.source_system = truth_single.source_system "
        "and j.source_table = truth_single.source_table "
        "and j.source_record_id = truth_single.source_record_id)"
    ).fetchall()[0][0]
    row = con.execute(
        f"""
        with
        cells as (select count(*) as n from joined group by person_id, customer_id),
        truth_cells as (select count(*) as n from joined group by {truth_key}, customer_id),
        truths as (select count(*) as n from joined group by {truth_key}),
        customers as (select count(*) as n from joined group by customer_id)
        select
            (select count(*) from joined),
            (select coalesce(sum(n * (n - 1) // 2), 0) from truths),
            (select coalesce(sum(n * (n - 1) // 2), 0) from customers),
            (select coalesce(sum(n * (n - 1) // 2), 0) from cells),
            (select coalesce(sum(n * (n - 1) // 2), 0) from truth_cells)
        """
    ).fetchall()[0]
    return Scores(
        label=label,
        records=int(row[0]),
        records_shared_in_truth=int(shared),
        records_missing=int(missing),
        true_pairs=int(row[1]),
        predicted_pairs=int(row[2]),
        true_positive_pairs=int(row[3]),
        recalled_pairs=None if truth_key == "person_id" else int(row[4]),
    )


def evaluate(warehouse: Path, truth_records: Path) -> list[Scores]:
    """Score ``marts.customer_source_records`` in ``warehouse`` against ``truth_records``.

    Returns the score over all records and, when the truth has an ``evidence_group`` column,
    the score over resolvable pairs (see the module docstring).
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            f"""
            create temp table truth as
            select *
            from read_csv('{truth_records}', all_varchar = true, header = true)
            """
        )
        columns = {row[0] for row in con.execute("describe truth").fetchall()}
        group = "evidence_group" if "evidence_group" in columns else "person_id"
        con.execute(
            f"""
            create temp table truth_single as
            select
                source_system,
                source_table,
                source_record_id,
                min(person_id) as person_id,
                min({group}) as evidence_group
            from truth
            group by 1, 2, 3
            having count(distinct person_id) = 1
            """
        )
        shared = con.execute(
            "select count(*) from (select 1 from truth group by source_system, source_table, "
            "source_record_id having count(distinct person_id) > 1)"
        ).fetchall()[0][0]
        con.execute(
            """
            create temp table joined as
            select
                t.source_system,
                t.source_table,
                t.source_record_id,
                t.person_id,
                t.evidence_group,
                c.customer_id
            from truth_single as t
            inner join marts.customer_source_records as c
                on t.source_system = c.source_system
                and t.source_table = c.source_table
                and t.source_record_id = c.source_record_id
            """
        )
        scores = [_score(con, "all records", shared, "person_id")]
        if group == "evidence_group":
            scores.append(_score(con, "resolvable pairs", shared, "evidence_group"))
        return scores
    finally:
        con.close()


def evaluate_dataset(name: str, work_dir: Path) -> Scores:
    """Load a labelled dataset through the CRM import, ``dbt build``, and score it."""
    import os
    import shutil
    import subprocess
    import sys

    from ingestion.framework import load_source
    from ingestion.mappings.identity_datasets import convert
    from ingestion.settings import PROJECT_ROOT
    from ingestion.sources import SOURCES

    shutil.rmtree(work_dir, ignore_errors=True)
    landing, truth, warehouse = work_dir / "landing", work_dir / "truth", work_dir / "w.duckdb"
    convert(name, landing, truth)
    load_source(SOURCES["crm"], landing, warehouse, log=lambda _: None)
    dbt = Path(sys.executable).parent / "dbt"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
    }
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--select",
            "+customer_source_records",
            "--indirect-selection",
            "cautious",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{result.stdout[-4000:]}")
    # the labelled datasets are CRM contacts only: every record carries evidence
    return evaluate(warehouse, truth / "records.csv")[0]
