"""Loaders: own-data CSV imports, Segment samples, shop orders, idempotency and quarantine."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SHARED_DATA, copy_sample, write

from ingestion.mappings import online_retail

CRM_HEADER = (
    "contact_id,email,phone,first_name,last_name,date_of_birth,street_address,city,postcode,"
    "state,country,email_opt_in,created_at,updated_at,is_deleted,merged_into_contact_id"
)


def _table(query, sql: str) -> list[tuple]:
    return sorted(query(sql), key=repr)


def test_crm_import_keeps_extra_columns_and_quarantines_bad_rows(landing, load, query):
    write(
        landing / "crm_contacts" / "contacts_2026-10-01.csv",
        CRM_HEADER + ",loyalty_tier\n"
        "c1, Jane@X.com ,+44 20 7946 0958,Jane,Doe,1985-03-07,1 Main St,London,SW1A 1AA,,GB,"
        "yes,2026-01-01T10:00:00Z,2026-01-02 10:00:00,false,,gold\n"
        "c2,,,,,,,,,,,,,,,,\n"
        "c3,bob@y.com,,Bob,,not a date,,,,,,maybe,2026-01-01,2026-01-01,,,\n"
        ",ghost@z.com,,,,,,,,,,,,,,,\n",
    )
    result = load("crm")

    assert result.rows_in == 4
    assert result.tables["contacts"].loaded == 2
    assert result.tables["contacts"].quarantined == 2
    rows = _table(query, "select contact_id, email, loyalty_tier from raw_crm.contacts")
    # only contact_id is required; the extra column is kept as text
    assert rows == [("c1", " Jane@X.com ", "gold"), ("c2", None, None)]
    reasons = dict(query("select record_number, reason from raw_crm.quarantine"))
    assert reasons[3] == (
        "date_of_birth: not a date: not a date; email_opt_in: not a boolean: maybe"
    )
    assert reasons[4] == "missing contact_id"
    raw = json.loads(
        query("select raw_record from raw_crm.quarantine where record_number = 4")[0][0]
    )
    assert raw["email"] == "ghost@z.com"
    [(rows_in, loaded, quarantined, dedup)] = query(
        "select rows_in, rows_loaded, rows_quarantined, rows_deduplicated "
        "from raw_crm.landing_files"
    )
    assert (rows_in, loaded, quarantined, dedup) == (4, 2, 2, 0)


def test_crm_later_export_updates_rows_and_reload_changes_nothing(landing, load, query):
    write(
        landing / "crm_contacts" / "contacts_2026-10-01.csv",
        CRM_HEADER + "\n"
        "c1,jane@x.com,,Jane,Doe,,,,,,,true,2026-01-01,2026-01-01,false,\n"
        "c2,bob@y.com,,Bob,,,,,,,,true,2026-01-01,2026-01-01,false,\n",
    )
    load("crm")
    write(
        landing / "crm_contacts" / "contacts_2026-10-08.csv",
        CRM_HEADER + "\n"
        "c1,jane.doe@x.com,,Jane,Doe,,,,,,,false,2026-01-01,2026-10-07,false,\n"
        "c1,jane@x.com,,Jane,Doe,,,,,,,true,2026-01-01,2026-01-05,false,\n"
        "c2,bob@y.com,,Bob,,,,,,,,true,2026-01-01,2026-10-08,true,c1\n",
    )
    result = load("crm")
    assert result.files_skipped == 1
    assert result.tables["contacts"].deduplicated == 1  # the older c1 version in the same file
    before = _table(query, "select * exclude (_dlt_load_id) from raw_crm.contacts")
    assert [(r[0], r[1], r[11], r[14], r[15]) for r in before] == [
        ("c1", "jane.doe@x.com", False, False, None),
        ("c2", "bob@y.com", True, True, "c1"),
    ]

    again = load("crm")
    assert again.files_skipped == 2 and again.rows_in == 0
    assert _table(query, "select * exclude (_dlt_load_id) from raw_crm.contacts") == before
    assert query("select count(*) from raw_crm.landing_files") == [(2,)]


def test_segment_spec_samples_load_and_ecommerce_properties_in_envelopes(landing, load, query):
    copy_sample("tracking/segment_spec_examples.json", landing / "segment")
    # The e-commerce samples are properties only; a real message wraps them in a track call.
    examples = json.loads((SHARED_DATA / "tracking/segment_ecommerce_v2_examples.json").read_text())
    lines = [
        json.dumps(
            {
                "type": "track",
                "event": e["event"],
                "properties": e["properties"],
                "messageId": f"ecom-{i}",
                "anonymousId": "anon-1",
                "timestamp": f"2026-10-01T10:{i:02d}:00.000Z",
            }
        )
        for i, e in enumerate(examples)
    ]
    write(landing / "segment" / "2026-10-01" / "events_2026-10-01T10.jsonl", "\n".join(lines))
    result = load("segment")

    assert result.rows_quarantined == 0
    assert query("select count(*) from raw_segment.identifies") == [(1,)]
    assert query("select count(*) from raw_segment.pages") == [(1,)]
    assert query("select count(*) from raw_segment.tracks") == [(1 + len(examples),)]
    [(props,)] = query("select properties from raw_segment.tracks where event = 'Order Completed'")
    assert json.loads(props)["order_id"] == "50314b8e9bcf000000000000"
    [(ts,)] = query(
        "select strftime(timezone('UTC', \"timestamp\"), '%Y-%m-%d %H:%M:%S.%g') "
        "from raw_segment.identifies"
    )
    assert ts == "2015-02-23 22:28:55.111"


def test_segment_bad_lines_are_quarantined_while_good_ones_load(landing, load, query):
    good = {
        "type": "page",
        "messageId": "m1",
        "anonymousId": "a1",
        "timestamp": "2026-10-01T00:00:00Z",
    }
    write(
        landing / "segment" / "h.jsonl",
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps(good),  # at-least-once delivery: same messageId again
                json.dumps({**good, "messageId": "m2", "timestamp": "yesterday"}),
                json.dumps({**good, "messageId": "m3", "anonymousId": None}),
                json.dumps({**good, "messageId": "m4", "type": "alias"}),
                json.dumps({**good, "messageId": "m5", "type": "track"}),
                "",
            ]
        ),
    )
    # the whole ecommerce sample file, as is, has no envelope: every record is quarantined
    copy_sample("tracking/segment_ecommerce_v2_examples.json", landing / "segment")
    result = load("segment")

    assert query("select message_id from raw_segment.pages") == [("m1",)]
    reasons = dict(
        query(
            "select record_number, reason from raw_segment.quarantine "
            "where landing_file like '%h.jsonl'"
        )
    )
    assert reasons == {
        2: "invalid JSON on line 2",
        4: "timestamp: unparseable timestamp: yesterday",
        5: "missing both userId and anonymousId",
        6: "unsupported message type: alias",
        7: "track without event name",
    }
    assert query(
        "select count(*) from raw_segment.quarantine where landing_file like '%ecommerce%'"
    ) == [(11,)]
    files = query(
        "select rows_in, rows_loaded + rows_quarantined + rows_deduplicated, rows_deduplicated "
        "from raw_segment.landing_files order by landing_file"
    )
    assert files == [(7, 7, 1), (11, 11, 0)]
    assert result.rows_in == 18


def test_a_quarantined_copy_does_not_shadow_a_good_one_with_the_same_key(landing, load, query):
    good = {
        "type": "track",
        "event": "Product Viewed",
        "messageId": "m1",
        "userId": "u1",
        "timestamp": "2026-10-01T00:00:00Z",
    }
    # the first delivery of m1 is broken, the second is good, the third repeats the second
    bad = {**good, "timestamp": "not a time"}
    write(
        landing / "segment" / "h.jsonl",
        "\n".join(json.dumps(m) for m in [bad, good, good]) + "\n",
    )
    load("segment")

    assert query("select message_id, _record_number from raw_segment.tracks") == [("m1", 2)]
    assert query("select record_number from raw_segment.quarantine") == [(1,)]
    assert query(
        "select rows_in, rows_loaded, rows_quarantined, rows_deduplicated "
        "from raw_segment.landing_files"
    ) == [(3, 1, 1, 1)]


def test_a_message_redelivered_in_a_later_file_is_not_loaded_twice(landing, load, query):
    def message(n: int, day: int) -> str:
        return json.dumps(
            {
                "type": "track",
                "event": "Product Viewed",
                "messageId": f"m{n}",
                "userId": "u1",
                "timestamp": f"2026-10-{day:02d}T12:00:00Z",
            }
        )

    write(landing / "segment" / "a.jsonl", "\n".join([message(1, 1), message(2, 20)]) + "\n")
    load("segment")
    # Segment retries: m1 again (with its own timestamp), between m3 and m4 of other days
    write(
        landing / "segment" / "b.jsonl",
        "\n".join([message(3, 2), message(1, 1), message(4, 25)]) + "\n",
    )
    load("segment")

    assert query("select message_id from raw_segment.tracks order by 1") == [
        ("m1",),
        ("m2",),
        ("m3",),
        ("m4",),
    ]
    assert query(
        "select rows_in, rows_loaded, rows_deduplicated from raw_segment.landing_files "
        "where landing_file like '%b.jsonl'"
    ) == [(3, 2, 1)]


def test_shop_order_update_replaces_lines_and_adds_refund(landing, load, query):
    order = {
        "id": "1001",
        "email": "Jane@X.com",
        "customer": {"id": "c_1"},
        "currency": "usd",
        "financial_status": "paid",
        "total_price": "59.90",
        "created_at": "2026-10-01T12:00:00Z",
        "updated_at": "2026-10-01T12:00:00Z",
        "line_items": [
            {"id": "1001-1", "product_id": "P1", "quantity": 2, "price": "27.45"},
            {"product_id": "P2", "quantity": 1, "price": "5.00"},
        ],
        "refunds": [],
    }
    write(landing / "shop_orders" / "orders_2026-10-01.jsonl", json.dumps(order) + "\n")
    load("shop")
    refunded = {
        **order,
        "financial_status": "partially_refunded",
        "updated_at": "2026-10-03T09:00:00+02:00",
        "refunds": [
            {
                "id": "r1",
                "created_at": "2026-10-03T07:00:00Z",
                "refund_line_items": [
                    {"line_item_id": "1001-1", "quantity": 1, "subtotal": "27.45"}
                ],
            }
        ],
    }
    write(landing / "shop_orders" / "orders_2026-10-03.jsonl", json.dumps(refunded) + "\n")
    load("shop")

    assert query("select order_id, financial_status, currency from raw_shop.orders") == [
        ("1001", "partially_refunded", "USD")
    ]
    assert _table(query, "select line_item_id, quantity, price from raw_shop.order_line_items") == [
        ("1001-1", 2, Decimal("27.45")),
        ("1001-2", 1, Decimal("5.00")),
    ]
    assert query("select refund_id, refunded_amount from raw_shop.refunds") == [
        ("r1", Decimal("27.45"))
    ]


def test_online_retail_loads_through_order_lines_import(landing, load, query, tmp_path: Path):
    """The real retailer file, mapped to the documented import, loads every line."""
    target = landing / "order_lines" / "online_retail.csv"
    assert online_retail.convert(online_retail.DEFAULT_INPUT, target) == 541_909
    result = load("order_import")

    assert result.rows_in == 541_909
    assert result.rows_quarantined == 0
    [(lines, customers, revenue, returns)] = query(
        """
        select
            count(*),
            count(distinct customer_id) filter (where quantity > 0),
            sum(quantity * unit_price) filter (where quantity > 0 and customer_id is not null),
            count(*) filter (where status = 'refunded')
        from raw_order_import.order_lines
        """
    )
    # Widely quoted facts about this file (shared/data/README.md).
    assert lines == 541_909
    assert customers == 4_339
    assert round(revenue, 2) == Decimal("8911407.90")
    assert returns == 9_288
    # the file's extra Country column is kept, for every line
    assert query(
        "select count(country), count(*) filter (where country = 'United Kingdom') "
        "from raw_order_import.order_lines"
    ) == [(541_909, 495_478)]


def test_order_lines_import_rejects_bad_types_with_reasons(landing, load, query):
    write(
        landing / "order_lines" / "history.csv",
        "order_id,customer_id,email,ordered_at,product_id,product_name,category,quantity,"
        "unit_price,currency,status\n"
        "o1,c1,a@b.com,2026-01-01T10:00:00Z,p1,Mug,Home,2,9.99,EUR,completed\n"
        "o1,c1,a@b.com,2026-01-01T10:00:00Z,p1,Mug,Home,2,9.99,EUR,completed\n"
        "o2,c1,a@b.com,01/13/2026,p1,Mug,Home,two,9.99,euro,completed\n"
        "o3,c1,a@b.com,2026-01-02,p1,Mug,Home,-1,9.99,EUR,refunded\n"
        "o4,c1,too,many,fields,here,x,1,1,EUR,completed,extra,fields\n",
    )
    result = load("order_import")

    # identical lines of one order are two lines (real exports have them), not a duplicate
    assert query("select order_line_id from raw_order_import.order_lines order by 1") == [
        ("o1-1",),
        ("o1-2",),
        ("o3-1",),
    ]
    reasons = sorted(r[0] for r in query("select reason from raw_order_import.quarantine"))
    assert reasons[0].startswith("ordered_at: unparseable timestamp: 01/13/2026; quantity: not a")
    assert "currency: not an ISO 4217 code: euro" in reasons[0]
    assert reasons[1].startswith("wrong number of fields")
    assert result.rows_in == 5


def test_late_older_version_does_not_overwrite_and_lines_are_replaced(landing, load, query):
    def order(updated_at: str, status: str, lines: list[dict]) -> str:
        return json.dumps(
            {
                "id": "2001",
                "currency": "EUR",
                "financial_status": status,
                "created_at": "2026-10-01T12:00:00Z",
                "updated_at": updated_at,
                "line_items": lines,
            }
        )

    two_lines = [
        {"id": "a", "product_id": "P1", "quantity": 1, "price": "10.00"},
        {"id": "b", "product_id": "P2", "quantity": 1, "price": "5.00"},
    ]
    write(
        landing / "shop_orders" / "o1.jsonl", order("2026-10-05T00:00:00Z", "refunded", two_lines)
    )
    load("shop")
    # an export from before the refund arrives late: it must not win
    write(landing / "shop_orders" / "o2.jsonl", order("2026-10-02T00:00:00Z", "paid", two_lines))
    late = load("shop")
    assert late.tables["orders"].deduplicated == 1
    assert query("select financial_status from raw_shop.orders") == [("refunded",)]
    # a newer version with one line left replaces the order's lines
    write(
        landing / "shop_orders" / "o3.jsonl", order("2026-10-09T00:00:00Z", "paid", two_lines[:1])
    )
    load("shop")
    assert query("select financial_status from raw_shop.orders") == [("paid",)]
    assert query("select line_item_id from raw_shop.order_line_items") == [("a",)]


def test_csv_without_required_header_is_quarantined_whole_and_others_load(landing, load, query):
    write(landing / "crm_contacts" / "a_good.csv", CRM_HEADER + "\nc1,a@b.com" + "," * 14 + "\n")
    write(landing / "crm_contacts" / "b_bad.csv", "id,email\n1,x@y.com\n")
    result = load("crm")

    assert query("select contact_id from raw_crm.contacts") == [("c1",)]
    [(reason, raw)] = query("select reason, raw_record from raw_crm.quarantine")
    assert reason == "header is missing required column(s): contact_id"
    assert raw == "id,email\n1,x@y.com\n"
    assert result.rows_in == 2


def _lines_as_python_splits(content: bytes) -> list[str]:
    """What ``_json_lines`` must return, written the obvious way."""
    text = content.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def test_json_lines_are_the_files_lines_in_every_layout(tmp_path, monkeypatch):
    import duckdb

    from ingestion import framework

    cases = {
        "plain": b'{"a":1}\n{"b":"a long value of more than twelve bytes"}\n',
        "no_final_break": b'{"a":1}\n{"b":2}',
        "crlf_and_blank": b'{"a":1}\r\n\r\n\n  \n{"bb":"\xc3\xa9t\xc3\xa9 \xe2\x82\xac"}\r\n',
        "short_and_empty": b"x\n\n[]\n{}\n123456789012\n1234567890123\n",
        "not_utf8": b'{"a":"\xff\xfe"}\n{"b":1}\n',
        "empty": b"",
        "array_lines": b'[{"a":1},{"a":2}]\n[{"a":3}]\n',
    }
    con = duckdb.connect()
    # tiny pieces: every line lands in its own Arrow buffer, as a file over 2 GB would
    for piece_bytes in (framework.VIEW_PIECE_BYTES, 64):
        monkeypatch.setattr(framework, "VIEW_PIECE_BYTES", piece_bytes)
        for name, content in cases.items():
            path = tmp_path / f"{name}.jsonl"
            path.write_bytes(content)
            f = framework.LandingFile(path=path, relative=path.name, size=len(content), mtime_ns=0)
            table = framework._json_lines(con, f)
            assert table["line"].to_pylist() == _lines_as_python_splits(content), name
            assert table["line_number"].to_pylist() == list(range(1, table.num_rows + 1))
            # DuckDB reads the views as the same text
            con.register("t", table)
            assert [r[0] for r in con.sql("select line::varchar from t").fetchall()] == (
                _lines_as_python_splits(content)
            ), name
            con.unregister("t")

    # a line longer than a piece is an error that names the file, not a wrong split
    long_line = tmp_path / "long.jsonl"
    long_line.write_bytes(b'{"a":"' + b"x" * 100 + b'"}\n')
    f = framework.LandingFile(path=long_line, relative="long.jsonl", size=0, mtime_ns=0)
    with pytest.raises(ValueError, match="long.jsonl"):
        framework._json_lines(con, f)

    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(b'[\n  {"a": 1},\n  {"a": 2}\n]\n')
    f = framework.LandingFile(path=pretty, relative="pretty.json", size=0, mtime_ns=0)
    # one document over several lines is one line
    assert framework._json_lines(con, f)["line"].to_pylist() == [pretty.read_text()]
