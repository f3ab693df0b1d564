"""Persons and households: names, contact details, devices and behavioural traits.

A person depends only on ``(seed, index)`` and, through the household, on ``index // 2``:
persons ``2h`` and ``2h + 1`` share a household when that pair is drawn as a couple. So a person
can be rebuilt in any process and any chunk without shared state.

Every personal email address ends in a number ``index // len(domains)`` at domain
``domains[index % len(domains)]`` (the number is omitted when it is zero), which makes the pair
(domain, number) and hence the address unique per person without any global bookkeeping.
Phone numbers end in seven digits that are a bijection of ``index * 4 + slot``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ingestion.generator.catalog import CATEGORY_NAMES
from ingestion.generator.clock import DAY_MS, HOUR_MS, MINUTE_MS, Zone
from ingestion.generator.ids import Scrambler, hex_token, uuid4
from ingestion.generator.messy import email_slug
from ingestion.generator.reference import (
    APP_VERSIONS,
    COMPANIES,
    COUNTRIES,
    DEVICE_PROFILES,
    FEMININE_SUFFIXES,
    FIRST_NAMES,
    LAST_NAMES,
    LEGACY_DOMAINS,
    NICKNAMES,
    PERSONAL_DOMAINS,
    Country,
    DeviceProfile,
)
from ingestion.generator.world import World

_PHONE_TAIL = Scrambler(7, 4_711_123)
_COMPANY_DOMAINS = tuple(c[1] for c in COMPANIES)
_COUNTRY_WEIGHTS = [c.weight for c in COUNTRIES]
_MOBILE_PROFILES = [p for p in DEVICE_PROFILES if p.kind == "mobile"]
_TABLET_PROFILES = [p for p in DEVICE_PROFILES if p.kind == "tablet"]
_DESKTOP_PROFILES = [p for p in DEVICE_PROFILES if p.kind == "desktop"]


@dataclass(slots=True)
class CartLine:
    """A product in a device's shopping cart (price in the shop currency)."""

    product_id: str
    quantity: int
    price: float


@dataclass(slots=True)
class Device:
    """One browser or app installation ("surface") a person uses.

    Attributes:
        key: Stable label, unique within the person (``phone-web``, ``shared-web``...).
        profile: Hardware and software.
        surface: ``web`` or ``app``.
        anon_ids: ``(valid_from_ms, anonymousId)``; a new id after a cookie reset or reinstall.
        device_id: App installation id (``context.device.id``), apps only.
        app_version: ``(version, build)`` of the shop app, apps only.
        shared: Used by both members of a household.
        work: A work computer (used on weekdays in office hours).
        weight: Relative share of the person's sessions.
        skew_ms: Device clock skew.
        logged_in: Simulation state: anonymousId -> userId once somebody logged in.
        cart: Simulation state: cart contents.
        cart_id: Simulation state: current cart id.
    """

    key: str
    profile: DeviceProfile
    surface: str
    anon_ids: list[tuple[int, str]]
    device_id: str | None = None
    app_version: tuple[str, str] | None = None
    shared: bool = False
    work: bool = False
    weight: float = 1.0
    skew_ms: int = 0
    logged_in: dict[str, str] = field(default_factory=dict)
    cart: list[CartLine] = field(default_factory=list)
    cart_id: str | None = None

    def anon_id_at(self, ms: int) -> str:
        """Return the anonymousId in effect at ``ms``."""
        current = self.anon_ids[0][1]
        for start, anon in self.anon_ids:
            if start <= ms:
                current = anon
            else:
                break
        return current

    @property
    def platform(self) -> str:
        """``web``, ``ios`` or ``android``."""
        if self.surface == "web":
            return "web"
        return self.profile.app_platform or "web"


@dataclass(slots=True)
class Household:
    """People living together: shared address, landline, home IP and maybe a family device.

    Attributes:
        key: Seed string of the household random stream.
        members: Person indices.
        country: Country of residence.
        zone: Time zone.
        house_number: House number.
        street: Street name.
        city: City.
        state: State, province or region.
        postcode: Postal code.
        surname: Family name shared by a couple, if any.
        landline: National significant number of the home phone, if any.
        home_ip: Public IP at home.
        shared_device: Profile of a family tablet or computer, if any.
        shared_anon_ids: AnonymousIds of the family device.
    """

    key: str
    members: tuple[int, ...]
    country: Country
    zone: Zone
    house_number: int
    street: str
    city: str
    state: str
    postcode: str
    surname: str | None
    landline: str | None
    home_ip: str
    shared_device: DeviceProfile | None
    shared_anon_ids: list[tuple[int, str]]

    def address_line(self) -> str:
        """Street address in the country's customary order."""
        if self.country.house_first:
            return f"{self.house_number} {self.street}"
        return f"{self.street} {self.house_number}"


