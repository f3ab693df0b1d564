"""Marketing email through SendGrid: campaigns, cart reminders and the Event Webhook feed.

Events go to ``sendgrid/YYYY-MM-DD/batch_YYYY-MM-DDTHH.json``; on render each line becomes one
webhook POST body (a JSON array of up to 100 events).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ingestion.generator.campaigns import (
    ASM_CART_REMINDERS,
    ASM_NEWSLETTER,
    Campaign,
)
from ingestion.generator.catalog import CATEGORY_NAMES
from ingestion.generator.clock import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    date_str,
    epoch_s,
    hour_str,
    local_to_utc,
)
from ingestion.generator.ids import b64_token, digits_token, hex_token
from ingestion.generator.people import random_ip
from ingestion.generator.reference import (
    APPLE_MPP_UA,
    GOOGLE_IMAGE_PROXY_UA,
    OUTLOOK_UA,
    SITE,
)
from ingestion.generator.state import Sim, Trigger

_SENDING_IPS = ("198.51.100.25", "198.51.100.26", "203.0.113.77")
_NO_MAILBOX = "550 5.1.1 The email account that you tried to reach does not exist."
_DROP_REASONS = {
    "bounce": "Bounced Address",
    "unsubscribe": "Unsubscribed Address",
    "spamreport": "Spam Reporting Address",
}


@dataclass(slots=True)
class Subscriber:
    """One address on the marketing list.

    Attributes:
        email: Address as SendGrid reports it (trimmed, lowercase).
        from_ms: Joined the list.
        until_ms: Left the list (contact deleted or merged, erasure); far future otherwise.
        dead: The mailbox does not exist (hard bounce on first send).
        suppressed: ``(ms, reason)`` once bounced, unsubscribed or reported as spam.
        group_unsubscribed: ASM group -> ms of a group unsubscribe still in effect.
        last_reminder_ms: Last cart reminder sent.
    """

    email: str
    from_ms: int
    until_ms: int
    dead: bool = False
    suppressed: tuple[int, str] | None = None
    group_unsubscribed: dict[int, int] = field(default_factory=dict)
    last_reminder_ms: int = 0


@dataclass(slots=True)
class _Message:
    email: str
    category: str | list[str]
    asm_group_id: int
    campaign_id: str | None
    campaign_name: str | None
    smtp_id: str
    sg_message_id: str


def _slug(category: str) -> str:
    return category.lower().replace(" & ", "-").replace(" ", "-")


class SendGridWriter:
    """Builds SendGrid events for one person."""

    def __init__(self, sim: Sim) -> None:
        """Bind to the person's state."""
        self.sim = sim
        self.rng = sim.rng
        self.clicks: list[Trigger] = []
        self.optouts: list[tuple[int, str]] = []

    def _new_message(
        self, sub: Subscriber, category: str | list[str], group: int, campaign: Campaign | None
    ) -> _Message:
        rng = self.rng
        base = b64_token(rng, 16)[:22]
        smtp_id = f"<{base}@geopod-ismtpd-{rng.randint(1, 48)}>"
        sg_message_id = (
            f"{base}.filterdrecv-{hex_token(rng, 10)}-{digits_token(rng, 5)}-"
            f"{hex_token(rng, 8).upper()}-{rng.randint(0, 60)}.0"
        )
        return _Message(
            sub.email,
            category,
            group,
            campaign.campaign_id if campaign else None,
            campaign.name if campaign else None,
            smtp_id,
            sg_message_id,
        )

    def event(self, msg: _Message, ms: int, name: str, **extra: Any) -> None:
        """Buffer one event of ``msg`` (field order as in SendGrid's webhook samples)."""
        sim = self.sim
        if ms > sim.world.end_ms:
            return
        event: dict[str, Any] = {
            "email": msg.email,
            "timestamp": epoch_s(ms),
            "smtp-id": msg.smtp_id,
            "event": name,
            "category": msg.category,
            "sg_event_id": b64_token(self.rng, 16, urlsafe=False),
            "sg_message_id": msg.sg_message_id,
        }
        event.update(extra)
        event["asm_group_id"] = msg.asm_group_id
        if msg.campaign_id:
            event["marketing_campaign_id"] = msg.campaign_id
            event["marketing_campaign_name"] = msg.campaign_name
        path = f"sendgrid/{date_str(ms)}/batch_{hour_str(ms)}.json"
        sim.sink.sendgrid_event(path, ms, event)
        sim.truth.ident("email", msg.email)
        if self.rng.random() < 0.002:  # a buggy relay rewrote the timestamp
            broken = dict(event)
            broken["timestamp"] = "yesterday"
            broken["sg_event_id"] = b64_token(self.rng, 16, urlsafe=False)
            sim.sink.sendgrid_event(path, ms, broken)
            sim.bad("sendgrid")

    def _reader(self, work: bool) -> tuple[str, str]:
        person, rng = self.sim.person, self.rng
        if work and rng.random() < 0.6:
            return OUTLOOK_UA, random_ip(rng)
        if rng.random() < 0.3:
            return GOOGLE_IMAGE_PROXY_UA, random_ip(rng)
        phones = [d for d in person.devices if d.profile.kind == "mobile"]
        others = [d for d in person.devices if d.profile.kind != "mobile"]
        pool = phones if (person.reads_mail_on_phone and phones) or not others else others
        device = rng.choice(pool)
        ip = person.household.home_ip if rng.random() < 0.6 else random_ip(rng)
        return device.profile.user_agent, ip

    def deliver(
        self,
        sub: Subscriber,
        t0: int,
        category: str | list[str],
        group: int,
        campaign: Campaign | None,
        appeal: float,
        url: str | None,
        trigger_kind: str = "email_click",
        trigger: Trigger | None = None,
    ) -> None:
        """Send one email and simulate delivery and engagement.

        Args:
            sub: Recipient.
            t0: Processing time.
            category: SendGrid category.
            group: ASM group id.
            campaign: Campaign, if any.
            appeal: Multiplier on the person's open and click rates.
            url: Link target (with UTM parameters).
            trigger_kind: Kind of session a click starts.
            trigger: Template for the click trigger (product, category, coupon, cart).
        """
        rng, person = self.rng, self.sim.person
        msg = self._new_message(sub, category, group, campaign)
        if sub.suppressed is not None:
            self.event(
                msg,
                t0 + rng.randrange(200, 3000),
                "dropped",
                reason=_DROP_REASONS[sub.suppressed[1]],
                status="5.0.0",
            )
            return
        if group in sub.group_unsubscribed:
            self.event(
                msg,
                t0 + rng.randrange(200, 3000),
                "dropped",
                reason="Unsubscribed Address",
                status="5.0.0",
            )
            return
        self.event(msg, t0, "processed")
        t = t0 + rng.randrange(1_000, 40_000)
        if sub.dead:
            self.event(
                msg,
                t,
                "bounce",
                reason=_NO_MAILBOX,
                status="5.1.1",
                type="bounce",
                bounce_classification="Invalid Address",
            )
            sub.suppressed = (t, "bounce")
            return
        roll = rng.random()
        if roll < 0.004:
            self.event(
                msg,
                t,
                "bounce",
                reason="550 5.7.1 Message rejected due to local policy",
                status="5.7.1",
                type="blocked",
                bounce_classification="Reputation",
            )
            return
        if roll < 0.014:
            for attempt in range(1, rng.randint(2, 4)):
                self.event(
                    msg, t, "deferred", response="421 4.7.0 Try again later", attempt=str(attempt)
                )
                t += rng.randrange(5 * MINUTE_MS, 90 * MINUTE_MS)
        self.event(
            msg,
            t,
            "delivered",
            ip=rng.choice(_SENDING_IPS),
            tls=1,
            response=f"250 2.0.0 OK  {epoch_s(t)} {hex_token(rng, 12)} - gsmtp",
        )
        delivered = t
        work = sub.email == person.work_email
        if person.mpp and not work:
            self.event(
                msg,
                delivered + rng.randrange(5_000, 600_000),
                "open",
                useragent=APPLE_MPP_UA,
                ip=random_ip(rng),
                sg_machine_open=True,
            )
        if rng.random() < min(person.open_rate * appeal, 0.97):
            delay = min(int(rng.lognormvariate(math.log(2.5 * HOUR_MS), 1.2)), 6 * DAY_MS)
            opened = delivered + delay
            useragent, ip = self._reader(work)
            self.event(msg, opened, "open", useragent=useragent, ip=ip, sg_machine_open=False)
            if rng.random() < 0.35:
                self.event(
                    msg,
                    opened + rng.randrange(HOUR_MS, 3 * DAY_MS),
                    "open",
                    useragent=useragent,
                    ip=ip,
                    sg_machine_open=False,
                )
            if url and rng.random() < min(person.click_rate * appeal * 1.5, 0.9):
                clicked = opened + rng.randrange(4_000, 180_000)
                self.event(
                    msg,
                    clicked,
                    "click",
                    useragent=useragent,
                    ip=ip,
                    url=url,
                    url_offset={"index": 0, "type": "html"},
                )
                base = trigger or Trigger(0, trigger_kind)
                self.clicks.append(
                    Trigger(
                        clicked + rng.randrange(1_500, 9_000),
                        trigger_kind,
                        url=url,
                        utm=base.utm,
                        product=base.product,
                        category=base.category,
                        coupon=base.coupon,
                        cart=base.cart,
                    )
                )
            roll = rng.random()
            if roll < 0.004:
                at = opened + rng.randrange(10_000, 300_000)
                self.event(
                    msg,
                    at,
                    "group_unsubscribe",
                    useragent=useragent,
                    ip=ip,
                    url=f"{SITE}/email/preferences",
                )
                sub.group_unsubscribed[group] = at
                if rng.random() < 0.15:
                    back = at + rng.randrange(DAY_MS, 30 * DAY_MS)
                    self.event(
                        msg,
                        back,
                        "group_resubscribe",
                        useragent=useragent,
                        ip=ip,
                        url=f"{SITE}/email/preferences",
                    )
                    if back <= self.sim.world.end_ms:
                        sub.group_unsubscribed.pop(group, None)
            elif roll < 0.0065:
                at = opened + rng.randrange(10_000, 300_000)
                self.event(msg, at, "unsubscribe")
                sub.suppressed = (at, "unsubscribe")
                self.optouts.append((at, sub.email))
        elif rng.random() < 0.0008:
            at = delivered + rng.randrange(HOUR_MS, 3 * DAY_MS)
            self.event(msg, at, "spamreport")
            sub.suppressed = (at, "spamreport")
            self.optouts.append((at, sub.email))


