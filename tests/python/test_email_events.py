"""The canonical email-event model on the vendors' own samples.

Every published SendGrid, SES, Mandrill and Postmark sample event must come out of
``events.int_email_events_unioned`` with the canonical type the mapping seed
``mailmart_email_event_types`` gives it; with no ESP loaded at all the model must still build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import copy_sample, run_dbt

from ingestion.framework import SourceResult

SELECT = ["build", "--select", "+int_email_events_unioned"]

# (landing folder, sample file under ../shared/data/esp_webhooks/)
SAMPLES = [
    ("sendgrid", "sendgrid_events.json"),
    ("ses", "amazon_ses_event_publishing.json"),
    ("ses", "amazon_ses_notifications.json"),
    ("mandrill", "mandrill_events.json"),
    ("postmark", "postmark_legacy_events.json"),
]

# Every sample event, counted by its canonical type. SES counts one row per recipient: the
# notifications sample has a bounce for two recipients.
EXPECTED_COUNTS = {
    ("sendgrid", "sent"): 1,  # processed
    ("sendgrid", "delivered"): 1,
    ("sendgrid", "deferred"): 1,
    ("sendgrid", "bounced"): 2,  # bounce (hard) and blocked (soft)
    ("sendgrid", "dropped"): 1,
    ("sendgrid", "opened"): 1,
    ("sendgrid", "clicked"): 1,
    ("sendgrid", "complained"): 1,  # spamreport
    ("sendgrid", "unsubscribed"): 2,  # unsubscribe, group_unsubscribe
    ("sendgrid", "resubscribed"): 1,  # group_resubscribe
    ("ses", "sent"): 1,  # Send
    ("ses", "delivered"): 2,
    ("ses", "deferred"): 1,  # DeliveryDelay
    ("ses", "bounced"): 4,  # 1 published + 3 notification recipients, all Permanent
    ("ses", "dropped"): 2,  # Reject, Rendering Failure
    ("ses", "opened"): 1,
    ("ses", "clicked"): 1,
    ("ses", "complained"): 3,
    ("ses", "unsubscribed"): 1,  # Subscription with unsubscribeAll true
    ("mandrill", "sent"): 1,
    ("mandrill", "deferred"): 1,  # deferral
    ("mandrill", "bounced"): 2,  # hard_bounce, soft_bounce
    ("mandrill", "dropped"): 1,  # reject
    ("mandrill", "opened"): 1,
    ("mandrill", "clicked"): 1,
    ("mandrill", "complained"): 1,  # spam
    ("mandrill", "unsubscribed"): 1,  # unsub
    ("mandrill", "other"): 5,  # blacklist add/change/remove, whitelist add/remove
    ("postmark", "delivered"): 1,
    ("postmark", "bounced"): 1,  # HardBounce
    ("postmark", "opened"): 1,
}


def event(query: Callable[[str], list[tuple]], where: str) -> tuple:
    """event_type, bounce_type, url and reason of the one event matching ``where``."""
    rows = query(
        "select event_type, bounce_type, url, reason "
        f"from events.int_email_events_unioned where {where}"
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_every_sample_event_gets_its_canonical_type(
    landing: Path,
    load: Callable[[str], SourceResult],
    warehouse: Path,
    query: Callable[[str], list[tuple]],
    tmp_path: Path,
) -> None:
    for folder, name in SAMPLES:
        copy_sample(f"esp_webhooks/{name}", landing / folder)
    for vendor in ("sendgrid", "ses", "mandrill", "postmark"):
        load(vendor)

    result = run_dbt(SELECT, warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]

    counts = query(
        "select vendor, event_type, count(*) from events.int_email_events_unioned group by all"
    )
    assert {(vendor, event_type): n for vendor, event_type, n in counts} == EXPECTED_COUNTS

    # SendGrid's sample has a `bounce` and a `blocked` bounce with the same sg_event_id
    assert event(query, "vendor = 'sendgrid' and vendor_subtype = 'blocked'")[:2] == (
        "bounced",
        "soft",
    )
    assert event(query, "vendor = 'sendgrid' and vendor_subtype = 'bounce'")[:2] == (
        "bounced",
        "hard",
    )
    assert event(
        query, "vendor = 'ses' and vendor_event = 'Bounce' and email = 'recipient@example.com'"
    ) == ("bounced", "hard", None, "smtp; 550 5.1.1 user unknown")
    assert event(query, "vendor = 'mandrill' and vendor_event = 'soft_bounce'")[:2] == (
        "bounced",
        "soft",
    )
    assert event(query, "vendor = 'mandrill' and vendor_event = 'click'")[:3] == (
        "clicked",
        None,
        "http://mandrill.com",
    )
    assert event(query, "vendor = 'postmark' and vendor_event = 'bounce'")[:2] == (
        "bounced",
        "hard",
    )

    # ids are prefixed with the vendor; times are UTC (BouncedAt 2014-08-01T13:28:10.27-04:00)
    ((event_id, occurred_at),) = query(
        "select event_id, occurred_at from events.int_email_events_unioned "
        "where vendor = 'postmark' and vendor_event = 'bounce'"
    )
    assert event_id.startswith("postmark:")
    assert occurred_at.isoformat() == "2014-08-01T17:28:10.273539"


def test_builds_empty_when_no_esp_was_loaded(
    warehouse: Path, query: Callable[[str], list[tuple]], tmp_path: Path
) -> None:
    result = run_dbt(SELECT, warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert query("select count(*) from events.int_email_events_unioned") == [(0,)]
