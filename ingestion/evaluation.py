"""Pairwise precision, recall and F1 of identity resolution against a ground truth.

Two records are a *pair* when they belong to one customer (predicted) or one person (truth).
Pairs are counted from cluster sizes, never enumerated: for a cluster of n records there are
n (n - 1) / 2 pairs, and the true positives are the pairs inside each (customer, person) cell.
Only records present in both the truth and ``customer_source_records`` are scored; records the
truth assigns to several people (a shared household device) are left out and counted.
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

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

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
            f"correct pairs {self.true_positive_pairs:,}\n"
            f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}"
        )


def _score(con: duckdb.DuckDBPyConnection, label: str, shared: int, where: str) -> Scores:
    con.execute(f"create or replace temp table scored as select * from joined where {where}")
    missing = con.execute(
        "select count(*) from truth_single where not exists (select 1 from joined as j "
        "where j.source_system = truth_single.source_system "
        "and j.source_table = truth_single.source_table "
        "and j.source_record_id = truth_single.source_record_id)"
    ).fetchall()[0][0]
    row = con.execute(
        """
        with
        cells as (select count(*) as n from scored group by person_id, customer_id),
        people as (select count(*) as n from scored group by person_id),
        customers as (select count(*) as n from scored group by customer_id)
        select
            (select count(*) from scored),
            (select coalesce(sum(n * (n - 1) // 2), 0) from people),
            (select coalesce(sum(n * (n - 1) // 2), 0) from customers),
            (select coalesce(sum(n * (n - 1) // 2), 0) from cells)
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
    )


def evaluate(warehouse: Path, truth_records: Path) -> list[Scores]:
    """Score ``marts.customer_source_records`` in ``warehouse`` against ``truth_records``.

    Returns two scores: over every record of the truth, and over the records that carry some
    evidence (leaving out Segment anonymous ids that never identified: no user id, email,
    phone or device id was ever seen with them, so nothing in the data can place them).
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            f"""
            create temp table truth as
            select source_system, source_table, source_record_id, person_id
            from read_csv('{truth_records}', all_varchar = true, header = true)
            """
        )
        con.execute(
            """
            create temp table truth_single as
            select source_system, source_table, source_record_id, min(person_id) as person_id
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
                c.customer_id,
                not exists (
                    select 1 from identity.int_identifiers_observed as o
                    where o.source_system = t.source_system
                        and o.source_table = t.source_table
                        and o.source_record_id = t.source_record_id
                        and o.identifier_type not in ('source_record', 'anonymous_id')
                ) and t.source_table = 'anonymous_ids' as is_evidence_free
            from truth_single as t
            inner join marts.customer_source_records as c
                on t.source_system = c.source_system
                and t.source_table = c.source_table
                and t.source_record_id = c.source_record_id
            """
        )
        return [
            _score(con, "all records", shared, "true"),
            _score(con, "records with evidence", shared, "not is_evidence_free"),
        ]
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
