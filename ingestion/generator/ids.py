"""Deterministic identifiers.

Numeric ids (contacts, customers, orders) come from an affine bijection of a per-person slot
number, so they are unique by construction, look random and never depend on how persons are
split into chunks. Random-looking tokens (UUIDs, SendGrid ids) come from the per-person
:class:`random.Random` stream.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

_HEX = "0123456789abcdef"


@dataclass(frozen=True, slots=True)
class Scrambler:
    """Bijective map of ``[0, 9 * 10**(digits-1))`` onto ``digits``-digit numbers.

    Attributes:
        digits: Number of decimal digits of every output (no leading zero).
        offset: Seed-dependent additive constant.
    """

    digits: int
    offset: int

    # Coprime with 2, 3 and 5, hence with 9 * 10**k: multiplication by it is a bijection.
    _MULT = 1_442_695_040_888_963_407

    def __call__(self, value: int) -> str:
        """Return the scrambled, fixed-width decimal string for ``value``."""
        span = 9 * 10 ** (self.digits - 1)
        return str(10 ** (self.digits - 1) + (value * self._MULT + self.offset) % span)


def make_scrambler(seed: int, name: str, digits: int) -> Scrambler:
    """Build a :class:`Scrambler` whose offset depends on the seed and the id family."""
    span = 9 * 10 ** (digits - 1)
    return Scrambler(digits, random.Random(f"{seed}:ids:{name}").randrange(span))


def hex_token(rng: random.Random, length: int) -> str:
    """Return ``length`` random lowercase hex characters."""
    return f"{rng.getrandbits(4 * length):0{length}x}"


def uuid4(rng: random.Random, upper: bool = False) -> str:
    """Return a random RFC 4122 version-4 UUID string drawn from ``rng``."""
    bits = rng.getrandbits(128)
    bits &= ~(0xF000 << 64)
    bits |= 0x4000 << 64
    bits &= ~(0xC000 << 48)
    bits |= 0x8000 << 48
    text = f"{bits:032x}"
    out = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return out.upper() if upper else out


def b64_token(rng: random.Random, nbytes: int = 16, urlsafe: bool = True) -> str:
    """Return base64 of ``nbytes`` random bytes (SendGrid ``sg_event_id`` style)."""
    raw = rng.getrandbits(8 * nbytes).to_bytes(nbytes, "big")
    return (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()


def digits_token(rng: random.Random, length: int) -> str:
    """Return ``length`` random decimal digits."""
    return f"{rng.randrange(10**length):0{length}d}"
