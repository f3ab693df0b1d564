"""Shopify-style orders: totals, in-store purchases and the order lifecycle export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingestion.generator.clock import DAY_MS, HOUR_MS, MINUTE_MS, date_str, iso_offset
from ingestion.generator.clock import offset_minutes as zone_offset
from ingestion.generator.evidence import email_key, phone_key, postcode_key
from ingestion.generator.messy import email_as_typed, name_as_typed, phone_as_typed
from ingestion.generator.people import CartLine
from ingestion.generator.reference import SHOP_ZONE, STORE_EMAIL, Country
from ingestion.generator.sink import dumps
from ingestion.generator.state import OrderPlan, Sim

_STORES = (
    ("71234560001", "Mailmart Flagship"),
    ("71234560002", "Mailmart Outlet"),
    ("71234560003", "Mailmart Pop-up"),
)
_REFUND_NOTES = (
    "Customer return",
    "Item damaged in transit",
    "Wrong size",
    "Changed mind",
    "Late delivery",
    "",
)


@dataclass(frozen=True, slots=True)
class Totals:
    """Money amounts of an order in its currency.

    Attributes:
        gross: Sum of line prices times quantities.
        discount: Discount amount.
        subtotal: ``gross - discount``.
        shipping: Shipping charged.
        tax: Tax (included in prices in VAT markets, added otherwise).
        total: Amount charged.
    """

    gross: float
    discount: float
    subtotal: float
    shipping: float
    tax: float
    total: float


def compute_totals(
    lines: list[CartLine], country: Country, discount_pct: int, in_store: bool = False
) -> Totals:
    """Compute order totals the way the shop does.

    Args:
        lines: Purchased products with unit prices.
        country: Buyer's country (tax rules).
        discount_pct: Percentage discount of a coupon, 0 for none.
        in_store: In-store sale (no shipping).

    Returns:
        The totals, rounded to cents.
    """
    gross = round(sum(line.price * line.quantity for line in lines), 2)
    discount = round(gross * discount_pct / 100, 2)
    subtotal = round(gross - discount, 2)
    shipping = 0.0 if in_store or subtotal >= 50 else 4.99
    if country.tax_included:
        tax = round(subtotal - subtotal / (1 + country.tax_rate), 2)
        total = round(subtotal + shipping, 2)
    else:
        tax = round(subtotal * country.tax_rate, 2)
        total = round(subtotal + shipping + tax, 2)
    return Totals(gross, discount, subtotal, shipping, tax, total)


def _shop_time(ms: int) -> str:
    return iso_offset(ms, zone_offset(SHOP_ZONE, ms))


def _money(value: float) -> str:
    return f"{value:.2f}"


def plan_store_orders(sim: Sim) -> None:
    """Create the in-store (POS) purchases of the person.

    In-store orders often carry the shop's shared address ``store@...`` instead of the buyer's,
    or no email at all; they have no tracking events.
    """
    person, world, rng = sim.person, sim.world, sim.rng
    if person.pos_visits == 0:
        return
    start = max(world.start_ms, person.first_seen_ms)
    span = world.end_ms - start
    if span <= DAY_MS:
        return
    for _ in range(person.pos_visits):
        day = start + rng.randrange(span // DAY_MS) * DAY_MS
        local_hour = rng.randint(10, 19)
        created = day + local_hour * HOUR_MS + rng.randrange(HOUR_MS)
        created -= zone_offset(person.zone, created) * MINUTE_MS
        if not world.start_ms <= created <= world.end_ms:
            continue
        allocated = sim.next_order_id()
        if allocated is None:
            return
        seq, order_id = allocated
        lines = []
        for _ in range(1 + int(rng.expovariate(1.3))):
            product = world.catalog.pick(rng, created, rng.choice(person.affinity))
            price = world.catalog.price(product, created, person.country.currency)
            lines.append(CartLine(product.product_id, 1 + (rng.random() < 0.15), price))
        roll = rng.random()
        email: str | None
        customer_id = customer_email = None
        if roll < 0.45:
            email = STORE_EMAIL if rng.random() < 0.85 else STORE_EMAIL.capitalize()
        elif roll < 0.75:
            canonical = person.emails[0]
            email = email_as_typed(rng, canonical, 0.3)
            customer_id = person.user_id or world.customer_ids(person.index * 4 + 1)
            customer_email = canonical
        else:
            email = None
        phone = None
        if rng.random() < 0.35:
            phone = phone_as_typed(rng, person.country, person.mobile, (1, 1, 0, 0, 4, 2, 3))
        sim.orders.append(
            OrderPlan(
                seq=seq,
                order_id=order_id,
                created_ms=created,
                source_name="pos",
                lines=lines,
                currency=person.country.currency,
                email=email,
                customer_id=customer_id,
                customer_email=customer_email,
                first_name=name_as_typed(rng, person.nickname or person.first_name, 0.2)
                if customer_id
                else "",
                last_name=name_as_typed(rng, person.last_name, 0.2) if customer_id else "",
                phone=phone,
                ip=None,
                coupon=None,
                discount_pct=0,
                checkout_id="",
            )
        )


def _order_json(
    sim: Sim,
    plan: OrderPlan,
    totals: Totals,
    updated_ms: int,
    financial: str,
    fulfillment: str | None,
    cancelled_ms: int | None,
    refunds: list[dict[str, Any]],
) -> dict[str, Any]:
    person, world, catalog = sim.person, sim.world, sim.world.catalog
    hh = person.household
    slot = person.index * 64 + plan.seq
    by_id = catalog.by_id
    line_items = []
    for pos, line in enumerate(plan.lines):
        product = by_id[line.product_id]
        share = line.price * line.quantity / totals.gross if totals.gross else 0.0
        line_items.append(
            {
                "id": world.line_ids(slot * 32 + pos),
                "product_id": product.product_id,
                "variant_id": None,
                "sku": product.sku,
                "title": product.name,
                "vendor": product.brand,
                "quantity": line.quantity,
                "price": _money(line.price),
                "total_discount": _money(totals.discount * share),
                "requires_shipping": plan.source_name != "pos",
            }
        )
    address = None
    if plan.source_name != "pos":
        address = {
            "first_name": plan.first_name,
            "last_name": plan.last_name,
            "address1": hh.address_line(),
            "city": hh.city,
            "zip": hh.postcode,
            "province": hh.state,
            "country_code": hh.country.code,
            "phone": plan.phone,
        }
    customer = None
    if plan.customer_id:
        customer = {
            "id": plan.customer_id,
            "email": plan.customer_email,
            "first_name": person.first_name,
            "last_name": person.last_name,
        }
    order_number = 1001 + slot
    return {
        "id": plan.order_id,
        "order_number": order_number,
        "name": f"#{order_number}",
        "email": plan.email,
        "phone": plan.phone if plan.source_name == "pos" else None,
        "customer": customer,
        "currency": plan.currency,
        "financial_status": financial,
        "fulfillment_status": fulfillment,
        "total_price": _money(totals.total),
        "subtotal_price": _money(totals.subtotal),
        "total_tax": _money(totals.tax),
        "total_discounts": _money(totals.discount),
        "taxes_included": person.country.tax_included,
        "source_name": plan.source_name,
        "browser_ip": plan.ip,
        "location_id": _STORES[plan.seq % len(_STORES)][0] if plan.source_name == "pos" else None,
        "checkout_token": plan.checkout_id or None,
        "created_at": _shop_time(plan.created_ms),
        "updated_at": _shop_time(updated_ms),
        "processed_at": _shop_time(plan.created_ms),
        "cancelled_at": _shop_time(cancelled_ms) if cancelled_ms else None,
        "cancel_reason": "customer" if cancelled_ms else None,
        "discount_codes": (
            [{"code": plan.coupon, "amount": _money(totals.discount), "type": "percentage"}]
            if plan.coupon
            else []
        ),
        "billing_address": address,
        "shipping_address": address,
        "shipping_lines": (
            [{"title": "Standard Shipping", "price": _money(totals.shipping)}]
            if plan.source_name != "pos"
            else []
        ),
        "line_items": line_items,
        "refunds": refunds,
    }


def _emit(sim: Sim, order: dict[str, Any], updated_ms: int) -> None:
    path = f"shop_orders/orders_{date_str(updated_ms)}.jsonl"
    sim.sink.line(path, updated_ms, order["id"], dumps(order))
    if sim.rng.random() < 0.002:  # a broken export line without its id
        broken = {k: v for k, v in order.items() if k != "id"}
        sim.sink.line(path, updated_ms, order["id"] + "~", dumps(broken))
        sim.bad("shop_orders")


def _note_evidence(sim: Sim, plan: OrderPlan) -> None:
    """Report the evidence written on an order (the same in every snapshot of it)."""
    person, note = sim.person, sim.truth.note
    record = ("shop", "orders", plan.order_id)
    note(record, "order_id", plan.order_id)
    note(record, "checkout_id", plan.checkout_id)
    note(record, "user_id", plan.customer_id)
    note(record, "phone", phone_key(person.country, plan.phone))
    for email in (plan.email, plan.customer_email):
        note(record, "email", email_key(email))
    note(record, "email_near", plan.email_origin or email_key(plan.email))
    # the billing address (web and app orders) and the customer record carry the name
    if plan.customer_id or (plan.first_name.strip() and plan.last_name.strip()):
        note(record, "name", person.full_name)
    if plan.source_name != "pos":
        note(record, "postcode", postcode_key(person.household.postcode))


def emit_orders(sim: Sim) -> list[tuple[str, int, OrderPlan, str | None]]:
    """Write every order snapshot (creation, payment, fulfillment, cancellation, refunds).

    Args:
        sim: Person state with ``sim.orders`` planned by the web and store simulations.

    Returns:
        Notifications for transactional email: ``(kind, ms, order, extra)`` with kind one of
        ``order_confirmation``, ``shipping_confirmation`` and ``refund_confirmation``.
    """
    rng, world, person, truth = sim.rng, sim.world, sim.person, sim.truth
    notices: list[tuple[str, int, OrderPlan, str | None]] = []
    for plan in sim.orders:
        if plan.created_ms > world.end_ms:
            continue
        totals = compute_totals(
            plan.lines, person.country, plan.discount_pct, plan.source_name == "pos"
        )
        truth.record("shop", "orders", plan.order_id)
        truth.ident("email", plan.email)
        truth.ident("email", plan.customer_email)
        truth.ident("customer_id", plan.customer_id)
        truth.ident("phone", plan.phone)
        _note_evidence(sim, plan)
        created = plan.created_ms
        snapshots: list[tuple[int, str, str | None, int | None, list[dict[str, Any]]]] = []
        if plan.source_name == "pos":
            snapshots.append((created, "paid", "fulfilled", None, []))
            fulfilled = created
        else:
            roll = rng.random()
            if roll < 0.025:
                cancel = created + rng.randrange(20 * MINUTE_MS, 8 * HOUR_MS)
                snapshots.append((created, "authorized", None, None, []))
                snapshots.append((cancel, "voided", None, cancel, []))
                fulfilled = None
            else:
                paid_at = created
                if roll < 0.065:
                    snapshots.append((created, "pending", None, None, []))
                    paid_at = created + rng.randrange(HOUR_MS, 48 * HOUR_MS)
                    snapshots.append((paid_at, "paid", None, None, []))
                else:
                    snapshots.append((created, "paid", None, None, []))
                fulfilled = paid_at + rng.randrange(14 * HOUR_MS, 4 * DAY_MS)
                snapshots.append((fulfilled, "paid", "fulfilled", None, []))
        notices.append(("order_confirmation", created + rng.randrange(3_000, 90_000), plan, None))
        if fulfilled is not None and plan.source_name != "pos":
            notices.append(("shipping_confirmation", fulfilled + rng.randrange(60_000), plan, None))
        if fulfilled is not None and rng.random() < 0.09:
            refund_ms = fulfilled + rng.randrange(2 * DAY_MS, 25 * DAY_MS)
            full = rng.random() < 0.45 or len(plan.lines) == 1 and plan.lines[0].quantity == 1
            refund_lines = []
            slot = person.index * 64 + plan.seq
            amount = 0.0
            for pos, line in enumerate(plan.lines):
                if full or pos == 0:
                    qty = line.quantity if full else max(1, line.quantity - 1)
                    share = qty / line.quantity
                    line_total = line.price * line.quantity
                    discount = totals.discount * (line_total / totals.gross if totals.gross else 0)
                    subtotal = round((line_total - discount) * share, 2)
                    amount += subtotal
                    refund_lines.append(
                        {
                            "line_item_id": world.line_ids(slot * 32 + pos),
                            "quantity": qty,
                            "subtotal": _money(subtotal),
                        }
                    )
            if full:
                amount = totals.total
            refund = {
                "id": world.refund_ids(slot * 4),
                "created_at": _shop_time(refund_ms),
                "note": rng.choice(_REFUND_NOTES),
                "restock": True,
                "refund_line_items": refund_lines,
                "transactions": [{"kind": "refund", "status": "success", "amount": _money(amount)}],
            }
            status = "refunded" if full else "partially_refunded"
            snapshots.append((refund_ms, status, "fulfilled", None, [refund]))
            notices.append(
                ("refund_confirmation", refund_ms + rng.randrange(120_000), plan, _money(amount))
            )
        for updated, financial, fulfillment, cancelled, refunds in snapshots:
            if updated > world.end_ms:
                break
            order = _order_json(
                sim, plan, totals, updated, financial, fulfillment, cancelled, refunds
            )
            _emit(sim, order, updated)
    return [n for n in notices if n[1] <= world.end_ms]
