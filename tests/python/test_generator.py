"""Tests for the deterministic sample-data generator (small runs, a few seconds in total)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

import ingestion.generator as generator
from ingestion.generator import generate

CUSTOMERS = 200
DAYS = 14
FOLDERS = (
    "catalog",
    "crm_contacts",
    "enrichment",
    "erasure_requests",
    "segment",
    "sendgrid",
    "ses",
    "shop_orders",
)
CRM_HEADER = (
    "contact_id,email,phone,first_name,last_name,date_of_birth,street_address,city,postcode,"
    "state,country,email_opt_in,created_at,updated_at,is_deleted,merged_into_contact_id"
)
SENDGRID_EVENTS = {
    "processed",
    "delivered",
    "deferred",
    "bounce",
    "dropped",
    "open",
    "click",
    "spamreport",
    "unsubscribe",
    "group_unsubscribe",
    "group_resubscribe",
}
SES_EVENTS = {
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "Open",
    "Click",
    "DeliveryDelay",
    "Reject",
    "Subscription",
}


def _run(root: Path, seed: int, customers: int = CUSTOMERS) -> Path:
    generate(customers, seed, root / "landing", root / "truth", DAYS)
    return root


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _lines(folder: Path, pattern: str) -> list[str]:
    out: list[str] = []
    for path in sorted(folder.glob(pattern)):
        out.extend(path.read_text(encoding="utf-8").splitlines())
    return out


def _parse_ts(value: object) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def run_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("a"), 42)


@pytest.fixture(scope="module")
def landing(run_a: Path) -> Path:
    return run_a / "landing"


@pytest.fixture(scope="module")
def segment_messages(landing: Path) -> tuple[list[dict], int]:
    good, bad = [], 0
    for line in _lines(landing, "segment/*/*.jsonl"):
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if "messageId" not in msg or not _parse_ts(msg.get("timestamp")):
            bad += 1
            continue
        good.append(msg)
    return good, bad


def test_same_seed_gives_identical_bytes(run_a: Path, tmp_path: Path) -> None:
    run_b = _run(tmp_path, 42)
    assert _digests(run_a) == _digests(run_b)


def test_different_seed_differs(run_a: Path, tmp_path: Path) -> None:
    run_c = _run(tmp_path, 43)
    assert _digests(run_a / "landing") != _digests(run_c / "landing")


def test_workers_and_chunks_do_not_change_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "CHUNK_SIZE", 40)
    monkeypatch.setenv("GENERATOR_WORKERS", "1")
    one = _run(tmp_path / "one", 5, customers=100)
    monkeypatch.setenv("GENERATOR_WORKERS", "2")
    two = _run(tmp_path / "two", 5, customers=100)
    assert _digests(one) == _digests(two)


def test_every_generated_folder_is_present(landing: Path) -> None:
    for folder in FOLDERS:
        assert any((landing / folder).rglob("*.*")), folder
    assert not (landing / "order_lines").exists()


def test_file_names_follow_the_contract(landing: Path) -> None:
    assert all(p.name.startswith("contacts_") for p in (landing / "crm_contacts").iterdir())
    for path in (landing / "segment").rglob("*.jsonl"):
        assert path.name == f"events_{path.parent.name}T{path.name[-8:-6]}.jsonl"
    for path in (landing / "sendgrid").rglob("*.json"):
        assert path.name.startswith(f"batch_{path.parent.name}T")
    for path in (landing / "ses").rglob("*.jsonl"):
        assert path.name.startswith(f"ses_{path.parent.name}T")


def test_crm_header_is_exact(landing: Path) -> None:
    files = sorted((landing / "crm_contacts").glob("*.csv"))
    assert len(files) >= 2  # full export plus deltas
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0] == CRM_HEADER


def test_segment_lines_are_valid_except_deliberate_bad_ones(
    segment_messages: tuple[list[dict], int],
) -> None:
    good, bad = segment_messages
    assert len(good) > 500
    assert bad <= 0.01 * (len(good) + bad)
    for msg in good:
        assert msg["type"] in {"identify", "page", "screen", "track"}
        assert msg["anonymousId"] or msg.get("userId")
        assert msg["channel"] in {"browser", "mobile", "server"}


def test_ecommerce_events_carry_product_ids(segment_messages: tuple[list[dict], int]) -> None:
    good, _ = segment_messages
    seen = defaultdict(int)
    for msg in good:
        event = msg.get("event")
        props = msg.get("properties", {})
        if event in {"Product Viewed", "Product Added", "Product Removed"}:
            assert props["product_id"] and props["sku"] and props["price"] > 0
            seen[event] += 1
        elif event in {"Cart Viewed", "Checkout Started", "Order Completed"}:
            assert all(p["product_id"] for p in props["products"])
            seen[event] += 1
    for event in ("Product Viewed", "Product Added", "Checkout Started", "Order Completed"):
        assert seen[event] > 0, event


def test_order_completed_matches_shop_orders(
    landing: Path, segment_messages: tuple[list[dict], int]
) -> None:
    orders = {}
    for line in _lines(landing, "shop_orders/*.jsonl"):
        order = json.loads(line)
        if "id" in order:
            assert isinstance(order["id"], str) and isinstance(order["total_price"], str)
            orders[order["id"]] = order
    completed = [m for m in segment_messages[0] if m.get("event") == "Order Completed"]
    assert completed
    for msg in completed:
        assert msg["properties"]["order_id"] in orders


def test_sendgrid_lines_are_webhook_batches(landing: Path) -> None:
    lines = _lines(landing, "sendgrid/*/*.json")
    assert lines
    for line in lines:
        batch = json.loads(line)
        assert isinstance(batch, list) and 1 <= len(batch) <= 100
        for event in batch:
            assert event["event"] in SENDGRID_EVENTS
            assert event["sg_event_id"] and event["sg_message_id"] and "@" in event["email"]


def test_ses_records_have_event_type_and_message_id(landing: Path) -> None:
    parsed = 0
    for line in _lines(landing, "ses/*/*.jsonl"):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # deliberately truncated record
        assert record["eventType"] in SES_EVENTS
        assert record["mail"]["messageId"] and record["mail"]["destination"]
        parsed += 1
    assert parsed > 0


def test_ground_truth_lives_outside_landing(run_a: Path, landing: Path) -> None:
    truth = run_a / "truth"
    for name in ("records.csv", "identifiers.csv"):
        assert (truth / name).is_file()
        assert not list(landing.rglob(name))
    assert not list(landing.rglob("*manifest*"))
    with pytest.raises(ValueError):
        generate(5, 1, landing, landing / "truth", DAYS)


def test_truth_covers_emitted_records(run_a: Path, landing: Path) -> None:
    with open(run_a / "truth" / "records.csv", encoding="utf-8") as handle:
        records = {(r["source_table"], r["source_record_id"]) for r in csv.DictReader(handle)}
    for path in (landing / "crm_contacts").glob("*.csv"):
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["contact_id"]:
                    assert ("contacts", row["contact_id"]) in records
    for line in _lines(landing, "shop_orders/*.jsonl"):
        order = json.loads(line)
        if "id" in order:
            assert ("orders", order["id"]) in records


def test_duplicates_and_shared_devices_exist(run_a: Path) -> None:
    contacts: dict[str, set[str]] = defaultdict(set)
    anon: dict[str, set[str]] = defaultdict(set)
    with open(run_a / "truth" / "records.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source_table"] == "contacts":
                contacts[row["person_id"]].add(row["source_record_id"])
            elif row["source_table"] == "anonymous_ids":
                anon[row["source_record_id"]].add(row["person_id"])
    assert any(len(ids) >= 2 for ids in contacts.values())
    assert any(len(persons) == 2 for persons in anon.values())


def test_personal_emails_are_never_shared(run_a: Path) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    with open(run_a / "truth" / "identifiers.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["identifier_type"] == "email":
                owners[row["identifier_value"].strip().lower()].add(row["person_id"])
    shared = {email for email, persons in owners.items() if len(persons) > 1}
    allowed = {"store@mailmart.example", "test@test.com", "none@none.com", "noemail@example.com"}
    allowed |= {"x@x.invalid", "unknown", "n/a", "donotmail@example.invalid"}
    assert shared <= allowed
