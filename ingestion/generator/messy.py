"""Realistic dirt: case and whitespace in emails, phone formats, typos, swapped dates."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from ingestion.generator.reference import DOMAIN_TYPOS, Country

_FOLD_SPECIAL = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d"}
)
_GERMAN_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def strip_accents(text: str, german: bool = False) -> str:
    """Fold accents to ASCII: ``José`` -> ``Jose``, ``Müller`` -> ``Mueller`` (german=True)."""
    if german:
        text = text.translate(_GERMAN_UMLAUTS)
    text = text.translate(_FOLD_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def email_slug(text: str, german: bool = False) -> str:
    """Lowercase ASCII letters only, for building email local parts."""
    return "".join(ch for ch in strip_accents(text, german).lower() if "a" <= ch <= "z")


def email_as_typed(rng: random.Random, email: str, dirt: float = 0.2) -> str:
    """Return an email the way a person or system might have entered it.

    Args:
        rng: Random stream.
        email: Canonical lowercase address.
        dirt: Probability that the value is not the clean canonical form.

    Returns:
        The address, possibly with capitals, all caps or stray whitespace.
    """
    if rng.random() >= dirt:
        return email
    roll = rng.random()
    local, _, domain = email.partition("@")
    if roll < 0.45:
        parts = [p[:1].upper() + p[1:] for p in local.split(".")]
        return ".".join(parts) + "@" + domain[:1].upper() + domain[1:]
    if roll < 0.6:
        return email.upper()
    if roll < 0.8:
        return rng.choice((" ", "  ", "\t")) + email if rng.random() < 0.5 else email + " "
    return local + "@" + domain.upper()


def typo(rng: random.Random, word: str) -> str:
    """Introduce one keyboard-style typo (transpose, drop or double a letter)."""
    if len(word) < 4:
        return word + word[-1:]
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4 and word[pos] != word[pos + 1]:
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    if kind < 0.7:
        return word[:pos] + word[pos + 1 :]
    return word[:pos] + word[pos] + word[pos:]


def typo_email(rng: random.Random, email: str) -> str:
    """Return a mistyped address that can never equal another person's real address.

    The domain is misspelled when we know a typo for it; otherwise a letter of the local part is
    changed while trailing digits (which make every generated address unique) are kept.
    """
    local, _, domain = email.partition("@")
    typos = DOMAIN_TYPOS.get(domain)
    if typos and rng.random() < 0.7:
        return f"{local}@{rng.choice(typos)}"
    stem = local.rstrip("0123456789")
    digits = local[len(stem) :]
    letters = [i for i, ch in enumerate(stem) if ch.isalpha()]
    if len(letters) < 4:
        return f"{local}@{typos[0] if typos else 'typo-' + domain}"
    new_stem = typo(rng, stem)
    if new_stem == stem or not new_stem[-1:].isalpha():
        return f"{local}@{typos[0] if typos else 'typo-' + domain}"
    return f"{new_stem}{digits}@{domain}"


def name_as_typed(rng: random.Random, name: str, dirt: float = 0.1) -> str:
    """Return a name with occasional case, whitespace or accent noise."""
    if rng.random() >= dirt:
        return name
    roll = rng.random()
    if roll < 0.3:
        return name.upper()
    if roll < 0.55:
        return name.lower()
    if roll < 0.75:
        return f" {name}" if rng.random() < 0.5 else f"{name}  "
    folded = strip_accents(name)
    return folded if folded != name else name.lower()


def swapped_dob(day: dt.date) -> dt.date:
    """Swap day and month when that still gives a valid, different date (US vs EU entry)."""
    if day.day <= 12 and day.day != day.month:
        return dt.date(day.year, day.day, day.month)
    return day


def dob_as_entered(rng: random.Random, day: dt.date, dirt: float = 0.05) -> str:
    """Return ``YYYY-MM-DD`` with an occasional swapped day/month or off-by-one year."""
    if rng.random() < dirt:
        if rng.random() < 0.75:
            day = swapped_dob(day)
        else:
            day = day.replace(year=day.year + rng.choice((-1, 1)), day=min(day.day, 28))
    return day.isoformat()


def _groups(nsn: str, sizes: tuple[int, ...]) -> list[str]:
    out: list[str] = []
    pos = 0
    for size in sizes[:-1]:
        out.append(nsn[pos : pos + size])
        pos += size
    out.append(nsn[pos:])
    return [g for g in out if g]


PHONE_STYLES = ("e164", "intl", "intl00", "intl_dash", "national", "national_paren", "digits")


def format_phone(country: Country, nsn: str, style: str) -> str:
    """Render a national significant number in one of :data:`PHONE_STYLES`.

    Args:
        country: Country of the number (calling code, trunk prefix, grouping).
        nsn: National significant number (digits, no trunk prefix).
        style: Output style.

    Returns:
        For the UK London number ``2079460958``: ``+442079460958``, ``+44 20 7946 0958``,
        ``00442079460958``, ``+44-20-7946-0958``, ``020 7946 0958``, ``(020) 7946-0958`` or
        ``02079460958``.
    """
    cc = country.phone_cc
    groups = _groups(nsn, country.groups)
    if style == "e164":
        return f"+{cc}{nsn}"
    if style == "intl":
        return f"+{cc} {' '.join(groups)}"
    if style == "intl00":
        return f"00{cc}{nsn}"
    if style == "intl_dash":
        return f"+{cc}-{'-'.join(groups)}"
    nanp = cc == "1"
    trunk = country.trunk
    if style == "national":
        if nanp:
            return f"{groups[0]}-{groups[1]}-{groups[2]}"
        return f"{trunk}{groups[0]} {' '.join(groups[1:])}"
    if style == "national_paren":
        if nanp:
            return f"({groups[0]}) {groups[1]}-{groups[2]}"
        return f"({trunk}{groups[0]}) {groups[1]}-{''.join(groups[2:])}"
    if nanp and style == "digits":
        return nsn
    return f"{trunk}{nsn}"


def phone_as_typed(
    rng: random.Random, country: Country, nsn: str, weights: tuple[float, ...] | None = None
) -> str:
    """Render a phone number in a randomly chosen style (weights follow :data:`PHONE_STYLES`)."""
    style = rng.choices(PHONE_STYLES, weights or (3, 3, 1, 1, 4, 3, 2))[0]
    return format_phone(country, nsn, style)


def country_as_typed(rng: random.Random, country: Country, dirt: float = 0.15) -> str:
    """Return the ISO code, or now and then another spelling of the country."""
    if rng.random() >= dirt:
        return country.code
    return rng.choice(country.spellings[1:] or country.spellings)
