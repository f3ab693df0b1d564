"""The generator's evidence groups and the evaluation's resolvable score (no dbt, a few seconds)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb

from ingestion.evaluation import evaluate
from ingestion.generator import generate
from ingestion.generator.evidence import evidence_groups, phone_key
from ingestion.generator.reference import COUNTRIES

CONTACT_1 = ("crm", "contacts", "c1")
CONTACT_2 = ("crm", "contacts", "c2")
CONTACT_3 = ("crm", "contacts", "c3")
ANON = ("segment", "anonymous_ids", "a1")
FAMILY = ("segment", "anonymous_ids", "fam")


def test_evidence_groups_follow_keys_and_named_attributes():
    groups = evidence_groups(
        [
            (
                "P1",
                {
                    CONTACT_1: {
                        ("email", "x@a.example"),
                        ("name", "Ann Lee"),
                        ("dob", "1990-01-02"),
                    },
                    # no shared key, but the same name and date of birth
                    CONTACT_2: {("name", "Ann Lee"), ("dob", "1990-01-02")},
                    # a date of birth without the name is not enough
                    CONTACT_3: {("dob", "1990-01-02"), ("phone", "441")},
                    # shares only the household landline with the partner: not evidence
                    ANON: {("anonymous_id", "a1"), ("phone", "449")},
                    FAMILY: set(),
                },
            ),
            (
                "P2",
                {
                    ("crm", "contacts", "d1"): {("phone", "449"), ("email", "y@a.example")},
                    ("crm", "contacts", "d2"): {("phone", "449"), ("email", "y@a.example")},
                    FAMILY: set(),
                },
            ),
        ]
    )
    assert groups[(CONTACT_1, "P1")] == groups[(CONTACT_2, "P1")] == "P1-1"
    assert groups[(CONTACT_3, "P1")] == "P1-2"
    assert groups[(ANON, "P1")] == "P1-3"
    assert groups[(("crm", "contacts", "d1"), "P2")] == groups[(("crm", "contacts", "d2"), "P2")]
    # the family computer is both partners': no group
    assert groups[(FAMILY, "P1")] == groups[(FAMILY, "P2")] == ""


def test_phone_key_ignores_the_format():
    country = next(c for c in COUNTRIES if c.code == "FR")
    nsn = "6" + "1" * (country.nsn_len - 1)
    national = country.trunk + nsn
    assert phone_key(country, f"+{country.phone_cc} {nsn}") == phone_key(country, national)
    assert phone_key(country, "0000000000") is None


def test_generated_truth_has_evidence_groups(tmp_path: Path):
    generate(300, 3, tmp_path / "landing", tmp_path / "truth", 30)
    with open(tmp_path / "truth" / "records.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    persons_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        persons_of[(row["source_system"], row["source_table"], row["source_record_id"])].add(
            row["person_id"]
        )
    groups = 0
    for row in rows:
        record = (row["source_system"], row["source_table"], row["source_record_id"])
        if len(persons_of[record]) > 1:
            assert row["evidence_group"] == ""
        else:
            assert row["evidence_group"].startswith(row["person_id"] + "-")
            groups += 1
    assert groups > 0
    # some people have records nothing connects (an anonymous id that never identified)
    by_person: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["evidence_group"]:
            by_person[row["person_id"]].add(row["evidence_group"])
    assert any(len(labels) > 1 for labels in by_person.values())


def test_resolvable_score_recalls_groups_and_judges_precision_by_person(tmp_path: Path):
    truth = tmp_path / "records.csv"
    truth.write_text(
        "source_system,source_table,source_record_id,person_id,evidence_group\n"
        "crm,contacts,1,P1,P1-1\n"
        "crm,contacts,2,P1,P1-1\n"
        "segment,anonymous_ids,3,P1,P1-2\n"
        "crm,contacts,4,P2,P2-1\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_source_records as select * from (values "
        "('crm', 'contacts', '1', 'A'), ('crm', 'contacts', '2', 'A'), "
        "('segment', 'anonymous_ids', '3', 'A'), ('crm', 'contacts', '4', 'B')) "
        "as t(source_system, source_table, source_record_id, customer_id)"
    )
    con.close()
    all_records, resolvable = evaluate(warehouse, truth)
    # all records: three true pairs of P1, all predicted
    assert (all_records.true_pairs, all_records.precision, all_records.recall) == (3, 1.0, 1.0)
    # resolvable: one pair (1, 2) is knowable; the anonymous id joined by luck is still right
    assert resolvable.true_pairs == 1
    assert resolvable.recall == 1.0
    assert resolvable.precision == 1.0
