"""The marketing calendar: SendGrid campaigns sent to opted-in subscribers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ingestion.generator.catalog import CATEGORY_NAMES
from ingestion.generator.clock import DAY_MS, HOUR_MS, MINUTE_MS, date_of, ms_from_date

# SendGrid unsubscribe groups (Advanced Suppression Manager)
ASM_NEWSLETTER = 20451
ASM_PROMOTIONS = 20452
ASM_CART_REMINDERS = 20453


@dataclass(frozen=True, slots=True)
class Campaign:
    """One marketing send.

    Attributes:
        campaign_id: SendGrid single-send id.
        name: Campaign name, also the ``utm_campaign`` value.
        category: SendGrid ``category`` (a string or, for some sends, a list).
        asm_group_id: Unsubscribe group.
        send_ms: Scheduled send time (UTC), or local 00:00 of the send day for local sends.
        local_hour: Recipient-local send hour when the send is time-zone aware, else ``None``.
        audience: Share of subscribers targeted.
        subject: Subject line.
        focus: Product category featured, if any.
        appeal: Multiplier on open and click propensity.
        coupon: Discount code in the email, if any.
    """

    campaign_id: str
    name: str
    category: str | tuple[str, ...]
    asm_group_id: int
    send_ms: int
    local_hour: int | None
    audience: float
    subject: str
    focus: str | None
    appeal: float
    coupon: str | None = None


_PROMO_THEMES = (
    ("flash_sale", "Flash sale: {pct}% off {focus} for 48 hours"),
    ("new_arrivals", "New in {focus}: just landed"),
    ("back_in_stock", "Back in stock: the {focus} you loved"),
    ("weekend_deal", "This weekend only: extra {pct}% off"),
    ("loyalty", "A thank-you gift for you inside"),
)


def build_campaigns(seed: int, start_ms: int, end_ms: int) -> list[Campaign]:
    """Plan the campaigns of the history: a Tuesday newsletter and one or two promotions a week.

    Args:
        seed: Generator seed.
        start_ms: First instant of the history.
        end_ms: Last instant of the history.

    Returns:
        Campaigns ordered by send time.
    """
    rng = random.Random(f"{seed}:campaigns")
    out: list[Campaign] = []
    day = date_of(start_ms)
    last = date_of(end_ms)
    seq = 0
    while day <= last:
        weekday = day.weekday()
        week = day.isocalendar().week
        plans: list[tuple[str, int | None, int]] = []
        if weekday == 1:
            plans.append(("newsletter", 9, 0))
        if weekday == 3 or (weekday == 5 and rng.random() < 0.2):
            plans.append(("promo", None if rng.random() < 0.5 else 10, rng.choice((14, 15, 16))))
        for kind, local_hour, utc_hour in plans:
            seq += 1
            focus = rng.choice(CATEGORY_NAMES)
            day_ms = ms_from_date(day)
            if kind == "newsletter":
                name = f"newsletter_{day.year}_w{week:02d}"
                category: str | tuple[str, ...] = "newsletter"
                subject = f"The Mailmart Weekly: {focus} picks and more"
                group, audience, appeal = ASM_NEWSLETTER, 0.55, 1.0
                coupon = None
            else:
                theme, template = rng.choice(_PROMO_THEMES)
                name = f"{theme}_{_month(day)}_{day.day:02d}"
                slug = focus.lower().replace(" & ", "_").replace(" ", "_")
                category = ("promotions", slug) if rng.random() < 0.4 else "promotions"
                pct = rng.choice((10, 15, 20, 25, 30))
                subject = template.format(pct=pct, focus=focus)
                coupon = f"{theme.split('_')[0].upper()}{pct}" if "{pct}" in template else None
                group, audience = ASM_PROMOTIONS, rng.uniform(0.25, 0.5)
                appeal = rng.uniform(0.7, 1.4)
            send_ms = day_ms + (utc_hour * HOUR_MS if local_hour is None else 0)
            if local_hour is None:
                send_ms += rng.randrange(0, 4) * 15 * MINUTE_MS
            out.append(
                Campaign(
                    campaign_id=f"ss-{seed % 1000:03d}{seq:05d}",
                    name=name,
                    category=category,
                    asm_group_id=group,
                    send_ms=send_ms,
                    local_hour=local_hour,
                    audience=audience,
                    subject=subject,
                    focus=focus,
                    appeal=appeal,
                    coupon=coupon,
                )
            )
        day += dt.timedelta(days=1)
    out.sort(key=lambda c: (c.send_ms, c.campaign_id))
    return [c for c in out if c.send_ms < end_ms - DAY_MS // 4 or c.local_hour is not None]


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month(day: dt.date) -> str:
    return _MONTHS[day.month - 1]
