"""Identity resolution on hand-made records: rules, stable ids, merges and their history."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt, write

from ingestion.framework import load_source
from ingestion.sources import SOURCES

HEADER = (
    "contact_id,email,phone,first_name,last_name,date_of_birth,street_address,city,postcode,"
    "state,country,email_opt_in,created_at,updated_at,is_deleted,merged_into_contact_id\n"
)


def contact(
    cid: str,
    email: str = "",
    phone: str = "",
    first: str = "",
    last: str = "",
    updated: str = "2026-01-01T00:00:00Z",
) -> str:
    return f"{cid},{email},{phone},{first},{last},,,,,,GB,true,{updated},{updated},false,\n"


def _build(landing: Path, warehouse: Path, tmp_path: Path, *extra: str) -> None:
    load_source(SOURCES["crm"], landing, warehouse, log=lambda _: None)
    result = run_dbt(["build", *extra], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]


def _customers(warehouse: Path) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select source_record_id, customer_id from marts.customer_source_records "
            "where source_system = 'crm'"
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def first_run(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    write(
        landing / "crm_contacts" / "contacts_2026-01-01.csv",
        HEADER
        + contact("a1", "Jane.Doe+news@Example.com", updated="2026-01-01T00:00:00Z")
        + contact("a2", "jane.doe@example.com", "+44 20 7946 0958", updated="2026-01-02T00:00:00Z")
        + contact("b1", "bob@example.com", "(020) 7946 0111", updated="2026-01-03T00:00:00Z")
        # placeholders never link: c1 and c2 stay apart
        + contact("c1", "test@test.com", "0000000000")
        + contact("c2", "TEST@test.com", "000-000-0000")
        # one phone given with four different emails is a shared number (limit 3)
        + "".join(contact(f"s{i}", f"person{i}@example.com", "+44 161 496 0000") for i in range(4)),
    )
    _build(landing, warehouse, tmp_path)
    return landing, warehouse, _customers(warehouse)


def test_rules_link_and_refuse_as_configured(first_run):
    _, warehouse, customers = first_run
    # plus-tag and case folded: a1 and a2 are one customer
    assert customers["a1"] == customers["a2"]
    assert customers["a1"] != customers["b1"]
    # blocked placeholders do not merge
    assert customers["c1"] != customers["c2"]
    # a shared phone does not merge the four people who gave it
    assert len({customers[f"s{i}"] for i in range(4)}) == 4
    statuses = dict(
        _query(
            warehouse,
            "select identifier_value, link_status from marts.customer_identifiers "
            "where identifier_type in ('email', 'phone')",
        )
    )
    assert statuses["test@test.com"] == "blocked"
    assert statuses["441614960000"] == "shared"
    assert statuses["jane.doe@example.com"] == "linked"
    [(reason,)] = _query(
        warehouse,
        "select reason from identity.int_identity_links where identifier_type = 'email'",
    )
    assert reason == ("same email jane.doe@example.com seen on CRM contact a1 and CRM contact a2")


def test_ids_are_stable_and_a_merge_is_recorded_across_full_refresh(first_run, tmp_path):
    landing, warehouse, before = first_run
    # a later export: a new contact that links Jane (email) and Bob (phone), and a stranger
    write(
        landing / "crm_contacts" / "contacts_2026-02-01.csv",
        HEADER
        + contact("m1", "jane.doe@example.com", "020 7946 0111", updated="2026-02-01T00:00:00Z")
        + contact("z1", "zoe@example.com", updated="2026-02-01T00:00:00Z"),
    )
    _build(landing, warehouse, tmp_path)
    after = _customers(warehouse)

    # unchanged clusters keep their ids; Jane's (older) id survives the merge with Bob
    for cid in ("a1", "a2", "c1", "c2", "s0", "s1", "s2", "s3"):
        assert after[cid] == before[cid], cid
    assert after["b1"] == after["m1"] == before["a1"]
    assert after["z1"] not in before.values()

    history = _query(
        warehouse,
        "select old_customer_id, new_customer_id, change_type, records_moved, caused_by_reason "
        "from marts.customer_id_history",
    )
    assert len(history) == 1
    old, new, change, moved, reason = history[0]
    assert (old, new, change, moved) == (before["b1"], before["a1"], "merge", 1)
    assert "CRM contact m1" in reason

    # the history survives a full refresh, and nothing new is logged when nothing changed
    _build(landing, warehouse, tmp_path, "--full-refresh")
    assert len(_query(warehouse, "select * from marts.customer_id_history")) == 1
    assert _customers(warehouse) == after
    assert _query(
        warehouse,
        "select count(*) from identity.int_record_assignments_logged where change_type = 'new'",
    ) == [(len(before) + 2,)]


def _segment(message_id: str, kind: str, anonymous_id: str, **fields: object) -> str:
    message = {
        "anonymousId": anonymous_id,
        "type": kind,
        "messageId": message_id,
        "timestamp": "2026-10-01T10:00:00.000Z",
        "receivedAt": "2026-10-01T10:00:01.000Z",
        "context": {},
        **fields,
    }
    return json.dumps(message)


def test_evidence_beyond_equal_values(tmp_path):
    """Order events, phones written without a country, tabs in emails, a family computer."""
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    row = "{},{},{},Kim,Lee,,,,,,{},true,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,false,\n"
    write(
        landing / "crm_contacts" / "contacts_2026-01-01.csv",
        HEADER
        + row.format("k1", "k1@example.com", "+33 6 12 34 56 78", "FR")
        # the same number written nationally, the country spelled out: resolved to +33
        + row.format("k2", "k2@example.com", "06 12 34 56 78", "France")
        # a national number nobody else has keeps the default country's code
        + row.format("k3", "k3@example.com", "0612 345 679", "")
        + row.format("g1", "guest@example.com", "", "US"),
    )
    messages = [
        # a guest's browser completes order o-1, whose email is a CRM contact's
        _segment(
            "m1", "track", "anon-guest", event="Order Completed", properties={"order_id": "o-1"}
        ),
        # a family computer: both partners logged in on it
        _segment("m2", "page", "anon-fam", userId="u-a"),
        _segment("m3", "page", "anon-fam", userId="u-b"),
        _segment("m4", "identify", "anon-fam", userId="u-a", traits={"email": "k1@example.com"}),
        _segment("m5", "page", "anon-a", userId="u-a"),
        _segment("m6", "page", "anon-b", userId="u-b"),
        # an email pasted with a tab
        _segment("m7", "identify", "anon-t", userId="u-t", traits={"email": "\tk3@example.com"}),
    ]
    write(landing / "segment" / "2026-10-01" / "events_2026-10-01T10.jsonl", "\n".join(messages))
    order = {
        "id": "o-1",
        "email": "guest@example.com",
        "created_at": "2026-10-01T10:00:30Z",
        "updated_at": "2026-10-01T10:00:30Z",
        "currency": "USD",
        "total_price": "10.00",
        "billing_address": {"country_code": "US"},
        "line_items": [],
        "refunds": [],
    }
    write(landing / "shop_orders" / "orders_2026-10-01.jsonl", json.dumps(order) + "\n")
    for name in ("crm", "segment", "shop"):
        load_source(SOURCES[name], landing, warehouse, log=lambda _: None)
    result = run_dbt(["build"], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]

    customer = {
        (table, record): cid
        for table, record, cid in _query(
            warehouse,
            "select source_table, source_record_id, customer_id from marts.customer_source_records",
        )
    }
    assert customer[("contacts", "k1")] == customer[("contacts", "k2")]
    assert customer[("contacts", "k3")] != customer[("contacts", "k1")]
    assert (
        customer[("anonymous_ids", "anon-guest")]
        == customer[("orders", "o-1")]
        == customer[("contacts", "g1")]
    )
    assert customer[("user_ids", "u-t")] == customer[("contacts", "k3")]
    # the family computer belongs to both partners: it links neither, nor them to each other
    assert customer[("user_ids", "u-a")] == customer[("anonymous_ids", "anon-a")]
    assert customer[("user_ids", "u-a")] != customer[("user_ids", "u-b")]
    assert customer[("anonymous_ids", "anon-fam")] not in {
        customer[("user_ids", "u-a")],
        customer[("user_ids", "u-b")],
        customer[("contacts", "k1")],
    }
    [(can_link, reason)] = _query(
        warehouse,
        "select can_link, unlinked_reason from identity.int_identity_records "
        "where record_key = 'segment:anonymous_ids:anon-fam'",
    )
    assert not can_link
    assert reason.startswith("its anonymous id is anonymous_id seen with 2 user_id values")
    phones = dict(
        _query(
            warehouse,
            "select source_record_id, identifier_value from identity.int_identifiers_observed "
            "where identifier_type = 'phone'",
        )
    )
    assert phones == {"k1": "33612345678", "k2": "33612345678", "k3": "44612345679"}


def test_a_phone_that_becomes_shared_frees_the_email_seen_with_it(tmp_path):
    """Priority across runs (doc `assessed_increments`): Eve's address is given with four
    phones (limit 3), so it is shared while none of them is. A later export gives one of those
    phones with three more addresses: the phone is now shared and weaker than an email, so it no
    longer counts against Eve's address, which links her four contacts. None of Eve's records
    changed; the run must assess her address again because a phone on them flipped."""
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    phones = ["+44 20 7946 1001", "+44 20 7946 1002", "+44 20 7946 1003", "+44 20 7946 1009"]
    write(
        landing / "crm_contacts" / "contacts_2026-01-01.csv",
        HEADER + "".join(contact(f"e{i}", "eve@example.com", p) for i, p in enumerate(phones)),
    )
    _build(landing, warehouse, tmp_path)
    status = (
        "select is_shared, can_link from identity.int_identifiers_assessed "
        "where identifier_value = 'eve@example.com'"
    )
    assert _query(warehouse, status) == [(True, False)]
    assert len({_customers(warehouse)[f"e{i}"] for i in range(4)}) == 4

    write(
        landing / "crm_contacts" / "contacts_2026-02-01.csv",
        HEADER
        + "".join(
            contact(f"x{i}", f"x{i}@example.com", phones[3], updated="2026-02-01T00:00:00Z")
            for i in range(3)
        ),
    )
    _build(landing, warehouse, tmp_path)
    assert _query(warehouse, status) == [(False, True)]
    assert len({_customers(warehouse)[f"e{i}"] for i in range(4)}) == 1
    # Eve's address was not among the changed identifiers, only among those assessed again
    scope = (
        "select scope_value from identity.int_identifiers_assessed_{} where scope_type = 'email'"
    )
    assert "eve@example.com" not in {v for (v,) in _query(warehouse, scope.format("changed"))}
    assert "eve@example.com" in {v for (v,) in _query(warehouse, scope.format("touched"))}
    # and her address was linked again by identifier, not with every other one
    relinked = "select scope_value from identity.int_identity_links_deterministic_touched"
    relinked_values = {v for (v,) in _query(warehouse, relinked)}
    assert "eve@example.com" in relinked_values
    # a phone only on Eve's first contact, which nothing changed, kept its links
    assert "442079461001" not in relinked_values

    # every column but when the row was written
    queries = (
        "select * exclude (written_at) from identity.int_identifiers_assessed order by all",
        "select * from identity.int_identity_links_deterministic order by all",
    )
    kept = [_query(warehouse, query) for query in queries]
    _build(landing, warehouse, tmp_path, "--full-refresh")
    assert [_query(warehouse, query) for query in queries] == kept
