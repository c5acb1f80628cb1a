"""Timestamp parsing: accepted shapes, offsets, impossible values, Excel cells."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.readers.timeparse import TimeError, parse_time, parse_time_value

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
