"""Segment tracking: browsing sessions on the web and in the app, as Segment messages.

Sessions follow daily and weekly rhythms in the person's local time. A session lands on a page
(from direct traffic, search, ads, social or an email click), browses categories and products,
adds and removes cart items, may log in or sign up, and may check out. Events are written to
``segment/YYYY-MM-DD/events_YYYY-MM-DDTHH.jsonl`` by the hour Segment received them.
"""

from __future__ import annotations

import math
from typing import Any

from ingestion.generator.catalog import CATEGORY_NAMES, Product
from ingestion.generator.clock import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    date_str,
    hour_str,
    iso_ms,
    iso_s,
    local_to_utc,
    utc_to_local,
)
from ingestion.generator.evidence import email_key, phone_key, postcode_key
from ingestion.generator.ids import b64_token, hex_token, uuid4
from ingestion.generator.messy import (
    email_as_typed,
    name_as_typed,
    phone_as_typed,
    swapped_dob,
    typo_email,
)
from ingestion.generator.people import CartLine, Device, random_ip
from ingestion.generator.reference import (
    AD_CAMPAIGNS,
    LIBRARIES,
    SEARCH_REFERRERS,
    SHOP_NAME,
    SITE,
    SOCIAL_SOURCES,
)
from ingestion.generator.shop import compute_totals
from ingestion.generator.sink import dumps
from ingestion.generator.state import OrderPlan, Sim, Trigger

# relative activity per local hour 0..23 and per weekday Mon..Sun
_HOURLY = (
    0.25, 0.12, 0.06, 0.04, 0.04, 0.08, 0.25, 0.55, 0.8, 0.9, 1.0, 1.05,
    1.25, 1.15, 1.0, 1.0, 1.05, 1.15, 1.35, 1.7, 1.95, 1.85, 1.3, 0.65,
)  # fmt: skip
_HOURLY_CUM = [sum(_HOURLY[: i + 1]) for i in range(24)]
_WEEKDAY = (0.95, 0.95, 0.97, 1.0, 0.98, 1.2, 1.3)
_APP = {"name": SHOP_NAME, "namespace": "com.mailmart.shop"}
_SCREENS = {
    "ios": {"density": 3, "height": 852, "width": 393},
    "android": {"density": 2.625, "height": 915, "width": 412},
}
_AFFILIATION = {
    "web": "Mailmart Online Store",
    "ios": "Mailmart iOS",
    "android": "Mailmart Android",
}
_SOURCE_NAME = {"web": "web", "ios": "iphone", "android": "android"}


