"""CRM contacts: a primary contact per known person, messy duplicates, and weekly exports.

The first export (``contacts_<first day>.csv``) is a full export of all contacts existing at
that moment; every following weekly export holds the contacts created or changed since the
previous one, including deletions (``is_deleted``) and merges (``merged_into_contact_id``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.generator.clock import DAY_MS, HOUR_MS, MINUTE_MS, date_str, iso_naive
from ingestion.generator.evidence import email_key, phone_key, postcode_key
from ingestion.generator.messy import (
    country_as_typed,
    dob_as_entered,
    email_as_typed,
    name_as_typed,
    phone_as_typed,
    strip_accents,
    swapped_dob,
    typo,
    typo_email,
)
from ingestion.generator.people import phone_nsn
from ingestion.generator.reference import LAST_NAMES, PLACEHOLDER_EMAILS, PLACEHOLDER_PHONES
from ingestion.generator.sendgrid import Subscriber
from ingestion.generator.state import Sim, Trigger
from ingestion.sources.crm import COLUMNS as CRM_COLUMNS

# The documented CRM import header, owned by the loader (one definition of the contract).
CRM_HEADER = CRM_COLUMNS
_FIELDS = CRM_HEADER[1:12] + CRM_HEADER[14:]
_BOOL_STYLES = (("true", "false"), ("TRUE", "FALSE"), ("yes", "no"), ("1", "0"), ("Y", "N"))
_BOOL_WEIGHTS = (80, 5, 6, 5, 4)


@dataclass(slots=True)
class Contact:
    """One CRM contact and its history.

    Attributes:
        contact_id: CRM id.
        created_ms: Creation time.
        versions: ``(updated_ms, field values)``; field names are the CSV columns.
        marketing_email: Address used for marketing (trimmed, lowercase), if usable.
        dead: The marketing address does not exist.
        opt_in: Opted in to marketing at creation.
        origin: ``import``, ``signup``, ``newsletter``, ``store``, ``event`` or ``duplicate``.
        merged_ms: When the contact was merged into the primary one, if ever.
        yes_no: Boolean spelling used by the system that created the contact.
        email_origin: The address a mistyped ``email`` was meant to be (ground truth only).
    """

    contact_id: str
    created_ms: int
    versions: list[tuple[int, dict[str, str]]]
    marketing_email: str | None
    dead: bool
    opt_in: bool
    origin: str
    merged_ms: int | None
    yes_no: tuple[str, str]
    email_origin: str | None = None

    def change(self, ms: int, **updates: str) -> None:
        """Append a new version with ``updates`` applied."""
        values = dict(self.versions[-1][1])
        values.update(updates)
        self.versions.append((ms, values))
        self.versions.sort(key=lambda item: item[0])

    @property
    def current(self) -> dict[str, str]:
        """Latest field values."""
        return self.versions[-1][1]


def _usable(email: str) -> str | None:
    clean = email.strip().lower()
    if "@" not in clean or clean in PLACEHOLDER_EMAILS:
        return None
    return clean


def _base_fields(sim: Sim, email: str, duplicate: bool) -> dict[str, str]:
    person, rng = sim.person, sim.rng
    hh = person.household
    country = person.country
    dirt = 0.25 if duplicate else 0.08
    first = person.first_name
    if person.nickname and rng.random() < (0.3 if duplicate else 0.08):
        first = person.nickname
    last = person.last_name
    if duplicate:
        roll = rng.random()
        if roll < 0.25:
            last = typo(rng, last)
        elif roll < 0.35:
            last = strip_accents(last, german=country.code == "DE")
        if rng.random() < 0.1:
            first = typo(rng, first)
    roll = rng.random()
    if roll < (0.5 if duplicate else 0.72):
        phone = phone_as_typed(rng, country, person.mobile)
    elif roll < 0.8 and hh.landline:
        phone = phone_as_typed(rng, country, hh.landline)
    elif roll < 0.84 and person.work_phone:
        phone = phone_as_typed(rng, country, person.work_phone)
    elif 0.9 <= roll < 0.915:
        phone = rng.choice(PLACEHOLDER_PHONES)
    else:
        phone = ""
    dob = ""
    if rng.random() < (0.45 if duplicate else 0.6):
        dob = (
            swapped_dob(person.dob).isoformat()
            if duplicate and rng.random() < 0.25
            else dob_as_entered(rng, person.dob, 0.03)
        )
    street = city = postcode = state = ""
    country_text = country_as_typed(rng, country) if rng.random() < 0.9 else ""
    if rng.random() < (0.5 if duplicate else 0.72):
        street = hh.address_line()
        if rng.random() < 0.1:
            street = street.replace("Street", "St").replace("Road", "Rd").replace("straße", "str.")
        city = name_as_typed(rng, hh.city, 0.1)
        postcode = hh.postcode if rng.random() < 0.9 else hh.postcode.replace(" ", "").lower()
        state = hh.state
    return {
        "email": email,
        "phone": phone,
        "first_name": name_as_typed(rng, first, dirt),
        "last_name": name_as_typed(rng, last, dirt),
        "date_of_birth": dob,
        "street_address": street,
        "city": city,
        "postcode": postcode,
        "state": state,
        "country": country_text,
        "email_opt_in": "",
        "is_deleted": "",
        "merged_into_contact_id": "",
    }


def _new_contact(
    sim: Sim, slot: int, created: int, origin: str, email: str, dead: bool, duplicate: bool
) -> Contact:
    rng = sim.rng
    yes_no = rng.choices(_BOOL_STYLES, _BOOL_WEIGHTS)[0]
    fields = _base_fields(sim, email, duplicate)
    opt_in = origin == "newsletter" or rng.random() < (0.4 if duplicate else 0.55)
    fields["email_opt_in"] = yes_no[0] if opt_in else yes_no[1]
    if origin != "newsletter" and rng.random() < 0.03:
        fields["email_opt_in"] = ""
        opt_in = False
    fields["is_deleted"] = yes_no[1]
    contact_id = sim.world.contact_ids(sim.person.index * 8 + slot)
    return Contact(
        contact_id,
        created,
        [(created, fields)],
        _usable(email) if email else None,
        dead,
        opt_in,
        origin,
        None,
        yes_no,
    )


def plan_contacts(sim: Sim) -> tuple[list[Contact], list[Trigger]]:
    """Create the person's CRM contacts (primary and duplicates) with merges.

    Args:
        sim: Person state (``sim.extra['account_email']`` must be set).

    Returns:
        ``(contacts, triggers)``; triggers are newsletter sign-up sessions that created a
        contact during the history.
    """
    person, world, rng = sim.person, sim.world, sim.rng
    triggers: list[Trigger] = []
    if rng.random() >= (0.92 if person.pre_existing else 0.62):
        return [], triggers
    if person.account_ms is not None and person.account_ms >= world.start_ms:
        created, origin = person.account_ms + rng.randrange(2 * MINUTE_MS, 45 * MINUTE_MS), "signup"
    elif person.pre_existing:
        lo = person.first_seen_ms
        created, origin = lo + rng.randrange(max(world.start_ms - lo, 1)), "import"
    else:
        created = person.first_seen_ms + rng.randrange(0, 3 * DAY_MS)
        origin = rng.choices(("newsletter", "store", "event"), (55, 30, 15))[0]
    if created > world.end_ms:
        return [], triggers
    canonical = sim.extra["account_email"]
    roll = rng.random()
    if roll < 0.015:
        email = rng.choice(PLACEHOLDER_EMAILS)
    elif roll < 0.045 and origin != "newsletter":
        email = ""
    else:
        email = email_as_typed(rng, canonical, 0.12)
    primary = _new_contact(sim, 0, created, origin, email, False, False)
    if origin == "newsletter" and primary.marketing_email:
        triggers.append(
            Trigger(created - rng.randrange(MINUTE_MS, 10 * MINUTE_MS), "newsletter", email=email)
        )
    contacts = [primary]
    extra = 0
    if rng.random() < 0.15:
        extra = 1 + (rng.random() < 0.22) + (rng.random() < 0.1)
    for slot in range(1, extra + 1):
        lo = created if not person.pre_existing else min(person.first_seen_ms, created)
        hi = world.end_ms if rng.random() < 0.6 else max(world.start_ms, lo + 1)
        dup_created = lo + rng.randrange(max(hi - lo, 1))
        roll = rng.random()
        dead = False
        if roll < 0.3:
            email = email_as_typed(rng, canonical, 0.8)
        elif roll < 0.48 and len(person.emails) > 1:
            email = email_as_typed(rng, person.emails[1], 0.2)
        elif roll < 0.66 and person.work_email:
            email = email_as_typed(rng, person.work_email, 0.2)
        elif roll < 0.8:
            email, dead = typo_email(rng, canonical), True
        elif roll < 0.9:
            email = ""
        else:
            email = rng.choice(PLACEHOLDER_EMAILS)
        origin = rng.choice(("store", "event", "import", "support"))
        dup = _new_contact(sim, slot, dup_created, "duplicate", email, dead, True)
        dup.origin = origin
        if dead:
            dup.email_origin = canonical
        if rng.random() < 0.35:
            merged = max(dup_created, created) + rng.randrange(HOUR_MS, 40 * DAY_MS)
            if merged <= world.end_ms:
                dup.change(
                    merged, is_deleted=dup.yes_no[0], merged_into_contact_id=primary.contact_id
                )
                dup.merged_ms = merged
        contacts.append(dup)
    return contacts, triggers


def subscribers_from(sim: Sim, contacts: list[Contact], erasure_ms: int | None) -> list[Subscriber]:
    """Marketing-list addresses of the person, as synced from opted-in contacts."""
    rng, world = sim.rng, sim.world
    by_email: dict[str, Subscriber] = {}
    for contact in contacts:
        if not contact.opt_in or not contact.marketing_email:
            continue
        start = contact.created_ms + rng.randrange(10 * MINUTE_MS, DAY_MS)
        until = contact.merged_ms or world.end_ms + 1
        if erasure_ms is not None:
            until = min(until, erasure_ms)
        sub = by_email.get(contact.marketing_email)
        if sub is None:
            by_email[contact.marketing_email] = Subscriber(
                contact.marketing_email, start, until, contact.dead
            )
        else:
            sub.from_ms = min(sub.from_ms, start)
            sub.until_ms = max(sub.until_ms, until)
    return [by_email[key] for key in sorted(by_email)]


def finalize_and_export(
    sim: Sim, contacts: list[Contact], optouts: list[tuple[int, str]], erasure_ms: int | None
) -> None:
    """Apply later changes (opt-outs, moves, new numbers, erasure) and write the exports."""
    person, world, rng = sim.person, sim.world, sim.rng
    if not contacts:
        return
    span = world.end_ms - world.start_ms
    for ms, email in optouts:
        for contact in contacts:
            if contact.marketing_email == email and contact.merged_ms is None:
                contact.change(
                    ms + rng.randrange(30 * MINUTE_MS, 6 * HOUR_MS), email_opt_in=contact.yes_no[1]
                )
    primary = contacts[0]
    if rng.random() < 0.025:
        at = world.start_ms + rng.randrange(span)
        if at > primary.created_ms:
            primary.change(
                at,
                street_address=f"{rng.randint(1, 300)} {rng.choice(person.country.streets)}",
                postcode=primary.current["postcode"][:-1] + str(rng.randrange(10)),
            )
    if rng.random() < 0.015:
        at = world.start_ms + rng.randrange(span)
        if at > primary.created_ms:
            nsn = phone_nsn(
                person.country,
                rng.choice(person.country.mobile_prefixes),
                person.index * 4 + 2,
                rng,
            )
            primary.change(at, phone=phone_as_typed(rng, person.country, nsn))
    if person.female and rng.random() < 0.006:
        at = world.start_ms + rng.randrange(span)
        if at > primary.created_ms:
            married = rng.choice(LAST_NAMES[person.country.name_group])
            primary.change(at, last_name=married)
            sim.extra["married_name"] = married
    for contact in contacts:
        if rng.random() < 0.1:
            at = world.start_ms + rng.randrange(span)
            if at > contact.created_ms and contact.merged_ms is None:
                contact.change(at)
        if erasure_ms is not None and contact.merged_ms is None:
            at = erasure_ms + rng.randrange(DAY_MS, 5 * DAY_MS)
            if at > contact.created_ms:
                contact.change(at, is_deleted=contact.yes_no[0])
    _export(sim, contacts)


def _note_evidence(sim: Sim, contact: Contact, values: dict[str, str]) -> None:
    """Report the evidence one exported version of ``contact`` carries."""
    person, note = sim.person, sim.truth.note
    record = ("crm", "contacts", contact.contact_id)
    note(record, "contact_id", contact.contact_id)
    note(record, "contact_id", values["merged_into_contact_id"])
    email = email_key(values["email"])
    note(record, "email", email)
    note(record, "email_near", contact.email_origin or email)
    note(record, "phone", phone_key(person.country, values["phone"]))
    if values["first_name"].strip() and values["last_name"].strip():
        married = sim.extra.get("married_name")
        last = married if married and values["last_name"] == married else person.last_name
        note(record, "name", f"{person.first_name} {last}")
    dob = person.dob
    if values["date_of_birth"] in (dob.isoformat(), swapped_dob(dob).isoformat()):
        note(record, "dob", dob.isoformat())
    note(record, "postcode", postcode_key(values["postcode"]))


def _export(sim: Sim, contacts: list[Contact]) -> None:
    world, rng, truth = sim.world, sim.rng, sim.truth
    exports = world.crm_exports
    for contact in contacts:
        previous = None
        for k, export_ms in enumerate(exports):
            if contact.created_ms > export_ms:
                previous = export_ms
                continue
            changed = k == 0 or any(
                (previous is None or ms > previous) and ms <= export_ms
                for ms, _ in contact.versions
            )
            previous = export_ms
            if not changed:
                continue
            updated, values = contact.versions[0]
            for ms, version in contact.versions:
                if ms <= export_ms:
                    updated, values = ms, version
            row = [contact.contact_id]
            row.extend(values[name] for name in _FIELDS[:11])
            row.append(iso_naive(contact.created_ms))
            row.append(iso_naive(updated))
            row.append(values["is_deleted"])
            row.append(values["merged_into_contact_id"])
            path = f"crm_contacts/contacts_{date_str(export_ms)}.csv"
            sim.sink.row(path, (contact.contact_id, 0), row)
            truth.record("crm", "contacts", contact.contact_id)
            truth.ident("contact_id", contact.contact_id)
            truth.ident("contact_id", values["merged_into_contact_id"])
            truth.ident("email", values["email"])
            truth.ident("phone", values["phone"])
            _note_evidence(sim, contact, values)
            if rng.random() < 0.002:
                bad = list(row)
                if rng.random() < 0.5:
                    bad[0] = ""
                else:
                    bad[5] = "not a date"
                sim.sink.row(path, (contact.contact_id, 1), bad)
                sim.bad("crm_contacts")
