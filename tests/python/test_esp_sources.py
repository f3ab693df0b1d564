"""Email-service-provider loaders: SendGrid, Amazon SES, Mandrill and Postmark webhooks.

Every vendor's published sample payloads must load completely; bad input must be quarantined
with a clear reason, and a second run must not change the warehouse.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import write

from ingestion.framework import Source, SourceResult, load_source
from ingestion.sources.mandrill import SOURCE as MANDRILL
from ingestion.sources.postmark import SOURCE as POSTMARK
from ingestion.sources.sendgrid import SOURCE as SENDGRID
from ingestion.sources.ses import SOURCE as SES

SAMPLES = Path("/work/shared/data/esp_webhooks")

# A SendGrid event as the Event Webhook sends it.
GOOD_EVENT = {
    "email": "a@example.com",
    "timestamp": 1700000000,
    "event": "delivered",
    "sg_event_id": "ev-1",
    "sg_message_id": "msg-1",
    "response": "250 OK",
    "category": ["welcome", "onboarding"],
}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def quiet(_: str) -> None:
    """Swallow the loader's progress lines."""


def load(source: Source, landing: Path, warehouse: Path) -> SourceResult:
    return load_source(source, landing, warehouse, log=quiet)


def query(warehouse: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(warehouse: Path, dataset: str) -> dict[str, object]:
    """Row count of every table of the dataset, plus the landing_files manifest itself."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [dataset],
            ).fetchall()
        ]
        state: dict[str, object] = {
            t: con.execute(f'select count(*) from {dataset}."{t}"').fetchone()[0] for t in tables
        }
        state["landing_files rows"] = con.execute(
            f"select * exclude (_dlt_load_id) from {dataset}.landing_files order by landing_file"
        ).fetchall()
        return state
    finally:
        con.close()


def land(landing: Path, folder: str, name: str, text: str) -> Path:
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def copy_samples(landing: Path, folder: str, names: list[str]) -> None:
    (landing / folder).mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, landing / folder / name)


def quarantine_reasons(warehouse: Path, dataset: str) -> list[str]:
    return [
        r[0] for r in query(warehouse, f"select reason from {dataset}.quarantine order by reason")
    ]


# --------------------------------------------------------------------------------------------
# vendor samples


# source, sample files, raw rows expected in events, (where clause, expected timestamp) checks
CASES = {
    "sendgrid": (
        SENDGRID,
        ["sendgrid_events.json"],
        12,
        [
            ("event = 'processed'", utc(2017, 12, 15, 0, 59, 29)),
            ("event = 'bounce' and type = 'blocked'", utc(2017, 12, 15, 0, 59, 29)),
        ],
    ),
    "ses": (
        SES,
        ["amazon_ses_event_publishing.json", "amazon_ses_notifications.json"],
        # 10 publishing records with one recipient each; notifications: 1 + 2 + 1 + 1 + 1
        16,
        [
            (
                "event_type = 'Bounce' and record_format = 'event_publishing'",
                utc(2017, 8, 5, 0, 41, 2, 669000),
            ),
            # no send.timestamp: mail.timestamp
            ("event_type = 'Send'", utc(2016, 10, 14, 5, 2, 16, 645000)),
            ("event_type = 'Rendering Failure'", utc(2018, 1, 22, 18, 43, 6, 197000)),
            ("event_type = 'Open'", utc(2017, 8, 9, 22, 0, 19, 652000)),
            ("event_type = 'Subscription'", utc(2022, 1, 12, 1, 0, 17, 910000)),
            ("event_type = 'DeliveryDelay'", utc(2020, 6, 16, 0, 25, 40, 95000)),
            (
                "record_format = 'notification' and event_type = 'Delivery'",
                utc(2016, 1, 27, 14, 59, 38, 237000),
            ),
        ],
    ),
    "mandrill": (
        MANDRILL,
        ["mandrill_events.json"],
        14,
        [
            ("event = 'hard_bounce'", utc(2020, 2, 3, 20, 34, 34)),
            ("sync_type = 'whitelist' and sync_action = 'add'", utc(2020, 2, 3, 20, 34, 34)),
        ],
    ),
    "postmark": (
        POSTMARK,
        ["postmark_legacy_events.json"],
        3,
        [
            # -04:00 offset; 7 fractional digits truncated to microseconds
            ("event = 'bounce'", utc(2014, 8, 1, 17, 28, 10, 273539)),
            # no offset: UTC
            ("event = 'open'", utc(2014, 6, 1, 12, 0, 0)),
        ],
    ),
}


@pytest.mark.parametrize("vendor", list(CASES))
def test_vendor_samples_load_completely_and_idempotently(vendor: str, tmp_path: Path) -> None:
    source, files, expected_rows, checks = CASES[vendor]
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    copy_samples(landing, source.folder, files)
    dataset = source.dataset

    first = load(source, landing, warehouse)

    assert first.files_loaded == len(files)
    assert first.rows_quarantined == 0
    assert first.tables["events"].loaded == expected_rows
    assert query(warehouse, f"select count(*) from {dataset}.events") == [(expected_rows,)]
    manifest = query(
        warehouse,
        f"select sum(rows_in), sum(rows_loaded), sum(rows_quarantined), sum(rows_deduplicated) "
        f"from {dataset}.landing_files",
    )
    assert manifest == [(first.rows_in, first.rows_in, 0, 0)]
    for where, expected in checks:
        got = query(warehouse, f'select distinct "timestamp" from {dataset}.events where {where}')
        assert got == [(expected,)], where
    # keys are unique, every row keeps its origin (and its payload, where the vendor's
    # events are not fully typed into columns)
    key = source.tables[0].primary_key
    payload = "count(*)" if vendor == "sendgrid" else "count(payload)"
    assert query(
        warehouse,
        f"select count(distinct {key}), {payload}, count(_landing_file), "
        f"count(_record_number) from {dataset}.events",
    ) == [(expected_rows,) * 4]

    before = snapshot(warehouse, dataset)
    second = load(source, landing, warehouse)
    assert second.files_skipped == len(files)
    assert second.files_loaded == 0
    assert snapshot(warehouse, dataset) == before


def test_sendgrid_custom_args_and_unknown_fields_are_kept(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    event = {
        "email": "ann@example.com",
        "timestamp": 1700000000,
        "event": "open",
        "sg_event_id": "e1",
        "category": ["welcome", "onboarding"],
        "customer_id": "c-42",  # a custom (unique) arg, sent at the top level
        "singlesend_id": "s-7",  # a field SendGrid added that has no column
    }
    plain = {**event, "sg_event_id": "e2"}
    for key in ("customer_id", "singlesend_id"):
        plain.pop(key)
    write(landing / "sendgrid" / "post.json", json.dumps([event, plain]) + "\n")
    load(SENDGRID, landing, warehouse)
    rows = query(
        warehouse,
        "select sg_event_id, category, other_fields from raw_sendgrid.events order by 1",
    )
    assert [(r[0], json.loads(r[1]), r[2] and json.loads(r[2])) for r in rows] == [
        ("e1", ["welcome", "onboarding"], {"customer_id": "c-42", "singlesend_id": "s-7"}),
        ("e2", ["welcome", "onboarding"], None),
    ]


def test_sendgrid_bounce_and_blocked_share_an_event_id(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    copy_samples(landing, "sendgrid", ["sendgrid_events.json"])
    load(SENDGRID, landing, warehouse)
    rows = query(
        warehouse,
        "select type, reason, status, category from raw_sendgrid.events "
        "where sg_event_id = '6g4ZI7SA-xmRDv57GoPIPw==' order by type",
    )
    assert rows == [
        ("blocked", "500 unknown recipient", "5.0.0", '"cat facts"'),
        ("bounce", "500 unknown recipient", "5.0.0", '"cat facts"'),
    ]


def test_ses_one_row_per_recipient(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    copy_samples(landing, "ses", ["amazon_ses_notifications.json"])
    load(SES, landing, warehouse)
    rows = query(
        warehouse,
        "select _record_number, recipient, bounce_type, bounce_sub_type, status, "
        "diagnostic_code from raw_ses.events where event_type = 'Bounce' order by all",
    )
    assert rows == [
        (
            1,
            "jane@example.com",
            "Permanent",
            "General",
            "5.1.1",
            "smtp; 550 5.1.1 <jane@example.com>... User",
        ),
        (2, "jane@example.com", "Permanent", "General", None, None),
        (2, "richard@example.com", "Permanent", "General", None, None),
    ]
    # both rows of the two-recipient bounce share the record key
    assert query(
        warehouse,
        "select count(distinct event_key), count(distinct event_recipient_key) "
        "from raw_ses.events where _record_number = 2 and event_type = 'Bounce'",
    ) == [(1, 2)]

    # the same records re-delivered in a later file: insert-only, no new rows
    shutil.copy(landing / "ses" / "amazon_ses_notifications.json", landing / "ses" / "z.json")
    again = load(SES, landing, warehouse)
    assert again.files_loaded == 1
    assert query(warehouse, "select count(*) from raw_ses.events") == [(6,)]


# --------------------------------------------------------------------------------------------
# bad input and batch shapes


def test_sendgrid_bad_input_is_quarantined_and_counted(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    good = [
        {**GOOD_EVENT, "sg_event_id": f"ev-{i}", "event": event}
        for i, event in enumerate(["processed", "delivered", "open"], start=1)
    ]
    yesterday = {**GOOD_EVENT, "sg_event_id": "ev-4", "timestamp": "yesterday"}
    lines = [
        json.dumps([*good, yesterday]),
        '{"email": "b@example.com", "event": "open", "timestamp": 17',
        json.dumps(good[1]),
    ]
    land(landing, "sendgrid", "batch.json", "\n".join(lines) + "\n")

    result = load(SENDGRID, landing, warehouse)

    assert result.rows_in == 6
    assert result.tables["events"].loaded == 3
    assert result.tables["events"].quarantined == 2
    assert result.tables["events"].deduplicated == 1
    assert quarantine_reasons(warehouse, "raw_sendgrid") == [
        "invalid JSON on line 2",
        "timestamp: not epoch seconds: yesterday",
    ]
    assert query(
        warehouse,
        "select rows_in, rows_loaded, rows_quarantined, rows_deduplicated "
        "from raw_sendgrid.landing_files",
    ) == [(6, 3, 2, 1)]
    assert query(
        warehouse, "select sg_event_id, _record_number from raw_sendgrid.events order by 1"
    ) == [("ev-1", 1), ("ev-2", 2), ("ev-3", 3)]
    assert query(
        warehouse, "select category from raw_sendgrid.events where sg_event_id = 'ev-1'"
    ) == [('["welcome","onboarding"]',)]


def test_sendgrid_one_post_per_line(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    posts = [
        [{**GOOD_EVENT, "sg_event_id": f"p{post}-e{i}"} for i in range(size)]
        for post, size in enumerate([3, 1, 4])
    ]
    land(landing, "sendgrid", "posts.jsonl", "\n".join(json.dumps(p) for p in posts) + "\n")

    result = load(SENDGRID, landing, warehouse)

    assert result.rows_in == 8
    assert result.tables["events"].loaded == 8
    assert result.rows_quarantined == 0
    assert query(warehouse, "select count(distinct sg_event_id) from raw_sendgrid.events") == [(8,)]
    assert query(warehouse, "select distinct timestamp from raw_sendgrid.events") == [
        (utc(2023, 11, 14, 22, 13, 20),)
    ]


def test_sendgrid_rejects_missing_fields(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    events = [
        {"timestamp": 1700000000, "event": "open"},
        {"email": "a@example.com", "timestamp": 1700000000},
        {"email": "a@example.com", "event": "open"},
        # milliseconds instead of seconds
        {"email": "a@example.com", "event": "open", "timestamp": 1700000000000},
        "not an object",
    ]
    land(landing, "sendgrid", "bad.json", json.dumps(events))

    result = load(SENDGRID, landing, warehouse)

    assert result.tables["events"].loaded == 0
    assert quarantine_reasons(warehouse, "raw_sendgrid") == [
        "missing email",
        "missing event",
        "missing timestamp",
        "record is not a JSON object",
        "timestamp: epoch seconds out of range: 1700000000000",
    ]


def test_ses_sns_envelope_and_rejects(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    samples = json.loads((SAMPLES / "amazon_ses_notifications.json").read_text())
    delivery = samples[-1]
    envelope = {
        "Type": "Notification",
        "MessageId": "sns-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
        "Message": json.dumps(delivery),
        "Timestamp": "2016-01-27T14:59:39.000Z",
    }
    no_recipient = json.loads(json.dumps(delivery))
    no_recipient["delivery"]["recipients"] = []
    no_recipient["mail"]["destination"] = []
    bad_time = json.loads(json.dumps(delivery))
    bad_time["delivery"]["timestamp"] = "soon"
    untyped = {"mail": delivery["mail"]}
    lines = [envelope, no_recipient, bad_time, untyped]
    land(landing, "ses", "mixed.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")

    result = load(SES, landing, warehouse)

    assert result.tables["events"].loaded == 1
    assert query(
        warehouse,
        "select sns_message_id, recipient, event_type, timestamp, smtp_response "
        "from raw_ses.events",
    ) == [
        (
            "sns-1",
            "jane@example.com",
            "Delivery",
            utc(2016, 1, 27, 14, 59, 38, 237000),
            "250 ok:  Message 64111812 accepted",
        )
    ]
    assert quarantine_reasons(warehouse, "raw_ses") == [
        "missing eventType/notificationType",
        "missing recipient",
        "timestamp: unparseable timestamp: soon",
    ]


def test_mandrill_rejects(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    sample = json.loads((SAMPLES / "mandrill_events.json").read_text())
    send = sample[0]
    no_ts = {k: v for k, v in send.items() if k != "ts"}
    no_event = {k: v for k, v in send.items() if k != "event"}
    no_email = json.loads(json.dumps(send))
    del no_email["msg"]["email"]
    wrapper = {"mandrill_events": [send]}
    # a message time in milliseconds is not the event time: the event still loads
    odd_msg_ts = json.loads(json.dumps(send))
    odd_msg_ts["msg"]["ts"] = 1365109999000
    lines = [send, no_ts, no_event, no_email, wrapper, odd_msg_ts]
    land(landing, "mandrill", "batch.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")

    result = load(MANDRILL, landing, warehouse)

    assert result.tables["events"].loaded == 2
    assert query(
        warehouse,
        "select _record_number, timestamp, message_sent_at from raw_mandrill.events order by 1",
    ) == [
        (1, utc(2020, 2, 3, 20, 34, 34), utc(2013, 4, 4, 21, 13, 19)),
        (6, utc(2020, 2, 3, 20, 34, 34), None),
    ]
    assert quarantine_reasons(warehouse, "raw_mandrill") == [
        "mandrill_events wrapper object: land the JSON array of events itself",
        "missing email",
        "missing event type (event, or type for sync events)",
        "missing ts",
    ]


def test_postmark_record_type_format(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    records = [
        {
            "RecordType": "Bounce",
            "MessageStream": "outbound",
            "ID": 4323372036854775807,
            "Type": "HardBounce",
            "TypeCode": 1,
            "Name": "Hard bounce",
            "MessageID": "m-1",
            "ServerID": 23,
            "Email": "john@example.com",
            "BouncedAt": "2019-11-05T16:33:54.9070259Z",
            "Inactive": True,
        },
        {
            "RecordType": "Click",
            "MessageID": "m-1",
            "Recipient": "john@example.com",
            "ReceivedAt": "2019-11-05T18:00:00+02:00",
            "OriginalLink": "https://example.com/a",
            "UserAgent": "UA",
            "Geo": {"IP": "192.0.2.7"},
        },
        {
            "RecordType": "SubscriptionChange",
            "MessageID": "m-1",
            "Recipient": "john@example.com",
            "ChangedAt": "2020-02-01T10:53:34",
            "Origin": "Recipient",
            "SuppressSending": True,
            "SuppressionReason": "ManualSuppression",
        },
        {"RecordType": "Open", "Recipient": "john@example.com"},
        {"RecordType": "Delivery", "DeliveredAt": "2020-02-01T10:53:34Z"},
        {"webhook": "bounce"},
    ]
    land(landing, "postmark", "events.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")

    result = load(POSTMARK, landing, warehouse)

    assert result.tables["events"].loaded == 3
    assert query(
        warehouse,
        "select event, record_format, postmark_id, type, inactive, url, ip, suppress_sending, "
        "timestamp from raw_postmark.events order by _record_number",
    ) == [
        (
            "Bounce",
            "record_type",
            "4323372036854775807",
            "HardBounce",
            True,
            None,
            None,
            None,
            utc(2019, 11, 5, 16, 33, 54, 907025),
        ),
        (
            "Click",
            "record_type",
            None,
            None,
            None,
            "https://example.com/a",
            "192.0.2.7",
            None,
            utc(2019, 11, 5, 16, 0, 0),
        ),
        (
            "SubscriptionChange",
            "record_type",
            None,
            None,
            None,
            None,
            None,
            True,
            utc(2020, 2, 1, 10, 53, 34),
        ),
    ]
    assert quarantine_reasons(warehouse, "raw_postmark") == [
        "legacy webhook without a payload object",
        "missing email (Email or Recipient)",
        "missing timestamp (BouncedAt, DeliveredAt, ReceivedAt, ClickedAt or ChangedAt)",
    ]
