"""sessionize(): explicit ids, the gap rule, ordering; properties against an oracle."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint.model import Message, Role
from cslint.readers import ReadOptions, read_file
from cslint.sessionize import derived_id, sessionize

T0 = datetime(2024, 1, 5, 9, 0, 0)


def msg(
    minute: float,
    buyer: str = "b",
    *,
    shop: str | None = "店",
    session: str | None = None,
    line: int = 0,
    role: Role = Role.BUYER,
    text: str = "x",
) -> Message:
    return Message(
        T0 + timedelta(minutes=minute), buyer, buyer, text, role, "f", line, session, shop
    )


def test_gap_rule_is_strictly_greater() -> None:
    sessions = sessionize([msg(0), msg(30), msg(60.01), msg(200)], gap_s=1800)
    assert [len(s.messages) for s in sessions] == [2, 1, 1]
    assert [s.id for s in sessions] == [
        "b#20240105-090000",
        "b#20240105-100000",
        "b#20240105-122000",
    ]
    assert sessions[1].start == T0 + timedelta(minutes=60.01)


def test_out_of_order_messages_are_sorted_ties_keep_input_order() -> None:
    a, b, c, d = msg(5, line=1), msg(1, line=2), msg(5, line=3), msg(1, line=4)
    [s] = sessionize([a, b, c, d])
    assert [m.line for m in s.messages] == [2, 4, 1, 3]


def test_keys_shop_and_buyer_and_output_order() -> None:
    ms = [
        msg(10, "b2"),
        msg(0, "b1", shop="店B"),
        msg(0, "b1", shop="店A"),
        msg(0, "b0", shop=None),
    ]
    sessions = sessionize(ms)
    assert [(s.shop, s.buyer) for s in sessions] == [
        (None, "b0"),
        ("店A", "b1"),
        ("店B", "b1"),
        ("店", "b2"),
    ]


def test_explicit_sessions_ignore_gaps() -> None:
    ms = [
        msg(0, session="S1"),
        msg(600, session="S1"),
        msg(1, "c", session="S1"),
        msg(2),
        msg(2, shop="X", session="S1"),
    ]
    sessions = sessionize(ms)
    assert [(s.id, s.shop, s.buyer, len(s.messages)) for s in sessions] == [
        ("S1", "店", "b", 3),  # buyer of the first message; c's message joins by id
        ("S1", "X", "b", 1),  # same id, other shop: another session; "X" < "店"
        ("b#20240105-090200", "店", "b", 1),
    ]


def test_shopless_messages_join_their_buyers_only_shop() -> None:
    # e.g. the buyer's half of a conversation in a file that names no shop
    [s] = sessionize([msg(0, shop=None), msg(1, shop="店A"), msg(2, shop=None)])
    assert s.shop == "店A" and len(s.messages) == 3
    sessions = sessionize([msg(0, shop=None), msg(1, shop="店A"), msg(2, shop="店B")])
    assert [(s.shop, len(s.messages)) for s in sessions] == [(None, 1), ("店A", 1), ("店B", 1)]
    [s] = sessionize([msg(0, shop=None, session="S"), msg(700, shop="店A", session="S")])
    assert (s.id, s.shop, len(s.messages)) == ("S", "店A", 2)


def test_duplicates_and_system_only_sessions_are_kept() -> None:
    ms = [msg(0), msg(0), msg(100, "sys", role=Role.SYSTEM)]
    sessions = sessionize(ms)
    assert [len(s.messages) for s in sessions] == [2, 1]
    assert sessions[1].messages[0].role is Role.SYSTEM


def test_negative_gap_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        sessionize([], gap_s=-1)
    assert sessionize([]) == []


def oracle(messages: list[Message], gap_s: int) -> Counter[tuple[object, ...]]:
    """Sessions as multisets, defined without walking: a message's session is the number
    of gaps > gap_s among its key's distinct times that end at or before its time."""
    result: Counter[tuple[object, ...]] = Counter()

    def shop(m: Message) -> str | None:
        shops = {n.shop for n in messages if n.buyer == m.buyer and n.shop is not None}
        return m.shop if m.shop is not None or len(shops) != 1 else shops.pop()

    keys = {(shop(m), m.buyer) for m in messages}
    for key in keys:
        group = [m for m in messages if (shop(m), m.buyer) == key]
        times = sorted({m.time for m in group})
        breaks = [b for a, b in pairwise(times) if (b - a).total_seconds() > gap_s]
        labels: dict[int, list[Message]] = {}
        for m in group:
            labels.setdefault(sum(1 for b in breaks if b <= m.time), []).append(m)
        for members in labels.values():
            result[(key, tuple(sorted((m.time, m.line) for m in members)))] += 1
    return result