def _landing(sim: Sim, campaign: Campaign, content: str) -> tuple[str, Trigger]:
    rng, world = sim.rng, sim.world
    utm = {"name": campaign.name, "source": "sendgrid", "medium": "email", "content": content}
    query = (
        f"utm_source=sendgrid&utm_medium=email&utm_campaign={campaign.name}&utm_content={content}"
    )
    category = campaign.focus or rng.choice(CATEGORY_NAMES)
    if rng.random() < 0.4:
        product = world.catalog.pick(rng, campaign.send_ms, category)
        url = f"{SITE}/products/{product.slug}?{query}"
        return url, Trigger(0, "email_click", url, utm, product, category, campaign.coupon)
    url = f"{SITE}/collections/{_slug(category)}?{query}"
    return url, Trigger(0, "email_click", url, utm, None, category, campaign.coupon)


def send_campaigns(sim: Sim, subscribers: list[Subscriber]) -> SendGridWriter:
    """Send every campaign to the person's subscribed addresses.

    Args:
        sim: Person state.
        subscribers: The person's addresses on the marketing list.

    Returns:
        The writer, holding click triggers and opt-outs for the other sources.
    """
    writer = SendGridWriter(sim)
    if not subscribers:
        return writer
    rng, person, world = sim.rng, sim.person, sim.world
    sends: list[tuple[int, int, int]] = []  # (time, campaign number or -1 for welcome, sub)
    for n, sub in enumerate(subscribers):
        if world.start_ms <= sub.from_ms <= world.end_ms and rng.random() < 0.85:
            sends.append((sub.from_ms + rng.randrange(MINUTE_MS, 20 * MINUTE_MS), -1, n))
    for c, campaign in enumerate(world.campaigns):
        if campaign.local_hour is not None:
            send = local_to_utc(person.zone, campaign.send_ms + campaign.local_hour * HOUR_MS)
        else:
            send = campaign.send_ms
        for n, sub in enumerate(subscribers):
            if sub.from_ms <= send < sub.until_ms and rng.random() < campaign.audience:
                sends.append((send + rng.randrange(0, 40 * MINUTE_MS), c, n))
    sends.sort()
    welcome_url = (
        f"{SITE}/collections/new-arrivals?utm_source=sendgrid&utm_medium=email"
        "&utm_campaign=welcome_series&utm_content=cta"
    )
    welcome_utm = {
        "name": "welcome_series",
        "source": "sendgrid",
        "medium": "email",
        "content": "cta",
    }
    for t0, c, n in sends:
        sub = subscribers[n]
        if c < 0:
            writer.deliver(
                sub,
                t0,
                ["welcome", "automation"],
                ASM_NEWSLETTER,
                None,
                1.3,
                welcome_url,
                trigger=Trigger(0, "email_click", welcome_url, welcome_utm, coupon="WELCOME10"),
            )
            continue
        campaign = world.campaigns[c]
        if sub.suppressed and t0 > sub.suppressed[0] + 7 * DAY_MS:
            continue  # removed from the list at the next weekly sync
        group_unsub = sub.group_unsubscribed.get(campaign.asm_group_id)
        if group_unsub is not None and t0 > group_unsub + 7 * DAY_MS:
            continue
        url, template = _landing(sim, campaign, rng.choice(("hero", "cta", "grid")))
        category = campaign.category
        writer.deliver(
            sub,
            t0,
            list(category) if isinstance(category, tuple) else category,
            campaign.asm_group_id,
            campaign,
            campaign.appeal,
            url,
            trigger=template,
        )
    return writer


