"""Mutable per-person simulation state shared by the source modules."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ingestion.generator.catalog import Product
from ingestion.generator.people import CartLine, Person
from ingestion.generator.sink import ChunkSink, PersonTruth
from ingestion.generator.world import World

MAX_ORDERS = 60


@dataclass(slots=True)
class Trigger:
    """A reason to start a session at a given time (instead of organic browsing).

    Attributes:
        ms: Start of the session.
        kind: ``email_click``, ``signup``, ``newsletter`` or ``cart_reminder``.
        url: Landing URL for email clicks.
        utm: ``context.campaign`` fields for email clicks.
        product: Product the email linked to, if any.
        category: Category the email featured, if any.
        coupon: Coupon code carried by the email, if any.
        email: Address typed into a newsletter form.
        cart: Cart restored by a cart-reminder click.
    """

    ms: int
    kind: str
    url: str | None = None
    utm: dict[str, str] | None = None
    product: Product | None = None
    category: str | None = None
    coupon: str | None = None
    email: str | None = None
    cart: list[CartLine] | None = None


@dataclass(slots=True)
class OrderPlan:
    """A placed order, before it is serialized for the shop export.

    Attributes:
        seq: Order number within the person (0-based).
        order_id: Shop order id.
        created_ms: Creation time.
        source_name: ``web``, ``iphone``, ``android`` or ``pos``.
        lines: Purchased products.
        currency: Currency.
        email: Email as entered on the order, or ``None``.
        customer_id: Shop customer id, or ``None`` without a customer record.
        customer_email: Email stored on the customer record.
        first_name: First name on the order.
        last_name: Last name on the order.
        phone: Phone as entered, or ``None``.
        ip: Browser IP, or ``None`` for in-store orders.
        coupon: Discount code, if any.
        discount_pct: Percentage discount of the coupon.
        checkout_id: Checkout token.
        bounces: The email address does not exist (mistyped).
        email_origin: The address a mistyped ``email`` was meant to be (ground truth only).
    """

    seq: int
    order_id: str
    created_ms: int
    source_name: str
    lines: list[CartLine]
    currency: str
    email: str | None
    customer_id: str | None
    customer_email: str | None
    first_name: str
    last_name: str
    phone: str | None
    ip: str | None
    coupon: str | None
    discount_pct: int
    checkout_id: str
    bounces: bool = False
    email_origin: str | None = None


@dataclass(slots=True)
class Sim:
    """Simulation state of one person.

    Attributes:
        world: Shared context.
        person: The person.
        sink: Output buffers of the chunk.
        truth: Ground truth of the person.
        rng: The person's random stream.
        order_seq: Orders created so far.
        orders: Orders created so far.
        abandoned: ``(ms, cart lines, email)`` of abandoned carts of identified visitors.
        signup_emails: ``(ms, email)`` typed at sign-up or newsletter forms.
        marketing_suppressed: Canonical address -> instant it stopped receiving marketing.
        extra: Free-form per-source state.
    """

    world: World
    person: Person
    sink: ChunkSink
    truth: PersonTruth
    rng: random.Random
    order_seq: int = 0
    orders: list[OrderPlan] = field(default_factory=list)
    abandoned: list[tuple[int, list[CartLine], str]] = field(default_factory=list)
    signup_emails: list[tuple[int, str]] = field(default_factory=list)
    marketing_suppressed: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def next_order_id(self) -> tuple[int, str] | None:
        """Allocate the next order id of the person, or ``None`` past :data:`MAX_ORDERS`."""
        if self.order_seq >= MAX_ORDERS:
            return None
        seq = self.order_seq
        self.order_seq += 1
        return seq, self.world.order_ids(self.person.index * 64 + seq)

    def bad(self, source: str) -> None:
        """Count one deliberately bad record of ``source``."""
        self.sink.counts["bad_records"] += 1
        self.sink.counts[f"bad:{source}"] += 1
