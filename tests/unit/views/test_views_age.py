"""AGE and duration formatting against apimachinery's HumanDuration / ShortHumanDuration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from k8slab.views.age import age, age_until, human_duration, parse_timestamp, rfc1123z, short_duration

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)
M, H, D, Y = 60, 3600, 86400, 365 * 86400


@pytest.mark.parametrize("seconds, expected", [
    (-3, "<invalid>"),
    (-2, "<invalid>"),
    (-1.9, "0s"),          # Go truncates: up to ~2s in the future still reads as now
    (-1, "0s"),
    (0, "0s"),
    (0.9, "0s"),
    (59, "59s"),
    (119, "119s"),
    (2 * M, "2m"),
    (2 * M + 5, "2m5s"),
    (9 * M + 59, "9m59s"),
    (10 * M, "10m"),
    (10 * M + 59, "10m"),
    (3 * H - 1, "179m"),
    (3 * H, "3h"),
    (3 * H + 25 * M, "3h25m"),
    (7 * H + 59 * M + 59, "7h59m"),
    (8 * H, "8h"),
    (47 * H + 59 * M, "47h"),
    (48 * H, "2d"),
    (2 * D + 5 * H, "2d5h"),
    (7 * D + 23 * H, "7d23h"),
    (8 * D, "8d"),
    (2 * Y - 1, "729d"),
    (2 * Y, "2y"),
    (2 * Y + 30 * D, "2y30d"),
    (8 * Y - 1, "7y364d"),
    (8 * Y, "8y"),
    (20 * Y + 100 * D, "20y"),
])
def test_human_duration(seconds, expected):
    assert human_duration(seconds) == expected


@pytest.mark.parametrize("seconds, expected", [
    (-2, "<invalid>"), (-1, "0s"), (41, "41s"), (59, "59s"), (60, "1m"), (150, "2m"), (59 * M + 59, "59m"),
    (H, "1h"), (23 * H + 59 * M, "23h"), (D, "1d"), (364 * D, "364d"), (365 * D, "1y"), (800 * D, "2y"),
])
def test_short_duration(seconds, expected):
    assert short_duration(seconds) == expected


def test_age_of_timestamps():
    assert age("2026-11-22T09:57:55Z", NOW) == "2m5s"
    assert age("2026-11-21T10:00:00Z", NOW) == "24h"
    assert age(None, NOW) == "<unknown>"
    assert age("", NOW) == "<unknown>"
    assert age("2026-11-22T10:00:05Z", NOW) == "<invalid>"
    assert age(NOW - timedelta(seconds=45), NOW) == "45s"


def test_age_until_is_the_mirror_image():
    assert age_until("2026-11-22T10:00:30Z", NOW) == "30s"


def test_parse_timestamp_forms():
    assert parse_timestamp("2026-11-22T10:00:00Z") == NOW
    assert parse_timestamp("2026-11-22T10:00:00.123456789Z") == NOW.replace(microsecond=123456)
    assert parse_timestamp("2026-11-22T12:00:00+02:00") == NOW
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


def test_rfc1123z_matches_go_layout():
    assert rfc1123z("2026-11-22T10:00:00Z") == "Sun, 22 Nov 2026 10:00:00 +0000"
    assert rfc1123z("2027-01-05T03:04:05Z") == "Tue, 05 Jan 2027 03:04:05 +0000"
    assert rfc1123z(None) == "Mon, 01 Jan 0001 00:00:00 +0000"  # Go's zero time
