"""Durations and timestamps exactly as kubectl prints them.

Ports of apimachinery's `duration.HumanDuration` / `ShortHumanDuration` and of the helpers kubectl
uses around them (AGE columns, `RESTARTS (41s ago)`, describe's `Start Time:`). Timestamps arrive
in their JSON form (RFC3339 strings ending in `Z`); `now` is always passed in so output is
deterministic under test.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Optional, Union

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$"
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# What Go prints for a zero metav1.Time formatted with time.RFC1123Z.
ZERO_TIME_RFC1123Z = "Mon, 01 Jan 0001 00:00:00 +0000"

Timestamp = Union[str, datetime, None]


def parse_timestamp(value: Timestamp) -> Optional[datetime]:
    """Parse an RFC3339 timestamp (or pass a datetime through) into an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    m = _RFC3339.match(value.strip())
    if not m:
        raise ValueError(f"not an RFC3339 timestamp: {value!r}")
    year, month, day, hour, minute, second, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro,
                  tzinfo=timezone.utc)
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        dt -= timedelta(seconds=offset)
    return dt


def human_duration(seconds: float) -> str:
    """apimachinery `HumanDuration`: `45s`, `2m5s`, `3h`, `5d`, `2y30d`, `<invalid>`."""
    # Go truncates toward zero: anything up to 1.999s in the future still reads as "0s".
    whole = math.trunc(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        s = whole % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"


def short_duration(seconds: float) -> str:
    """apimachinery `ShortHumanDuration`: one unit only (`41s`, `5m`, `3h`, `2d`, `1y`)."""
    whole = math.trunc(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60:
        return f"{whole}s"
    if whole // 60 < 60:
        return f"{whole // 60}m"
    hours = whole // 3600
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{int(seconds / 3600 / 24 / 365)}y"


def seconds_since(timestamp: Timestamp, now: datetime) -> Optional[float]:
    """Seconds from `timestamp` to `now` (negative if it lies in the future); None if unset."""
    dt = parse_timestamp(timestamp)
    if dt is None:
        return None
    return (now - dt).total_seconds()


def age(timestamp: Timestamp, now: datetime) -> str:
    """kubectl's AGE cell (`translateTimestampSince`): `<unknown>` when the timestamp is unset."""
    elapsed = seconds_since(timestamp, now)
    if elapsed is None:
        return "<unknown>"
    return human_duration(elapsed)


def age_until(timestamp: Timestamp, now: datetime) -> str:
    """kubectl's `translateTimestampUntil`: the human duration from `now` until `timestamp`."""
    elapsed = seconds_since(timestamp, now)
    if elapsed is None:
        return "<unknown>"
    return human_duration(-elapsed)


def rfc1123z(timestamp: Timestamp) -> str:
    """Go's `time.RFC1123Z` layout in UTC: `Sun, 22 Nov 2026 10:00:00 +0000`."""
    dt = parse_timestamp(timestamp)
    if dt is None:
        return ZERO_TIME_RFC1123Z
    dt = dt.astimezone(timezone.utc)
    # Spelled out rather than strftime("%a %b") so the process locale cannot change the words.
    return (f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000")
