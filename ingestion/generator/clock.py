"""Simulated clock: the fixed end of history, time zones and fast timestamp formatting.

All simulated instants are integer milliseconds since the Unix epoch (UTC). The history always
ends at :data:`END_MS` (2026-10-31T23:59:59.999Z); the wall clock is never consulted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SECOND_MS = 1_000
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

_EPOCH = dt.date(1970, 1, 1)
END_DATE = dt.date(2026, 10, 31)
END_MS = (END_DATE - _EPOCH).days * DAY_MS + DAY_MS - 1


def window_start_ms(days: int) -> int:
    """Return midnight UTC of the first simulated day.

    Args:
        days: Length of the simulated history in days (the last day is :data:`END_DATE`).

    Returns:
        Epoch milliseconds of 00:00:00Z on the first day.
    """
    return END_MS + 1 - days * DAY_MS


def ms_from_date(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """Return epoch milliseconds for a UTC wall time on ``day``."""
    return (day - _EPOCH).days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS


def date_of(ms: int) -> dt.date:
    """Return the UTC calendar date of an instant."""
    return _EPOCH + dt.timedelta(days=ms // DAY_MS)


_DATE_CACHE: dict[int, str] = {}


def date_str(ms: int) -> str:
    """Format the UTC date of an instant as ``YYYY-MM-DD`` (cached per day)."""
    day = ms // DAY_MS
    text = _DATE_CACHE.get(day)
    if text is None:
        text = (_EPOCH + dt.timedelta(days=day)).isoformat()
        _DATE_CACHE[day] = text
    return text


def hour_str(ms: int) -> str:
    """Format the UTC hour of an instant as ``YYYY-MM-DDTHH``."""
    return f"{date_str(ms)}T{(ms % DAY_MS) // HOUR_MS:02d}"


def _split(ms: int) -> tuple[str, int, int, int, int]:
    rest = ms % DAY_MS
    hour, rest = divmod(rest, HOUR_MS)
    minute, rest = divmod(rest, MINUTE_MS)
    second, milli = divmod(rest, SECOND_MS)
    return date_str(ms), hour, minute, second, milli


_HOUR_PREFIX: dict[int, str] = {}


def iso_ms(ms: int) -> str:
    """Format as ``2026-10-01T13:05:22.123Z`` (Segment, SES); the hot path, hence cached."""
    hour = ms // HOUR_MS
    prefix = _HOUR_PREFIX.get(hour)
    if prefix is None:
        prefix = f"{date_str(ms)}T{hour % 24:02d}:"
        _HOUR_PREFIX[hour] = prefix
    minute, rest = divmod(ms - hour * HOUR_MS, MINUTE_MS)
    second, milli = divmod(rest, SECOND_MS)
    return f"{prefix}{minute:02d}:{second:02d}.{milli:03d}Z"


def iso_s(ms: int) -> str:
    """Format as ``2026-10-01T13:05:22Z``."""
    day, hour, minute, second, _ = _split(ms)
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}Z"


def iso_naive(ms: int) -> str:
    """Format as ``2026-10-01T13:05:22`` (no offset, read as UTC; CRM exports)."""
    day, hour, minute, second, _ = _split(ms)
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}"


def iso_offset(ms: int, offset_minutes: int) -> str:
    """Format in a local offset, e.g. ``2026-10-01T09:05:22-04:00`` (Shopify style)."""
    day, hour, minute, second, _ = _split(ms + offset_minutes * MINUTE_MS)
    sign = "+" if offset_minutes >= 0 else "-"
    off_h, off_m = divmod(abs(offset_minutes), 60)
    return f"{day}T{hour:02d}:{minute:02d}:{second:02d}{sign}{off_h:02d}:{off_m:02d}"


def epoch_s(ms: int) -> int:
    """Return whole epoch seconds (SendGrid ``timestamp``)."""
    return ms // SECOND_MS


# --- time zones -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Zone:
    """An IANA time zone with its standard offset and a simplified daylight-saving rule.

    Attributes:
        name: IANA name, e.g. ``Europe/Berlin``.
        std_minutes: Standard-time offset from UTC in minutes.
        dst_rule: ``EU``, ``US``, ``AU``, ``NZ``, ``CL``... or ``None`` for no daylight saving.
    """

    name: str
    std_minutes: int
    dst_rule: str | None = None


def _nth_sunday(year: int, month: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    first_sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + dt.timedelta(days=7 * (nth - 1))


def _last_sunday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


_DST_CACHE: dict[tuple[str, int, int], tuple[int, int]] = {}


def _dst_bounds(rule: str, year: int, std: int) -> tuple[int, int]:
    """Return (start, end) of daylight saving in UTC ms for ``year``.

    For southern-hemisphere rules ``start`` is in the spring (Sep/Oct) and ``end`` in April of
    the same calendar year, so the zone is on summer time outside ``[end, start)``.
    """
    key = (rule, year, std)
    cached = _DST_CACHE.get(key)
    if cached is not None:
        return cached
    std_ms = std * MINUTE_MS
    if rule == "EU":
        start = ms_from_date(_last_sunday(year, 3), 1)
        end = ms_from_date(_last_sunday(year, 10), 1)
    elif rule == "US":
        start = ms_from_date(_nth_sunday(year, 3, 2), 2) - std_ms
        end = ms_from_date(_nth_sunday(year, 11, 1), 2) - std_ms - HOUR_MS
    elif rule == "AU":
        start = ms_from_date(_nth_sunday(year, 10, 1), 2) - std_ms
        end = ms_from_date(_nth_sunday(year, 4, 1), 3) - std_ms - HOUR_MS
    elif rule == "NZ":
        start = ms_from_date(_last_sunday(year, 9), 2) - std_ms
        end = ms_from_date(_nth_sunday(year, 4, 1), 3) - std_ms - HOUR_MS
    else:
        raise ValueError(f"unknown DST rule {rule!r}")
    _DST_CACHE[key] = (start, end)
    return start, end


def offset_minutes(zone: Zone, utc_ms: int) -> int:
    """Return the UTC offset of ``zone`` at an instant, in minutes."""
    if zone.dst_rule is None:
        return zone.std_minutes
    year = date_of(utc_ms).year
    start, end = _dst_bounds(zone.dst_rule, year, zone.std_minutes)
    if zone.dst_rule in ("AU", "NZ"):
        in_dst = utc_ms >= start or utc_ms < end
    else:
        in_dst = start <= utc_ms < end
    return zone.std_minutes + (60 if in_dst else 0)


def local_to_utc(zone: Zone, local_ms: int) -> int:
    """Convert a local wall-clock instant (as if it were UTC ms) to true UTC ms."""
    guess = local_ms - zone.std_minutes * MINUTE_MS
    return local_ms - offset_minutes(zone, guess) * MINUTE_MS


def utc_to_local(zone: Zone, utc_ms: int) -> int:
    """Convert UTC ms to local wall-clock ms (expressed on the UTC scale)."""
    return utc_ms + offset_minutes(zone, utc_ms) * MINUTE_MS