def send_cart_reminders(sim: Sim, writer: SendGridWriter, subscribers: list[Subscriber]) -> None:
    """Email a reminder a few hours after a cart was abandoned by an identified visitor."""
    rng = sim.rng
    by_email = {s.email: s for s in subscribers}
    for ms, lines, email in sim.abandoned:
        sub = by_email.get(email.strip().lower())
        if sub is None or not sub.from_ms <= ms < sub.until_ms:
            continue
        if ms - sub.last_reminder_ms < 3 * DAY_MS or rng.random() < 0.3:
            continue
        if sub.suppressed and ms > sub.suppressed[0] + 7 * DAY_MS:
            continue
        sub.last_reminder_ms = ms
        t0 = ms + rng.randrange(HOUR_MS, 4 * HOUR_MS)
        url = (
            f"{SITE}/cart?utm_source=sendgrid&utm_medium=email&utm_campaign=cart_reminder"
            "&utm_content=button"
        )
        utm = {
            "name": "cart_reminder",
            "source": "sendgrid",
            "medium": "email",
            "content": "button",
        }
        writer.deliver(
            sub,
            t0,
            "cart_reminder",
            ASM_CART_REMINDERS,
            None,
            1.8,
            url,
            trigger_kind="cart_reminder",
            trigger=Trigger(0, "cart_reminder", url, utm, cart=lines),
        )
