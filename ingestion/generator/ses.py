"""Transactional email through Amazon SES, as event-publishing records.

Records go to ``ses/YYYY-MM-DD/ses_YYYY-MM-DDTHH.jsonl`` (one record per line, by the hour of
the event), each carrying the ``mail`` object of the message and its own event object.
"""

from __future__ import annotations

from typing import Any

from ingestion.generator.clock import DAY_MS, HOUR_MS, MINUTE_MS, date_str, hour_str, iso_ms
from ingestion.generator.ids import digits_token, uuid4
from ingestion.generator.people import random_ip
from ingestion.generator.reference import APPLE_MPP_UA, SHOP_DOMAIN, SHOP_NAME, SITE
from ingestion.generator.sink import dumps
from ingestion.generator.state import OrderPlan, Sim

_ACCOUNT = "123456789012"
_REGION = "eu-west-1"
_SOURCE = f"{SHOP_NAME} <orders@{SHOP_DOMAIN}>"
_SOURCE_IPS = ("192.0.2.10", "192.0.2.11")
_OUTGOING_IPS = ("198.51.100.140", "198.51.100.141", "198.51.100.142")

_SUBJECTS = {
    "order_confirmation": "Your Mailmart order {name} is confirmed",
    "shipping_confirmation": "Your order {name} is on its way",
    "refund_confirmation": "Your refund for order {name} has been processed",
    "welcome": "Welcome to Mailmart!",
}


def _mail(
    sim: Sim, sent_ms: int, dest: str, subject: str, kind: str, order_id: str | None
) -> dict[str, Any]:
    rng = sim.rng
    message_id = f"0102{sent_ms:012x}-{uuid4(rng)}-000000"
    boundary = f"----=_Part_{digits_token(rng, 7)}_{digits_token(rng, 10)}.{sent_ms}"
    tags: dict[str, list[str]] = {
        "ses:configuration-set": ["transactional"],
        "ses:source-ip": [rng.choice(_SOURCE_IPS)],
        "ses:from-domain": [SHOP_DOMAIN],
        "ses:caller-identity": ["shop-backend"],
        "email_type": [kind],
    }
    if order_id:
        tags["order_id"] = [order_id]
    return {
        "timestamp": iso_ms(sent_ms),
        "source": _SOURCE,
        "sourceArn": f"arn:aws:ses:{_REGION}:{_ACCOUNT}:identity/{SHOP_DOMAIN}",
        "sendingAccountId": _ACCOUNT,
        "messageId": message_id,
        "destination": [dest],
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": _SOURCE},
            {"name": "To", "value": dest},
            {"name": "Subject", "value": subject},
            {"name": "MIME-Version", "value": "1.0"},
            {"name": "Content-Type", "value": f'multipart/alternative; boundary="{boundary}"'},
        ],
        "commonHeaders": {
            "from": [_SOURCE],
            "to": [dest],
            "messageId": message_id,
            "subject": subject,
        },
        "tags": tags,
    }


