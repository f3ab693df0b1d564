"""Labelled duplicate-person datasets -> the documented CRM contacts CSV import.

Used to measure identity resolution on data we did not generate
(``python -m ingestion evaluate-identity --dataset febrl1``). Each mapping writes
``crm_contacts/<name>.csv`` in the CRM import format and a ground truth ``records.csv``
(``source_system, source_table, source_record_id, person_id``).

FEBRL 1 (``rec_id, given_name, surname, street_number, address_1, address_2, suburb,
postcode, state, date_of_birth, soc_sec_id``): ``rec-N-org`` and ``rec-N-dup-k`` are one
person, ``rec-N``. Dates are ``YYYYMMDD``; an impossible date (the generator's typos, such as
a month 13) is left empty rather than quarantining the whole contact. ``soc_sec_id`` is kept as
an extra column and not used for matching. Country ``AU``.

fake_1000 (``unique_id, first_name, surname, dob, city, email, cluster``): ``cluster`` is the
person. Country left empty.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from ingestion.settings import PROJECT_ROOT
from ingestion.sources.crm import COLUMNS as CRM_COLUMNS

IDENTITY_DATA = PROJECT_ROOT.parent / "shared" / "data" / "identity"
DATASETS = ("febrl1", "fake_1000")


def _iso_date(text: str, fmt: str) -> str:
    text = text.strip()
    try:
        if fmt == "yyyymmdd":
            return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def _febrl1(row: dict[str, str]) -> tuple[dict[str, str], str]:
    street = " ".join(p for p in (row["street_number"], row["address_1"]) if p)
    contact = {
        "contact_id": row["rec_id"],
        "first_name": row["given_name"],
        "last_name": row["surname"],
        "date_of_birth": _iso_date(row["date_of_birth"], "yyyymmdd"),
        "street_address": ", ".join(p for p in (street, row["address_2"]) if p),
        "city": row["suburb"],
        "postcode": row["postcode"],
        "state": row["state"],
        "country": "AU",
        "soc_sec_id": row["soc_sec_id"],
    }
    person = "-".join(row["rec_id"].split("-")[:2])
    return contact, person


def _fake_1000(row: dict[str, str]) -> tuple[dict[str, str], str]:
    contact = {
        "contact_id": f"fake-{row['unique_id']}",
        "first_name": row["first_name"],
        "last_name": row["surname"],
        "date_of_birth": _iso_date(row["dob"], "iso"),
        "city": row["city"],
        "email": row["email"],
    }
    return contact, f"cluster-{row['cluster']}"


def convert(name: str, landing_dir: Path, truth_dir: Path) -> int:
    """Write the dataset as a CRM export plus its ground truth; returns the record count."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    mapper = _febrl1 if name == "febrl1" else _fake_1000
    source = IDENTITY_DATA / f"{name}.csv"
    target = landing_dir / "crm_contacts" / f"{name}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    extra = ["soc_sec_id"] if name == "febrl1" else []
    count = 0
    with (
        open(source, encoding="utf-8", newline="") as fin,
        open(target, "w", encoding="utf-8", newline="") as fout,
        open(truth_dir / "records.csv", "w", encoding="utf-8", newline="") as ftruth,
    ):
        # FEBRL's CSV has a space after every comma
        reader = csv.DictReader(fin, skipinitialspace=True)
        writer = csv.DictWriter(fout, fieldnames=[*CRM_COLUMNS, *extra])
        truth = csv.writer(ftruth)
        writer.writeheader()
        truth.writerow(["source_system", "source_table", "source_record_id", "person_id"])
        for row in reader:
            contact, person = mapper({k.strip(): (v or "").strip() for k, v in row.items()})
            writer.writerow({c: contact.get(c, "") for c in [*CRM_COLUMNS, *extra]})
            truth.writerow(["crm", "contacts", contact["contact_id"], person])
            count += 1
    return count