@dataclass(slots=True)
class Person:
    """A simulated customer with identity facts and behavioural traits.

    Attributes:
        index: 0-based person index.
        person_id: Ground-truth id.
        household: Household.
        partner: Index of the other household member, if any.
        female: Gender used for names.
        first_name: Given name.
        last_name: Family name.
        nickname: Familiar form of the first name, if any.
        dob: Date of birth.
        emails: Personal addresses, canonical lowercase; ``emails[0]`` is the main one.
        work_email: Work address, if employed at a known company.
        company: ``(company, domain, industry)`` of the employer, if any.
        job: Index into the job-title list.
        mobile: National significant number of the mobile phone.
        work_phone: National significant number of a work phone, if any.
        devices: Browsers and apps.
        pre_existing: Known before the history starts.
        first_seen_ms: First activity.
        account_ms: Shop account creation, if the person has an account.
        user_id: Shop customer id of the account (the Segment ``userId``).
        sessions_per_day: Browsing intensity.
        open_rate: Probability of opening a marketing email.
        click_rate: Probability of clicking an opened email.
        mpp: Uses Apple Mail Privacy Protection (machine opens).
        affinity: Favourite product categories.
        pos_visits: In-store purchases during the history.
        reads_mail_on_phone: Email is read on the phone rather than a computer.
        rng: The person's random stream, continued by every simulation step.
    """

    index: int
    person_id: str
    household: Household
    partner: int | None
    female: bool
    first_name: str
    last_name: str
    nickname: str | None
    dob: dt.date
    emails: list[str]
    work_email: str | None
    company: tuple[str, str, str] | None
    job: int
    mobile: str
    work_phone: str | None
    devices: list[Device]
    pre_existing: bool
    first_seen_ms: int
    account_ms: int | None
    user_id: str | None
    sessions_per_day: float
    open_rate: float
    click_rate: float
    mpp: bool
    affinity: list[str]
    pos_visits: int
    reads_mail_on_phone: bool
    rng: random.Random

    @property
    def country(self) -> Country:
        """Country of residence."""
        return self.household.country

    @property
    def zone(self) -> Zone:
        """Time zone."""
        return self.household.zone

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


def person_id(index: int) -> str:
    """Ground-truth person id for a 0-based index."""
    return f"P{index + 1:07d}"