def _poisson(rng: Any, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    limit = math.exp(-lam)
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _local_hour(rng: Any) -> int:
    x = rng.random() * _HOURLY_CUM[-1]
    for hour, cum in enumerate(_HOURLY_CUM):
        if x <= cum:
            return hour
    return 23


def organic_session_times(sim: Sim) -> list[int]:
    """Draw start times of the person's organic sessions in their local rhythm."""
    person, world, rng = sim.person, sim.world, sim.rng
    start = max(world.start_ms, person.first_seen_ms)
    if person.sessions_per_day <= 0 or start >= world.end_ms:
        return []
    days = (world.end_ms - start) / DAY_MS
    count = _poisson(rng, person.sessions_per_day * days)
    times = []
    for _ in range(count * 2):
        if len(times) >= count:
            break
        local_start = utc_to_local(person.zone, start)
        day = (local_start + int(rng.random() * days * DAY_MS)) // DAY_MS
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if rng.random() * 1.3 > _WEEKDAY[weekday]:
            continue
        local = day * DAY_MS + _local_hour(rng) * HOUR_MS + rng.randrange(HOUR_MS)
        utc = local_to_utc(person.zone, local)
        if start <= utc <= world.end_ms - 10 * MINUTE_MS:
            times.append(utc)
    return times


def _pick_device(sim: Sim, ms: int, kind: str) -> Device:
    person, rng = sim.person, sim.rng
    devices = person.devices
    local = utc_to_local(person.zone, ms)
    hour = (local % DAY_MS) // HOUR_MS
    weekday = ((local // DAY_MS) + 3) % 7
    office = weekday < 5 and 9 <= hour < 17
    weights = []
    for device in devices:
        weight = device.weight
        if device.work:
            weight = weight * 4 if office else 0.0
        if kind in ("email_click", "cart_reminder"):
            if device.surface == "app":
                weight = 0.0
            elif device.profile.kind == "mobile":
                weight *= 3 if person.reads_mail_on_phone else 0.3
        weights.append(weight)
    if sum(weights) <= 0:
        weights = [0.0 if d.work else 1.0 for d in devices]
        if sum(weights) <= 0:
            weights = [1.0] * len(devices)
    return rng.choices(devices, weights)[0]


def _query_for(product: Product) -> str:
    words = product.name.lower().split()
    return " ".join(words[-2:]) if len(words) > 2 else words[-1]


def _slug(category: str) -> str:
    return category.lower().replace(" & ", "-").replace(" ", "-")


class Session:
    """One visit on one device: builds and buffers Segment messages."""

    def __init__(self, sim: Sim, device: Device, start_ms: int, trigger: Trigger | None) -> None:
        """Prepare the session context (IP, library, device, locale)."""
        self.sim = sim
        self.device = device
        self.t = start_ms
        self.trigger = trigger
        person, rng = sim.person, sim.rng
        self.platform = device.platform
        self.anon = device.anon_id_at(start_ms)
        self.user_id = device.logged_in.get(self.anon)
        profile = device.profile
        if device.work and person.company:
            ip = random_ip(rng)
        elif profile.kind == "mobile" and rng.random() < 0.45:
            ip = random_ip(rng)
        else:
            ip = person.household.home_ip
        self.ip = ip
        locale = person.country.locale if rng.random() < 0.88 else "en-US"
        lib_name, lib_version = LIBRARIES[self.platform]
        if self.platform == "web":
            self.channel = "browser"
            self.base: dict[str, Any] = {
                "device": {
                    "manufacturer": profile.manufacturer,
                    "model": profile.model,
                    "type": profile.kind,
                },
                "ip": ip,
                "library": {"name": lib_name, "version": lib_version},
                "locale": locale,
                "os": {"name": profile.os_name, "version": profile.os_version},
                "timezone": person.zone.name,
                "userAgent": profile.user_agent,
            }
        else:
            version, build = device.app_version or ("5.12.0", "5120")
            self.channel = "mobile"
            self.base = {
                "app": {**_APP, "build": build, "version": version},
                "device": {
                    "id": device.device_id,
                    "manufacturer": profile.manufacturer,
                    "model": profile.model,
                    "type": profile.kind,
                },
                "ip": ip,
                "library": {"name": lib_name, "version": lib_version},
                "locale": locale,
                "network": {
                    "cellular": ip != person.household.home_ip,
                    "wifi": ip == person.household.home_ip,
                },
                "os": {"name": profile.os_name, "version": profile.os_version},
                "screen": _SCREENS[self.platform],
                "timezone": person.zone.name,
            }
        self.offline_ms = 0
        if self.platform != "web" and rng.random() < 0.04:
            self.offline_ms = rng.randrange(10 * MINUTE_MS, 20 * HOUR_MS)
        self.page: dict[str, str] | None = None
        self.campaign: dict[str, str] | None = None
        self.referrer = ""
        self.checkout_email: str | None = None
        self.coupon: tuple[str, int] | None = None
        self.last_product: tuple[Product, float] | None = None

    # --- message plumbing ----------------------------------------------------------------

    def _message_id(self) -> str:
        rng = self.sim.rng
        if self.platform == "web":
            return f"ajs-next-{hex_token(rng, 32)}"
        return uuid4(rng, upper=self.platform == "ios")

    def emit(self, kind: str, body: dict[str, Any]) -> None:
        """Buffer one message of type ``kind`` happening at ``self.t``."""
        sim, device = self.sim, self.device
        rand = sim.rng.random
        t = self.t
        if self.platform == "web":
            delay = 5 + int(rand() * 895)
        elif self.offline_ms:
            delay = self.offline_ms + int(rand() * 30_000)
        else:
            delay = 200 + int(rand() * 29_800)
        latency = 40 + int(rand() * 660)
        received = t + delay + latency
        if received > sim.world.end_ms:
            return
        skew = device.skew_ms
        ctx = dict(self.base)
        if self.page is not None:
            ctx["page"] = self.page
        if self.campaign is not None:
            ctx["campaign"] = self.campaign
        message_id = self._message_id()
        msg: dict[str, Any] = {"anonymousId": self.anon, "channel": self.channel, "context": ctx}
        msg.update(body)
        msg["integrations"] = {}
        msg["messageId"] = message_id
        msg["originalTimestamp"] = iso_ms(t + skew)
        msg["receivedAt"] = iso_ms(received)
        msg["sentAt"] = iso_ms(t + delay + skew)
        msg["timestamp"] = iso_ms(t + latency)
        msg["type"] = kind
        if self.user_id:
            msg["userId"] = self.user_id
            sim.truth.record("segment", "user_ids", self.user_id)
            sim.truth.ident("user_id", self.user_id)
        sim.truth.record("segment", "anonymous_ids", self.anon)
        sim.truth.ident("anonymous_id", self.anon)
        traits = body.get("traits")
        if traits:
            sim.truth.ident("email", traits.get("email"))
            sim.truth.ident("phone", traits.get("phone"))
        _note_evidence(sim, msg)
        write_segment(sim, received, message_id, msg)

    def advance(self, low_s: int, high_s: int) -> None:
        """Move the session clock forward by a random dwell time."""
        self.t += self.sim.rng.randrange(low_s * 1000, high_s * 1000)

    # --- pages and screens -------------------------------------------------------------

    def view(
        self,
        name: str,
        path: str,
        title: str,
        search: str = "",
        props: dict[str, Any] | None = None,
    ) -> None:
        """Record a page view (web) or screen view (app)."""
        if self.platform == "web":
            url = f"{SITE}{path}{search}"
            self.page = {
                "path": path,
                "referrer": self.referrer,
                "search": search,
                "title": title,
                "url": url,
            }
            properties = dict(self.page)
            properties["name"] = name
            self.emit("page", {"name": name, "properties": properties})
            self.referrer = url
        else:
            self.emit("screen", {"name": name, "properties": props or {}})

    def track(self, event: str, properties: dict[str, Any]) -> None:
        """Record a track call."""
        self.emit("track", {"event": event, "properties": properties})

    def identify(self, traits: dict[str, Any]) -> None:
        """Record an identify call (with the current userId, if any)."""
        self.emit("identify", {"traits": traits})

    # --- building blocks ---------------------------------------------------------------

    def product_props(self, product: Product, price: float, currency: str) -> dict[str, Any]:
        """Segment e-commerce v2 product properties."""
        return {
            "product_id": product.product_id,
            "sku": product.sku,
            "category": product.category,
            "name": product.name,
            "brand": product.brand,
            "price": price,
            "quantity": 1,
            "currency": currency,
            "url": product.url,
            "image_url": product.image_url,
        }

    def cart_products(self) -> list[dict[str, Any]]:
        """The cart as a Segment ``products`` array."""
        by_id = self.sim.world.catalog.by_id
        out = []
        for pos, line in enumerate(self.device.cart, start=1):
            product = by_id[line.product_id]
            out.append(
                {
                    "product_id": product.product_id,
                    "sku": product.sku,
                    "name": product.name,
                    "category": product.category,
                    "brand": product.brand,
                    "price": line.price,
                    "quantity": line.quantity,
                    "position": pos,
                }
            )
        return out

    def view_product(self, product: Product) -> None:
        """Open a product page and track Product Viewed."""
        sim = self.sim
        currency = sim.person.country.currency
        price = sim.world.catalog.price(product, self.t, currency)
        self.view(
            "Product",
            f"/products/{product.slug}",
            f"{product.name} | {SHOP_NAME}",
            props={"product_id": product.product_id},
        )
        self.advance(2, 20)
        props = self.product_props(product, price, currency)
        props["value"] = price
        self.track("Product Viewed", props)
        self.last_product = (product, price)

    def land(self) -> None:
        """First view of the session, with referrer and UTM campaign when relevant."""
        sim, rng = self.sim, self.sim.rng
        trig = self.trigger
        catalog = sim.world.catalog
        if self.platform != "web":
            self.track(
                "Application Opened",
                {
                    "from_background": rng.random() < 0.6,
                    "version": (self.device.app_version or ("",))[0],
                },
            )
            self.advance(1, 5)
            self.view("Home", "/", SHOP_NAME)
            return
        search = ""
        if trig is not None and trig.kind in ("email_click", "cart_reminder") and trig.url:
            path, _, query = trig.url[len(SITE) :].partition("?")
            search = f"?{query}" if query else ""
            self.campaign = dict(trig.utm or {})
            if trig.coupon:
                self.coupon = (
                    trig.coupon,
                    int("".join(ch for ch in trig.coupon if ch.isdigit()) or 10),
                )
            self.referrer = ""
            if trig.product is not None:
                self._land_product(trig.product, search)
            elif path.startswith("/cart"):
                self.view("Cart", path, f"Your cart | {SHOP_NAME}", search)
            elif trig.category:
                self.view("Category", path, f"{trig.category} | {SHOP_NAME}", search)
            else:
                self.view("Home", path or "/", SHOP_NAME, search)
            self.campaign = None
            return
        roll = rng.random()
        product = catalog.pick(rng, self.t, rng.choice(sim.person.affinity))
        if roll < 0.38:
            self.referrer = ""
            if rng.random() < 0.75:
                self.view("Home", "/", SHOP_NAME)
            else:
                self._land_product(product, "")
        elif roll < 0.68:
            self.referrer = rng.choice(SEARCH_REFERRERS)
            if rng.random() < 0.6:
                self._land_product(product, "")
            else:
                self.view(
                    "Category",
                    f"/collections/{_slug(product.category)}",
                    f"{product.category} | {SHOP_NAME}",
                )
        elif roll < 0.83:
            source, medium, name = rng.choice(AD_CAMPAIGNS)
            self.campaign = {"name": name, "source": source, "medium": medium}
            query = f"utm_source={source}&utm_medium={medium}&utm_campaign={name}"
            if medium == "cpc":
                term = _query_for(product)
                self.campaign["term"] = term
                query += f"&utm_term={term.replace(' ', '+')}&gclid={b64_token(rng, 18)}"
                self.referrer = rng.choice(SEARCH_REFERRERS)
            else:
                self.campaign["content"] = rng.choice(("video_a", "carousel", "static_1"))
                query += f"&utm_content={self.campaign['content']}"
                self.referrer = rng.choice(SOCIAL_SOURCES)[1]
            self._land_product(product, f"?{query}")
            self.campaign = None
        elif roll < 0.93:
            source, referrer = rng.choice(SOCIAL_SOURCES)
            self.referrer = referrer
            search = ""
            if rng.random() < 0.5:
                self.campaign = {"name": "organic_social", "source": source, "medium": "social"}
                search = f"?utm_source={source}&utm_medium=social&utm_campaign=organic_social"
            self._land_product(product, search)
            self.campaign = None
        else:
            self.referrer = "https://blog.example.org/best-gifts-2026/"
            self._land_product(product, "")

    def _land_product(self, product: Product, search: str) -> None:
        sim = self.sim
        currency = sim.person.country.currency
        price = sim.world.catalog.price(product, self.t, currency)
        self.view("Product", f"/products/{product.slug}", f"{product.name} | {SHOP_NAME}", search)
        self.advance(1, 8)
        props = self.product_props(product, price, currency)
        props["value"] = price
        self.track("Product Viewed", props)
        self.last_product = (product, price)

    def login(self, method: str = "email") -> None:
        """Log in with the account (identify with userId, then Signed In)."""
        sim, rng = self.sim, self.sim.rng
        person = sim.person
        if not person.user_id:
            return
        if self.platform == "web":
            self.view("Login", "/account/login", f"Log in | {SHOP_NAME}")
        else:
            self.view("Login", "/account/login", "Login")
        self.advance(8, 60)
        self.user_id = person.user_id
        self.device.logged_in[self.anon] = person.user_id
        traits: dict[str, Any] = {}
        if rng.random() < 0.8:
            traits["email"] = email_as_typed(rng, sim.extra["account_email"], 0.15)
        self.identify(traits)
        self.track("Signed In", {"method": method})

    def signup(self) -> None:
        """Create the shop account: Signed Up plus an identify with full traits."""
        sim, rng = self.sim, self.sim.rng
        person = sim.person
        hh = person.household
        if not person.user_id:
            return
        self.view("Register", "/account/register", f"Create account | {SHOP_NAME}")
        self.advance(30, 180)
        self.user_id = person.user_id
        self.device.logged_in[self.anon] = person.user_id
        email = email_as_typed(rng, sim.extra["account_email"], 0.12)
        traits: dict[str, Any] = {
            "email": email,
            "firstName": name_as_typed(rng, person.first_name, 0.05),
            "lastName": name_as_typed(rng, person.last_name, 0.05),
            "name": person.full_name,
            "createdAt": iso_s(self.t),
        }
        sim.signup_emails.append((self.t, email))
        if rng.random() < 0.6:
            traits["phone"] = phone_as_typed(
                rng, person.country, person.mobile, (5, 2, 0, 0, 2, 1, 1)
            )
        if rng.random() < 0.5:
            traits["address"] = {
                "city": hh.city,
                "country": hh.country.code,
                "postalCode": hh.postcode,
                "state": hh.state,
                "street": hh.address_line(),
            }
        if rng.random() < 0.35:
            traits["birthday"] = person.dob.isoformat()
        self.identify(traits)
        self.track("Signed Up", {"method": rng.choice(("email", "email", "google", "apple"))})

    def newsletter(self, email: str) -> None:
        """Anonymous identify from a newsletter form (email trait, no userId)."""
        self.advance(5, 40)
        self.identify({"email": email})
        self.track("Newsletter Subscribed", {"source": self.sim.rng.choice(("popup", "footer"))})

    def add_to_cart(self, product: Product, price: float) -> None:
        """Product Added."""
        rng, device = self.sim.rng, self.device
        if device.cart_id is None:
            device.cart_id = hex_token(rng, 24)
        qty = 1 if rng.random() < 0.85 else rng.randint(2, 3)
        for line in device.cart:
            if line.product_id == product.product_id:
                line.quantity += qty
                break
        else:
            device.cart.append(CartLine(product.product_id, qty, price))
        props = self.product_props(product, price, self.sim.person.country.currency)
        props["cart_id"] = device.cart_id
        props["quantity"] = qty
        self.track("Product Added", props)

    def remove_from_cart(self) -> None:
        """Product Removed."""
        rng, device = self.sim.rng, self.device
        line = rng.choice(device.cart)
        device.cart.remove(line)
        product = self.sim.world.catalog.by_id[line.product_id]
        props = self.product_props(product, line.price, self.sim.person.country.currency)
        props["cart_id"] = device.cart_id or ""
        props["quantity"] = line.quantity
        self.track("Product Removed", props)

    def view_cart(self) -> None:
        """Cart page and Cart Viewed."""
        self.view("Cart", "/cart", f"Your cart | {SHOP_NAME}")
        self.advance(1, 4)
        self.track(
            "Cart Viewed", {"cart_id": self.device.cart_id or "", "products": self.cart_products()}
        )

    def browse(self, steps: int) -> None:
        """Wander through categories, products, search and the cart."""
        sim, rng = self.sim, self.sim.rng
        catalog = sim.world.catalog
        focus = self.trigger.category if self.trigger else None
        for _ in range(steps):
            self.advance(10, 120)
            roll = rng.random()
            cart = self.device.cart
            if roll < 0.5:
                category = focus if focus and rng.random() < 0.5 else None
                if category is None:
                    category = (
                        rng.choice(sim.person.affinity)
                        if rng.random() < 0.75
                        else rng.choice(CATEGORY_NAMES)
                    )
                self.view_product(catalog.pick(rng, self.t, category))
                if rng.random() < 0.16 and self.last_product is not None:
                    self.advance(5, 60)
                    product, price = self.last_product
                    self.add_to_cart(product, price)
            elif roll < 0.74:
                category = rng.choice(sim.person.affinity)
                self.view(
                    "Category",
                    f"/collections/{_slug(category)}",
                    f"{category} | {SHOP_NAME}",
                    props={"category": category},
                )
            elif roll < 0.82:
                product = catalog.pick(rng, self.t, rng.choice(sim.person.affinity))
                query = _query_for(product)
                self.view(
                    "Search",
                    "/search",
                    f"Search: {query} | {SHOP_NAME}",
                    f"?q={query.replace(' ', '+')}",
                    props={"query": query},
                )
                self.track("Products Searched", {"query": query})
            elif roll < 0.92 and cart:
                self.view_cart()
                if rng.random() < 0.3:
                    self.advance(3, 30)
                    self.remove_from_cart()
            else:
                self.view("Home", "/", SHOP_NAME)

    def checkout(self) -> None:
        """Checkout Started and, often, Order Completed with a matching shop order."""
        sim, rng, device = self.sim, self.sim.rng, self.device
        person, world = sim.person, sim.world
        if not device.cart:
            return
        has_account = person.account_ms is not None and person.account_ms <= self.t
        if not self.user_id and has_account and rng.random() < 0.55:
            self.login()
        currency = person.country.currency
        coupon, pct = self.coupon or (None, 0)
        if coupon is None and rng.random() < 0.08:
            coupon, pct = "WELCOME10", 10
        totals = compute_totals(device.cart, person.country, pct)
        checkout_id = hex_token(rng, 32)
        self.advance(5, 40)
        self.view("Checkout", f"/checkouts/cn/{checkout_id}/information", f"Checkout | {SHOP_NAME}")
        props: dict[str, Any] = {
            "checkout_id": checkout_id,
            "value": totals.gross,
            "revenue": totals.subtotal,
            "shipping": totals.shipping,
            "tax": totals.tax,
            "discount": totals.discount,
            "currency": currency,
            "products": self.cart_products(),
        }
        if coupon:
            props["coupon"] = coupon
        self.track("Checkout Started", props)
        if self.user_id:
            email, canonical, bounces = (
                sim.extra["account_email"],
                sim.extra["account_email"],
                False,
            )
        else:
            email, canonical, bounces = guest_email(sim)
        self.checkout_email = canonical
        self.advance(40, 400)
        if rng.random() >= 0.56 or self.t > world.end_ms:
            return  # abandoned at checkout (or not completed before the end of history)
        allocated = sim.next_order_id()
        if allocated is None:
            return
        seq, order_id = allocated
        if self.user_id:
            customer_id, customer_email = self.user_id, sim.extra["account_email"]
        else:
            customer_id = world.customer_ids(person.index * 4 + guest_slot(sim, canonical))
            customer_email = canonical if not bounces else email.strip().lower()
        first = person.nickname if person.nickname and rng.random() < 0.15 else person.first_name
        phone = None
        if rng.random() < 0.7:
            phone = phone_as_typed(rng, person.country, person.mobile, (2, 3, 1, 0.5, 4, 2, 2))
        plan = OrderPlan(
            seq=seq,
            order_id=order_id,
            created_ms=self.t,
            source_name=_SOURCE_NAME[self.platform],
            lines=[CartLine(x.product_id, x.quantity, x.price) for x in device.cart],
            currency=currency,
            email=email,
            customer_id=customer_id,
            customer_email=customer_email,
            first_name=name_as_typed(rng, first, 0.08),
            last_name=name_as_typed(rng, person.last_name, 0.08),
            phone=phone,
            ip=self.ip,
            coupon=coupon,
            discount_pct=pct,
            checkout_id=checkout_id,
            bounces=bounces,
            email_origin=canonical,
        )
        sim.orders.append(plan)
        completed = {
            "checkout_id": checkout_id,
            "order_id": order_id,
            "affiliation": _AFFILIATION[self.platform],
            "total": totals.total,
            "subtotal": totals.subtotal,
            "revenue": totals.subtotal,
            "shipping": totals.shipping,
            "tax": totals.tax,
            "discount": totals.discount,
            "currency": currency,
            "products": self.cart_products(),
        }
        if coupon:
            completed["coupon"] = coupon
        device.cart = []
        device.cart_id = None
        self.view(
            "Order Confirmation",
            f"/checkouts/cn/{checkout_id}/thank-you",
            f"Thank you for your purchase! | {SHOP_NAME}",
        )
        if rng.random() < 0.8:
            self.track("Order Completed", completed)
        else:
            server_track(
                sim,
                self.t + rng.randrange(500, 5000),
                "Order Completed",
                completed,
                self.user_id,
                self.anon,
            )


def guest_slot(sim: Sim, canonical: str) -> int:
    """Guest customer slot (1..3) of an address: one guest customer per address."""
    person = sim.person
    if canonical == person.work_email:
        return 3
    if len(person.emails) > 1 and canonical == person.emails[1]:
        return 2
    return 1


def guest_email(sim: Sim) -> tuple[str, str, bool]:
    """Pick the address typed at a guest checkout.

    Returns:
        ``(as typed, canonical address, address does not exist)``.
    """
    person, rng = sim.person, sim.rng
    choices = [person.emails[0]]
    weights = [78.0]
    if len(person.emails) > 1:
        choices.append(person.emails[1])
        weights.append(10.0)
    if person.work_email:
        choices.append(person.work_email)
        weights.append(12.0)
    canonical = rng.choices(choices, weights)[0]
    if rng.random() < 0.012:
        return typo_email(rng, canonical), canonical, True
    return email_as_typed(rng, canonical, 0.18), canonical, False


def _note_evidence(sim: Sim, msg: dict[str, Any]) -> None:
    """Report the evidence a Segment message puts on its anonymous id and user id records."""
    person, note = sim.person, sim.truth.note
    anon, user_id = msg.get("anonymousId"), msg.get("userId")
    device_id = (msg["context"].get("device") or {}).get("id")
    props = (msg.get("properties") or {}) if msg["type"] == "track" else {}
    traits = msg.get("traits") or {}
    address = traits.get("address") or {}
    email = email_key(traits.get("email"))
    dob = person.dob
    records = []
    if anon:
        records.append(("segment", "anonymous_ids", anon))
        note(records[-1], "anonymous_id", anon)
    if user_id:
        records.append(("segment", "user_ids", user_id))
    for record in records:
        note(record, "user_id", user_id)
        note(record, "device_id", device_id)
        note(record, "order_id", props.get("order_id"))
        note(record, "checkout_id", props.get("checkout_id"))
        note(record, "email", email)
        note(record, "email_near", email)
        note(record, "phone", phone_key(person.country, traits.get("phone")))
        if traits.get("firstName") and traits.get("lastName"):
            note(record, "name", person.full_name)
        note(record, "postcode", postcode_key(address.get("postalCode")))
        if traits.get("birthday") in (dob.isoformat(), swapped_dob(dob).isoformat()):
            note(record, "dob", dob.isoformat())


def write_segment(sim: Sim, received: int, message_id: str, msg: dict[str, Any]) -> None:
    """Serialize one message into its hourly file, sometimes with a bad or duplicate copy."""
    rng = sim.rng
    path = f"segment/{date_str(received)}/events_{hour_str(received)}.jsonl"
    text = dumps(msg)
    sink = sim.sink
    sink.line(path, received, message_id, text)
    roll = rng.random()
    if roll < 0.0007:
        sink.line(path, received, message_id, text)  # at-least-once re-delivery
        sink.counts["exact_duplicates"] += 1
    elif roll < 0.0027:
        kind = rng.randrange(3)
        if kind == 0:
            broken = text[: rng.randrange(10, max(11, len(text) - 5))]
        elif kind == 1:
            broken = dumps({k: v for k, v in msg.items() if k != "messageId"})
        else:
            bad = dict(msg)
            bad["timestamp"] = rng.choice(("not a timestamp", "2026-13-45T25:61:00Z", "31/10/2026"))
            broken = dumps(bad)
        sink.line(path, received, message_id + "~", broken)
        sim.bad("segment")


def server_track(
    sim: Sim, t: int, event: str, properties: dict[str, Any], user_id: str | None, anon: str | None
) -> None:
    """A track call sent by the shop backend (``channel: server``)."""
    rng = sim.rng
    received = t + rng.randrange(30, 400)
    if received > sim.world.end_ms or not (user_id or anon):
        return
    name, version = LIBRARIES["server"]
    message_id = uuid4(rng)
    msg: dict[str, Any] = {}
    if anon:
        msg["anonymousId"] = anon
        sim.truth.record("segment", "anonymous_ids", anon)
        sim.truth.ident("anonymous_id", anon)
    msg["channel"] = "server"
    msg["context"] = {"library": {"name": name, "version": version}}
    msg["event"] = event
    msg["integrations"] = {}
    msg["messageId"] = message_id
    msg["originalTimestamp"] = iso_ms(t)
    msg["properties"] = properties
    msg["receivedAt"] = iso_ms(received)
    msg["sentAt"] = iso_ms(t + rng.randrange(1, 20))
    msg["timestamp"] = iso_ms(t + 3)
    msg["type"] = "track"
    if user_id:
        msg["userId"] = user_id
        sim.truth.record("segment", "user_ids", user_id)
        sim.truth.ident("user_id", user_id)
    _note_evidence(sim, msg)
    write_segment(sim, received, message_id, msg)


def _initial_logins(sim: Sim) -> None:
    person, rng = sim.person, sim.rng
    if not person.user_id or person.account_ms is None or person.account_ms >= sim.world.start_ms:
        return
    for device in person.devices:
        share = 0.8 if device.surface == "app" else (0.25 if device.shared else 0.5)
        if rng.random() < share:
            device.logged_in[device.anon_ids[0][1]] = person.user_id


def simulate_web(sim: Sim, triggers: list[Trigger], organic: bool) -> None:
    """Run sessions of the person in time order.

    Args:
        sim: Person state; orders and abandoned carts are appended to it.
        triggers: Sessions forced by email clicks, sign-ups and newsletter sign-ups.
        organic: Also draw the person's organic sessions (first pass only).
    """
    person, rng, world = sim.person, sim.rng, sim.world
    if not person.devices:
        return
    plans: list[tuple[int, int, Trigger | None]] = []
    if organic:
        _initial_logins(sim)
        plans.extend((t, 1, None) for t in organic_session_times(sim))
    plans.extend(
        (trig.ms, 0, trig) for trig in triggers if world.start_ms <= trig.ms < world.end_ms
    )
    plans.sort(key=lambda item: (item[0], item[1]))
    for start, _, trig in plans:
        kind = trig.kind if trig else "organic"
        device = _pick_device(sim, start, kind)
        if trig is not None and trig.cart and not device.cart:
            device.cart = [CartLine(x.product_id, x.quantity, x.price) for x in trig.cart]
            device.cart_id = hex_token(rng, 24)
        session = Session(sim, device, start, trig)
        session.land()
        if trig is not None and trig.kind == "signup":
            session.signup()
        elif trig is not None and trig.kind == "newsletter" and trig.email:
            session.newsletter(trig.email)
        elif (
            person.user_id
            and not session.user_id
            and person.account_ms is not None
            and person.account_ms < start
            and rng.random() < 0.12
        ):
            session.login()
        engaged = 1.6 if trig is not None and trig.kind == "cart_reminder" else 1.0
        steps = min(int(rng.expovariate(1 / 2.6) * engaged), 30)
        session.browse(steps)
        cart_affinity = 0.27 if trig is None else 0.4
        if device.cart and rng.random() < cart_affinity * engaged:
            session.checkout()
        if device.cart and (session.user_id or session.checkout_email):
            email = session.checkout_email or sim.extra["account_email"]
            lines = [CartLine(x.product_id, x.quantity, x.price) for x in device.cart]
            sim.abandoned.append((session.t, lines, email))