_messages = st.lists(
    st.builds(
        msg,
        st.integers(min_value=0, max_value=400).map(float),
        st.sampled_from(["b1", "b2", "b3"]),
        shop=st.sampled_from([None, "店A", "店B"]),
        line=st.integers(min_value=1, max_value=10**6),
    ),
    max_size=40,
)


@given(_messages, st.sampled_from([0, 60, 600, 1800, 7200]))
def test_gap_splitting_matches_oracle(messages: list[Message], gap_s: int) -> None:
    sessions = sessionize(messages, gap_s)
    got: Counter[tuple[object, ...]] = Counter(
        ((s.shop, s.buyer), tuple(sorted((m.time, m.line) for m in s.messages))) for s in sessions
    )
    assert got == oracle(messages, gap_s)
    assert sum(len(s.messages) for s in sessions) == len(messages)
    for s in sessions:
        assert all(a.time <= b.time for a, b in pairwise(s.messages))
    keys = [(s.start, s.shop or "", s.buyer, s.id) for s in sessions]
    assert keys == sorted(keys)


_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=240),
        st.sampled_from(["b1", "b2"]),
        st.sampled_from(["buyer", "店:小花", "店:小王"]),
        st.sampled_from(["在吗", "有货吗", "亲,在的", "好的\n稍等", ""]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(_rows, st.randoms(use_true_random=False))
def test_reordering_csv_rows_keeps_session_message_sets(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, str, str, str]], rnd: object
) -> None:
    def sessions_of(ordered: list[tuple[int, str, str, str]]) -> Counter[tuple[object, ...]]:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["time", "buyer", "sender", "text"])
        for minute, buyer, sender, text in ordered:
            when = T0 + timedelta(minutes=minute)
            w.writerow(
                [f"{when:%Y-%m-%d %H:%M:%S}", buyer, buyer if sender == "buyer" else sender, text]
            )
        p = tmp_path_factory.mktemp("r") / "r.csv"
        p.write_text(buf.getvalue(), encoding="utf-8", newline="")
        fr = read_file(p, ReadOptions())
        assert fr.stats.rejected == 0
        return Counter(
            (s.id, s.shop, tuple(sorted((m.time, m.sender, m.text, m.role) for m in s.messages)))
            for s in sessionize(fr.messages, 1800)
        )

    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert sessions_of(rows) == sessions_of(shuffled)


def test_reads_real_file_into_sessions() -> None:
    fr = read_file(Path(__file__).parent / "data" / "readers" / "sample.csv", ReadOptions())
    sessions = sessionize(fr.messages)
    assert [(s.id, s.buyer, s.shop, len(s.messages)) for s in sessions] == [
        ("tb_buyer01#20240105-090307", "tb_buyer01", "美动态旗舰店", 5),
        ("S-77", "tb_buyer02", "美动态旗舰店", 1),
    ]


@pytest.mark.parametrize(
    "start",
    [
        datetime(2025, 3, 3, 8, 0, 1),
        datetime(1000, 1, 1),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
        datetime(999, 12, 31, 23, 59, 59),  # before 1000: strftime, as the platform pads
        datetime(1, 2, 3, 4, 5, 6),
    ],
)
def test_derived_id_is_the_strftime_of_the_start(start: datetime) -> None:
    assert derived_id("买家", start) == f"买家#{start:%Y%m%d-%H%M%S}"