def _postcode(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(chr(ord("A") + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


def _ip(rng: random.Random) -> str:
    """A documentation-range address (TEST-NET-1/2/3 or 2001:db8::/32)."""
    roll = rng.random()
    if roll < 0.25:
        a, b, c = rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536)
        return f"2001:db8:{a:x}:{b:x}::{c:x}"
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{rng.randrange(1, 255)}"


def random_ip(rng: random.Random) -> str:
    """Return a random documentation-range IP (mobile carriers, offices, proxies)."""
    return _ip(rng)


def phone_nsn(country: Country, prefix: str, slot: int, rng: random.Random) -> str:
    """Build a national significant number whose last seven digits are unique per slot."""
    tail = _PHONE_TAIL(slot)
    room = country.nsn_len - len(tail)
    head = prefix[:room]
    fill = "".join(str(rng.randrange(10)) for _ in range(room - len(head)))
    return head + fill + tail


def _surname_for(name: str, female: bool) -> str:
    if female:
        for male_end, female_end in FEMININE_SUFFIXES:
            if name.endswith(male_end):
                return name[: -len(male_end)] + female_end
    return name


def build_household(world: World, index: int) -> Household:
    """Build the household of person ``index`` (identical for both members of a couple)."""
    pair = index // 2
    couple_rng = random.Random(f"{world.seed}:hh:{pair}")
    is_couple = couple_rng.random() < 0.32 and 2 * pair + 1 < world.customers
    if is_couple:
        key, members = f"{world.seed}:hh:{pair}", (2 * pair, 2 * pair + 1)
        rng = couple_rng
    else:
        key, members = f"{world.seed}:hh:{pair}:{index % 2}", (index,)
        rng = random.Random(key)
    country = rng.choices(COUNTRIES, _COUNTRY_WEIGHTS)[0]
    zones = country.zones
    zone = rng.choices([z for z, _ in zones], [w for _, w in zones])[0]
    city, state, pattern = rng.choice(country.cities)
    surname = None
    if is_couple and rng.random() < 0.6:
        surname = rng.choice(LAST_NAMES[country.name_group])
    landline = None
    if rng.random() < (0.45 if is_couple else 0.2):
        landline = phone_nsn(
            country, rng.choice(country.landline_prefixes), members[0] * 4 + 3, rng
        )
    shared_device = None
    shared_ids: list[tuple[int, str]] = []
    if is_couple and rng.random() < 0.55:
        shared_device = rng.choices(
            _TABLET_PROFILES + _DESKTOP_PROFILES,
            [p.weight for p in _TABLET_PROFILES + _DESKTOP_PROFILES],
        )[0]
        shared_ids = [(0, uuid4(rng))]
        if rng.random() < 0.25:
            reset = world.start_ms + rng.randrange(max(world.end_ms - world.start_ms, 1))
            shared_ids.append((reset, uuid4(rng)))
    return Household(
        key=key,
        members=members,
        country=country,
        zone=zone,
        house_number=rng.randint(1, 240),
        street=rng.choice(country.streets),
        city=city,
        state=state,
        postcode=_postcode(rng, pattern),
        surname=surname,
        landline=landline,
        home_ip=_ip(rng),
        shared_device=shared_device,
        shared_anon_ids=shared_ids,
    )


def _local_part(rng: random.Random, first: str, last: str, nick: str | None, german: bool) -> str:
    f = email_slug(first, german) or "user"
    la = email_slug(last, german) or "mail"
    n = email_slug(nick, german) if nick else ""
    patterns = [
        f"{f}.{la}",
        f"{f}{la}",
        f"{f[0]}{la}",
        f"{f}_{la}",
        f"{la}.{f}",
        f"{f}.{la[0]}",
        f"{f}",
    ]
    weights = [30, 14, 14, 6, 5, 5, 4]
    if n:
        patterns += [f"{n}.{la}", f"{n}{la}"]
        weights += [10, 6]
    return rng.choices(patterns, weights)[0]


def _address(local: str, domains: tuple[str, ...], index: int) -> str:
    number = index // len(domains)
    suffix = str(number) if number else ""
    return f"{local}{suffix}@{domains[index % len(domains)]}"


def _pick_profile(rng: random.Random, profiles: list[DeviceProfile]) -> DeviceProfile:
    return rng.choices(profiles, [p.weight for p in profiles])[0]


def _web_ids(world: World, rng: random.Random, first_ms: int, itp: bool) -> list[tuple[int, str]]:
    ids = [(0, uuid4(rng))]
    resets = 1 if rng.random() < (0.35 if itp else 0.15) else 0
    if rng.random() < 0.05:
        resets += 1
    span = max(world.end_ms - max(first_ms, world.start_ms), HOUR_MS)
    times = sorted(max(first_ms, world.start_ms) + rng.randrange(span) for _ in range(resets))
    ids.extend((t, uuid4(rng)) for t in times)
    return ids


def _devices(
    world: World, rng: random.Random, hh: Household, first_ms: int, employed: bool
) -> list[Device]:
    devices: list[Device] = []
    if rng.random() < 0.93:
        phone = _pick_profile(rng, _MOBILE_PROFILES)
        ios = phone.app_platform == "ios"
        devices.append(
            Device(
                "phone-web",
                phone,
                "web",
                _web_ids(world, rng, first_ms, ios),
                weight=3.0,
                skew_ms=rng.randint(-1500, 1500),
            )
        )
        if rng.random() < 0.32:
            platform = phone.app_platform or "android"
            app_ids = [(0, uuid4(rng, upper=platform == "ios"))]
            if rng.random() < 0.05:
                app_ids.append(
                    (
                        world.start_ms + rng.randrange(world.end_ms - world.start_ms),
                        uuid4(rng, upper=platform == "ios"),
                    )
                )
            device_id = uuid4(rng, upper=True) if platform == "ios" else hex_token(rng, 16)
            skew = rng.choice((0, 0, 0, 0, rng.randint(-600_000, 600_000)))
            devices.append(
                Device(
                    "phone-app",
                    phone,
                    "app",
                    app_ids,
                    device_id=device_id,
                    app_version=rng.choice(APP_VERSIONS[platform]),
                    weight=3.5,
                    skew_ms=skew,
                )
            )
    if rng.random() < 0.7 or not devices:
        laptop = _pick_profile(rng, _DESKTOP_PROFILES)
        devices.append(
            Device(
                "computer-web",
                laptop,
                "web",
                _web_ids(world, rng, first_ms, False),
                weight=2.0,
                skew_ms=rng.randint(-3000, 3000),
            )
        )
    if rng.random() < 0.22:
        tablet = _pick_profile(rng, _TABLET_PROFILES)
        devices.append(
            Device("tablet-web", tablet, "web", _web_ids(world, rng, first_ms, True), weight=1.0)
        )
    if employed and rng.random() < 0.3:
        work = _pick_profile(rng, _DESKTOP_PROFILES)
        devices.append(
            Device(
                "work-web",
                work,
                "web",
                _web_ids(world, rng, first_ms, False),
                work=True,
                weight=1.2,
            )
        )
    if hh.shared_device is not None:
        devices.append(
            Device(
                "shared-web",
                hh.shared_device,
                "web",
                list(hh.shared_anon_ids),
                shared=True,
                weight=1.5,
            )
        )
    return devices


def build_person(world: World, index: int) -> Person:
    """Build person ``index`` deterministically from the world seed.

    Args:
        world: Shared context.
        index: 0-based person index.

    Returns:
        The person, whose ``rng`` is positioned after all identity draws.
    """
    hh = build_household(world, index)
    rng = random.Random(f"{world.seed}:{index}")
    country = hh.country
    group = country.name_group
    female = rng.random() < 0.52
    first = rng.choice(FIRST_NAMES[group][0 if female else 1])
    last = _surname_for(hh.surname or rng.choice(LAST_NAMES[group]), female)
    nicks = NICKNAMES.get(first)
    nickname = rng.choice(nicks) if nicks and rng.random() < 0.6 else None
    age_days = int(365.25 * (18 + 62 * rng.random() ** 1.6)) + rng.randrange(365)
    dob = dt.date(2026, 10, 31) - dt.timedelta(days=age_days)
    german = group == "de"
    emails = [_address(_local_part(rng, first, last, nickname, german), PERSONAL_DOMAINS, index)]
    if rng.random() < 0.3:
        emails.append(
            _address(_local_part(rng, first, last, nickname, german), LEGACY_DOMAINS, index)
        )
    employed = rng.random() < 0.62
    company = None
    work_email = None
    if employed and rng.random() < 0.55:
        company = COMPANIES[index % len(COMPANIES)]
        f = email_slug(first, german)
        la = email_slug(last, german) or "staff"
        local = rng.choice((f"{f}.{la}", f"{f[:1]}{la}", f"{f}.{la}"))
        work_email = _address(local, _COMPANY_DOMAINS, index)
    job = rng.randrange(20)
    mobile = phone_nsn(country, rng.choice(country.mobile_prefixes), index * 4, rng)
    work_phone = None
    if company is not None and rng.random() < 0.4:
        work_phone = phone_nsn(country, rng.choice(country.landline_prefixes), index * 4 + 1, rng)

    pre_existing = rng.random() < 0.72
    if pre_existing:
        first_seen = world.start_ms - rng.randrange(1, 1500) * DAY_MS - rng.randrange(DAY_MS)
    else:
        span = world.end_ms - world.start_ms
        first_seen = world.start_ms + int(span * rng.random() ** 1.3)
    account_ms = None
    if pre_existing and rng.random() < 0.6:
        account_ms = first_seen + rng.randrange(0, max(world.start_ms - first_seen, 1))
    elif not pre_existing and rng.random() < 0.45:
        candidate = first_seen + int(rng.expovariate(1 / (3 * DAY_MS))) + 10 * MINUTE_MS
        account_ms = candidate if candidate < world.end_ms - HOUR_MS else None
    user_id = world.customer_ids(index * 4) if account_ms is not None else None

    dormant = rng.random() < 0.2
    sessions_per_day = 0.0 if dormant else min(rng.lognormvariate(-3.55, 1.05), 1.5)
    never_opens = rng.random() < 0.38
    open_rate = 0.0 if never_opens else min(rng.betavariate(1.3, 2.2) * 1.2, 0.97)
    click_rate = rng.betavariate(1.2, 6.0)
    mpp = rng.random() < 0.22
    affinity = rng.sample(list(CATEGORY_NAMES), rng.randint(1, 3))
    pos_visits = 0
    if rng.random() < 0.07:
        pos_visits = 1 + int(rng.expovariate(1.4))
    devices = _devices(world, rng, hh, first_seen, employed)
    partner = None
    if len(hh.members) == 2:
        partner = hh.members[1] if hh.members[0] == index else hh.members[0]
    return Person(
        index=index,
        person_id=person_id(index),
        household=hh,
        partner=partner,
        female=female,
        first_name=first,
        last_name=last,
        nickname=nickname,
        dob=dob,
        emails=emails,
        work_email=work_email,
        company=company,
        job=job,
        mobile=mobile,
        work_phone=work_phone,
        devices=devices,
        pre_existing=pre_existing,
        first_seen_ms=first_seen,
        account_ms=account_ms,
        user_id=user_id,
        sessions_per_day=sessions_per_day,
        open_rate=open_rate,
        click_rate=click_rate,
        mpp=mpp,
        affinity=affinity,
        pos_visits=pos_visits,
        reads_mail_on_phone=rng.random() < 0.65,
        rng=rng,
    )