def _emit(
    sim: Sim,
    ms: int,
    event_type: str,
    mail: dict[str, Any],
    key: str | None,
    body: dict[str, Any] | None,
) -> None:
    if ms > sim.world.end_ms:
        return
    record: dict[str, Any] = {"eventType": event_type, "mail": mail}
    if key is not None:
        record[key] = body or {}
    text = dumps(record)
    path = f"ses/{date_str(ms)}/ses_{hour_str(ms)}.jsonl"
    tiebreak = f"{mail['messageId']}:{event_type}:{ms}"
    sim.sink.line(path, ms, tiebreak, text)
    roll = sim.rng.random()
    if roll < 0.0005:
        sim.sink.line(path, ms, tiebreak, text)  # Firehose re-delivery
        sim.sink.counts["exact_duplicates"] += 1
    elif roll < 0.0015:
        sim.sink.line(path, ms, tiebreak + "~", text[: len(text) // 2])
        sim.bad("ses")


def send_mail(
    sim: Sim,
    kind: str,
    sent_ms: int,
    dest: str,
    order_id: str | None,
    order_name: str,
    bounces: bool,
) -> None:
    """Send one transactional email and publish its SES events.

    Args:
        sim: Person state.
        kind: Template (``order_confirmation``, ``welcome``...).
        sent_ms: Send time.
        dest: Recipient as stored by the shop (trimmed, case kept).
        order_id: Related order, if any.
        order_name: Order name used in the subject.
        bounces: The address does not exist.
    """
    rng, person = sim.rng, sim.person
    if sent_ms > sim.world.end_ms:
        return
    subject = _SUBJECTS[kind].format(name=order_name)
    mail = _mail(sim, sent_ms, dest, subject, kind, order_id)
    sim.truth.ident("email", dest)
    _emit(sim, sent_ms, "Send", mail, "send", {})
    t = sent_ms + rng.randrange(400, 6_000)
    feedback = f"0102{t:012x}-{uuid4(rng)}-000000"
    roll = rng.random()
    if bounces:
        _emit(
            sim,
            t,
            "Bounce",
            mail,
            "bounce",
            {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": dest,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": iso_ms(t),
                "feedbackId": feedback,
                "reportingMTA": "dsn; a8-31.smtp-out.amazonses.com",
            },
        )
        return
    if roll < 0.0008:
        _emit(sim, t, "Reject", mail, "reject", {"reason": "Bad content"})
        return
    if roll < 0.005:
        _emit(
            sim,
            t,
            "Bounce",
            mail,
            "bounce",
            {
                "bounceType": "Transient",
                "bounceSubType": rng.choice(("MailboxFull", "General")),
                "bouncedRecipients": [
                    {
                        "emailAddress": dest,
                        "action": "failed",
                        "status": "4.2.2",
                        "diagnosticCode": "smtp; 452 4.2.2 mailbox full",
                    }
                ],
                "timestamp": iso_ms(t),
                "feedbackId": feedback,
                "reportingMTA": "dsn; a8-31.smtp-out.amazonses.com",
            },
        )
        return
    if roll < 0.02:
        _emit(
            sim,
            t,
            "DeliveryDelay",
            mail,
            "deliveryDelay",
            {
                "timestamp": iso_ms(t),
                "delayType": "TransientCommunicationFailure",
                "expirationTime": iso_ms(t + DAY_MS),
                "delayedRecipients": [
                    {
                        "emailAddress": dest,
                        "status": "4.4.1",
                        "diagnosticCode": "smtp; 421 4.4.1 Unable to connect",
                    }
                ],
            },
        )
        t += rng.randrange(10 * MINUTE_MS, 3 * HOUR_MS)
    delivered_mail = dict(mail)
    delivered_mail["tags"] = {**mail["tags"], "ses:outgoing-ip": [rng.choice(_OUTGOING_IPS)]}
    _emit(
        sim,
        t,
        "Delivery",
        delivered_mail,
        "delivery",
        {
            "timestamp": iso_ms(t),
            "processingTimeMillis": t - sent_ms,
            "recipients": [dest],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a8-31.smtp-out.amazonses.com",
        },
    )
    if person.mpp:
        at = t + rng.randrange(5_000, 300_000)
        _emit(
            sim,
            at,
            "Open",
            mail,
            "open",
            {"ipAddress": random_ip(rng), "timestamp": iso_ms(at), "userAgent": APPLE_MPP_UA},
        )
    if rng.random() < min(0.25 + person.open_rate, 0.95):
        opened = t + rng.randrange(30_000, 2 * DAY_MS)
        device = rng.choice(person.devices) if person.devices else None
        agent = device.profile.user_agent if device else APPLE_MPP_UA
        ip = person.household.home_ip if rng.random() < 0.6 else random_ip(rng)
        for n in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15)):
            at = opened + n * rng.randrange(MINUTE_MS, DAY_MS)
            _emit(
                sim,
                at,
                "Open",
                mail,
                "open",
                {"ipAddress": ip, "timestamp": iso_ms(at), "userAgent": agent},
            )
        if order_id and rng.random() < 0.2:
            at = opened + rng.randrange(3_000, 120_000)
            link = (
                f"{SITE}/account/orders/{order_id}?utm_source=ses&utm_medium=email"
                f"&utm_campaign={kind}"
            )
            _emit(
                sim,
                at,
                "Click",
                mail,
                "click",
                {
                    "ipAddress": ip,
                    "link": link,
                    "linkTags": {"link_name": ["order_status"]},
                    "timestamp": iso_ms(at),
                    "userAgent": agent,
                },
            )
    roll = rng.random()
    if roll < 0.0006:
        at = t + rng.randrange(HOUR_MS, 2 * DAY_MS)
        _emit(
            sim,
            at,
            "Complaint",
            mail,
            "complaint",
            {
                "complainedRecipients": [{"emailAddress": dest}],
                "timestamp": iso_ms(at),
                "feedbackId": f"0102{at:012x}-{uuid4(rng)}-000000",
                "userAgent": "Yahoo!-Mail-Feedback/2.0",
                "complaintFeedbackType": "abuse",
                "arrivalDate": iso_ms(at - rng.randrange(1_000, 60_000)),
            },
        )
    elif roll < 0.0018:
        at = t + rng.randrange(MINUTE_MS, DAY_MS)
        _emit(
            sim,
            at,
            "Subscription",
            mail,
            "subscription",
            {
                "contactList": "MailmartCustomers",
                "timestamp": iso_ms(at),
                "source": "UnsubscribeHeader",
                "newTopicPreferences": {
                    "unsubscribeAll": True,
                    "topicSubscriptionStatus": [
                        {"topicName": "OrderUpdates", "subscriptionStatus": "OptOut"}
                    ],
                },
                "oldTopicPreferences": {
                    "unsubscribeAll": False,
                    "topicSubscriptionStatus": [
                        {"topicName": "OrderUpdates", "subscriptionStatus": "OptIn"}
                    ],
                },
            },
        )


def send_order_mails(sim: Sim, notices: list[tuple[str, int, OrderPlan, str | None]]) -> None:
    """Send confirmation, shipping and refund emails for orders with a usable address."""
    for kind, ms, plan, _ in notices:
        email = plan.email
        if not email or email.strip().lower().startswith("store@"):
            continue
        order_number = 1001 + sim.person.index * 64 + plan.seq
        send_mail(sim, kind, ms, email.strip(), plan.order_id, f"#{order_number}", plan.bounces)


def send_welcome_mails(sim: Sim) -> None:
    """Send the account welcome email after each sign-up."""
    for ms, email in sim.signup_emails:
        send_mail(
            sim, "welcome", ms + sim.rng.randrange(5_000, 60_000), email.strip(), None, "", False
        )
