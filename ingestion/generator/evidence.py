"""What the landing files say about who is who: evidence per record, and evidence groups.

The ground truth knows every record's person. Whether anything *can* know it depends on the
evidence the generator wrote into the landing files, so every place that emits a truth record
also reports, as ``(kind, value)`` pairs, the evidence it wrote on that record:

- **keys**, values that identify on their own when two records carry the same one: an
  anonymous id, user id (Segment ``userId`` and the shop's customer id), app device id, CRM
  contact id (also as a merge target), email (trimmed, lower case), phone (calling code and
  national number, however it was formatted), and shop order id and checkout token (also
  sent with Segment checkout events). A Segment message with both ids gives both records its
  user id, so they share a key;
- **attributes**, which identify only together with the person's name: date of birth
  (as entered or with day and month swapped), postcode, and the address an email was meant to
  be (a mistyped address points at the real one).

Two records of one person are connected when they share a key, or when both carry the
person's name and share an attribute. An *evidence group* is a connected set of one person's
records: the pipeline can be expected to put a group together, and cannot be expected to join
two groups of one person (say a Segment user id never seen with an email, and the CRM contact
of the same person). Values that are not evidence: placeholders and the shop's in-store
address (shared by design), and any key that records of two persons carry (a household
landline), since it cannot tell them apart. Records the truth gives to several persons (a
shared family device) belong to no group and connect nothing.

The groups are computed per chunk of persons, which is exact because nothing person-specific is
shared beyond a household and both members of a household are always in the same chunk.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingestion.generator.reference import (
    PLACEHOLDER_EMAILS,
    PLACEHOLDER_PHONES,
    STORE_EMAIL,
    Country,
)

Record = tuple[str, str, str]
"""``(source_system, source_table, source_record_id)``."""

ATTRIBUTE_KINDS = ("dob", "postcode", "email_near")
"""Evidence kinds that count only together with the person's name (kind ``name``)."""

_NOT_EVIDENCE_EMAILS = frozenset(e.lower() for e in (*PLACEHOLDER_EMAILS, STORE_EMAIL))
_NOT_EVIDENCE_PHONES = frozenset(PLACEHOLDER_PHONES)


def email_key(value: str | None) -> str | None:
    """The key of an email as written (trimmed, lower case); ``None`` for non-evidence."""
    if not value:
        return None
    key = value.strip().lower()
    if "@" not in key or key in _NOT_EVIDENCE_EMAILS:
        return None
    return key


def phone_key(country: Country, value: str | None) -> str | None:
    """The number a phone written in any of the generator's styles stands for.

    Every style ends with the national significant number, so the key is the calling code and
    the last ``nsn_len`` digits. Placeholders are ``None``.
    """
    if not value or value in _NOT_EVIDENCE_PHONES:
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < country.nsn_len:
        return None
    return country.phone_cc + digits[-country.nsn_len :]


def postcode_key(value: str | None) -> str | None:
    """Postcode without case and spaces."""
    if not value:
        return None
    return "".join(value.split()).upper() or None


def _find(parent: dict[Record, Record], record: Record) -> Record:
    while parent[record] != record:
        parent[record] = parent[parent[record]]
        record = parent[record]
    return record


def evidence_groups(
    persons: Iterable[tuple[str, dict[Record, set[tuple[str, str]]]]],
) -> dict[tuple[Record, str], str]:
    """Split every person's records into evidence groups.

    Args:
        persons: ``(person_id, record -> evidence)`` for every person of a chunk; every record
            of the person appears, with an empty set when it carries no evidence.

    Returns:
        ``(record, person_id) -> group label`` (``<person_id>-<n>``, numbered in record order);
        records of several persons get ``""``.
    """
    persons = list(persons)
    owners: dict[Record, set[str]] = {}
    for pid, evidence in persons:
        for record in evidence:
            owners.setdefault(record, set()).add(pid)
    shared = {record for record, pids in owners.items() if len(pids) > 1}

    def keys_of(evidence: set[tuple[str, str]]) -> set[tuple[str, str]]:
        names = sorted(value for kind, value in evidence if kind == "name")
        keys = {(k, v) for k, v in evidence if k != "name" and k not in ATTRIBUTE_KINDS}
        for kind, value in evidence:
            if kind in ATTRIBUTE_KINDS:
                keys.update((f"name+{kind}", f"{name}|{value}") for name in names)
        return keys

    record_keys: dict[tuple[str, Record], set[tuple[str, str]]] = {}
    key_persons: dict[tuple[str, str], set[str]] = {}
    for pid, evidence in persons:
        for record, items in evidence.items():
            if record in shared:
                continue
            keys = keys_of(items)
            record_keys[(pid, record)] = keys
            for key in keys:
                key_persons.setdefault(key, set()).add(pid)

    groups: dict[tuple[Record, str], str] = {}
    for pid, evidence in persons:
        records = sorted(r for r in evidence if r not in shared)
        parent = {record: record for record in records}
        first_with: dict[tuple[str, str], Record] = {}
        for record in records:
            for key in sorted(record_keys[(pid, record)]):
                if len(key_persons[key]) > 1:
                    continue  # carried by records of two persons: tells nobody apart
                other = first_with.setdefault(key, record)
                a, b = _find(parent, other), _find(parent, record)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        labels: dict[Record, str] = {}
        for record in records:
            root = _find(parent, record)
            if root not in labels:
                labels[root] = f"{pid}-{len(labels) + 1}"
            groups[(record, pid)] = labels[root]
        for record in evidence:
            if record in shared:
                groups[(record, pid)] = ""
    return groups
