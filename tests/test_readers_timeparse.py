"""Timestamp parsing: accepted shapes, offsets, impossible values, Excel cells."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.readers.timeparse import TimeError, parse_time, parse_time_general, parse_time_value

T = datetime(2024, 1, 5, 9, 3, 7)


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-05 09:03:07",
        "2024-1-5 9:03:07",
        "2024/1/5 9:03:07",
        "2024/01/05 09:03:07",
        "2024-01-05T09:03:07",
        "2024-01-05t09:03:07",
        " 2024-01-05  09:03:07 ",
        "2024-01-05T09:03:07+08:00",
        "2024-01-05T09:03:07+0800",
        "2024-01-05T09:03:07+08",
        "2024-01-05T01:03:07Z",
        "2024-01-05 01:03:07 Z",
        "2024-01-04T20:03:07-05:00",
    ],
)
def test_accepted(value: str) -> None:
    assert parse_time(value) == T


def test_fraction_and_missing_seconds() -> None:
    assert parse_time("2024-01-05 09:03:07.5") == T.replace(microsecond=500000)
    assert parse_time("2024-01-05T09:03:07,123456789") == T.replace(microsecond=123456)
    assert parse_time("2024/1/5 9:03") == T.replace(second=0)


def test_offset_crossing_midnight() -> None:
    assert parse_time("2023-12-31T23:30:00Z") == datetime(2024, 1, 1, 7, 30)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-02-30 09:00:00", "impossible timestamp '2024-02-30 09:00:00'"),
        ("2024-01-05 25:00:00", "impossible timestamp '2024-01-05 25:00:00'"),
        ("2024-1-5 9:61:00", "impossible timestamp '2024-1-5 9:61:00'"),
        ("0000-01-01 00:00:00", "impossible timestamp '0000-01-01 00:00:00'"),
        ("2024-01-05 24:00:00", "impossible timestamp '2024-01-05 24:00:00'"),
        ("2024-01-05 23:59:60", "impossible timestamp '2024-01-05 23:59:60'"),
        ("2023-02-29 00:00:00", "impossible timestamp '2023-02-29 00:00:00'"),
        ("2024-01-05T09:00:00+25:00", "impossible timestamp"),
        ("2024-01-05", "bad timestamp '2024-01-05'"),
        ("09:03:07", "bad timestamp '09:03:07'"),
        ("2024-01/05 09:03:07", "bad timestamp"),
        ("2024-01-05 09:03:07 Beijing", "bad timestamp"),
        ("２０２４-01-05 09:03:07", "bad timestamp"),
        ("", "bad timestamp ''"),
        ("yesterday " * 10, "bad timestamp 'yesterday yesterday yesterday yesterd...'"),
    ],
)
def test_rejected(value: str, reason: str) -> None:
    with pytest.raises(TimeError) as info:
        parse_time(value)
    assert str(info.value).startswith(reason)


def test_cell_values() -> None:
    assert parse_time_value(T) == T
    aware = datetime(2024, 1, 5, 1, 3, 7, tzinfo=UTC)
    assert parse_time_value(aware) == T
    assert parse_time_value(45296.37716435185, excel=True) == T
    assert parse_time_value(45296, excel=True) == datetime(2024, 1, 5)
    for bad in (45296.3, True, None, date(2024, 1, 5), time(9, 3, 7), [1], -1.0):
        with pytest.raises(TimeError):
            parse_time_value(bad, excel=not isinstance(bad, float))
    with pytest.raises(TimeError):
        parse_time_value(-5.0, excel=True)


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30)),
    st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "unpadded"]),
    st.integers(min_value=-12, max_value=14),
)
def test_formats_round_trip(when: datetime, fmt: str, offset_h: int) -> None:
    when = when.replace(microsecond=0)
    if fmt == "unpadded":
        text = (
            f"{when.year}-{when.month}-{when.day} {when.hour}:{when.minute:02d}:{when.second:02d}"
        )
    else:
        text = when.strftime(fmt)
    assert parse_time(text) == when
    aware = when.strftime("%Y-%m-%dT%H:%M:%S") + f"{offset_h:+03d}:00"
    expected = when - timedelta(hours=offset_h) + timedelta(hours=8)
    assert parse_time(aware) == expected


# The fast path of parse_time (canonical ``YYYY-MM-DD HH:MM:SS``) must agree with
# the general parser on every string of that length and separators, valid or not.

CANONICAL = "2024-01-05 09:03:07"
DIGIT_OFFSETS = [i for i in range(19) if i not in (4, 7, 10, 13, 16)]
# Characters fromisoformat or the regex might treat specially, and non-ASCII digits.
ODD_CHARS = "0123456789+-Zz:.,TtW _\t\x00٣３\u00a0\u3000\U0001f600\udc80"


def outcome(parse: Callable[[str], datetime], value: str) -> datetime | str:
    """The parsed value, or the rejection reason."""
    try:
        return parse(value)
    except TimeError as exc:
        return str(exc)


def assert_paths_agree(value: str) -> None:
    fast, general = outcome(parse_time, value), outcome(parse_time_general, value)
    assert fast == general, value
    if isinstance(fast, datetime):
        assert fast.tzinfo is None


def test_fast_path_every_single_character_change() -> None:
    """Each digit of the canonical shape replaced by any ASCII or odd character."""
    for i in DIGIT_OFFSETS:
        for ch in [chr(c) for c in range(128)] + list(ODD_CHARS):
            assert_paths_agree(CANONICAL[:i] + ch + CANONICAL[i + 1 :])


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_fast_path_canonical_values(when: datetime) -> None:
    text = f"{when.year:04d}-{when.month:02d}-{when.day:02d} " + when.strftime("%H:%M:%S")
    assert_paths_agree(text)
    assert parse_time(text) == when.replace(microsecond=0)


# 19-character strings that fromisoformat accepts in other ISO shapes (offsets,
# basic format, week dates): the fast path must leave them to the general parser.
OTHER_ISO_SHAPES = [
    "2024-01-05T09:03+08",
    "2024-01-05 09:03-07",
    "2024-01-05 09+08:00",
    "20240105T090307.123",
    "2024-W01-5 09:03:07",
]


@pytest.mark.parametrize("value", OTHER_ISO_SHAPES)
def test_fast_path_leaves_other_iso_shapes(value: str) -> None:
    assert_paths_agree(value)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=18), st.sampled_from(ODD_CHARS)),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(
        [
            CANONICAL,
            "0000-00-00 00:00:00",
            "9999-12-31 23:59:59",
            "2024-02-29 24:60:60",
            *OTHER_ISO_SHAPES,
        ]
    ),
)
def test_fast_path_near_misses(changes: list[tuple[int, str]], template: str) -> None:
    chars = list(template)
    for i, ch in changes:
        chars[i] = ch
    assert_paths_agree("".join(chars))


@given(st.text(alphabet="0123456789-:/ T+Z.", min_size=15, max_size=23))
def test_fast_path_any_short_text(value: str) -> None:
    assert_paths_agree(value)
