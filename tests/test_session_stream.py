"""SessionStream gives exactly the sessions batch reading gives, or says OutOfOrder."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint.model import Message, Role, Session
from cslint.readers.columns import fill_shops
from cslint.session_stream import MAX_WAITING, SWEEP_EVERY, OutOfOrder, SessionStream
from cslint.sessionize import sessionize

T0 = datetime(2025, 3, 3, 9, 0, 0)
GAP = 1800


def msg(
    minute: float,
    buyer: str = "b",
    *,
    file: str = "f",
    shop: str | None = "店",
    session: str | None = None,
    line: int = 0,
) -> Message:
    role = Role.AGENT if shop else Role.BUYER
    return Message(
        T0 + timedelta(minutes=minute), buyer, buyer, "x", role, file, line, session, shop
    )


def batch(files: list[list[Message]]) -> list[Session]:
    """What `check` builds in memory: shops filled per file, then sessionize."""
    return sessionize([m for f in files for m in fill_shops(f)], GAP)


def streamed(files: list[list[Message]]) -> list[Session]:
    stream = SessionStream(GAP)
    out: list[Session] = []
    for f in files:
        for m in f:
            out.extend(stream.add(m))
        stream.end_file()
    out.extend(stream.close())
    return sorted(out, key=lambda s: (s.start, s.shop or "", s.buyer, s.id))


def same_or_out_of_order(files: list[list[Message]]) -> bool:
    """True when streaming worked (and agreed), False when it said OutOfOrder."""
    expected = batch(files)
    try:
        got = streamed(files)
    except OutOfOrder:
        return False
    assert [_without_message_shops(s) for s in got] == [_without_message_shops(s) for s in expected]
    return True


def _without_message_shops(s: Session) -> Session:
    """Batch reading writes a buyer row's shop into the record; streaming only into the
    session (rules read the session's shop, never a message's)."""
    return replace(s, messages=tuple(replace(m, shop=None) for m in s.messages))


messages = st.builds(
    msg,
    st.floats(min_value=0, max_value=600, allow_nan=False).map(lambda x: round(x, 1)),
    st.sampled_from(["b1", "b2", "b3"]),
    file=st.sampled_from(["f1", "f2"]),
    shop=st.sampled_from([None, None, "店A", "店B"]),
    line=st.integers(1, 1000),
)


@given(st.lists(st.lists(messages, max_size=25), min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_any_input_streams_exactly_or_is_out_of_order(files: list[list[Message]]) -> None:
    same_or_out_of_order(files)


@given(st.lists(messages, max_size=40), st.integers(1, 3), st.booleans())
@settings(max_examples=300, deadline=None)
def test_time_ordered_input_streams(rows: list[Message], parts: int, buyer_rows: bool) -> None:
    """One shop per buyer (a shop's own export), in time order, split into files: it
    streams, unless buyer rows without a shop come before any row of theirs with one."""
    rows = sorted(rows, key=lambda m: m.time)
    size = -(-len(rows) // parts) or 1
    files = [
        [
            replace(
                m,
                file=f"f{i // size}",
                shop=None if buyer_rows and m.shop is None else f"店{m.buyer}",
            )
            for m in rows[i : i + size]
        ]
        for i in range(0, len(rows), size)
    ]
    assert same_or_out_of_order(files) or buyer_rows


def test_sessions_close_while_reading_time_ordered_input() -> None:
    stream = SessionStream(GAP)
    handed_back = 0
    open_at_most = 0
    for i in range(SWEEP_EVERY * 4):
        handed_back += len(stream.add(msg(i * 0.5, f"b{i // 4}")))
        open_at_most = max(open_at_most, len(stream._by_buyer))
    assert handed_back > 900  # checked long before the end
    assert open_at_most < SWEEP_EVERY  # never the whole input
    assert handed_back + len(stream.close()) == SWEEP_EVERY


def test_gap_rule_matches_batch() -> None:
    files = [[msg(0), msg(30), msg(60.01), msg(200)]]
    assert same_or_out_of_order(files)
    assert [len(s.messages) for s in streamed(files)] == [2, 1, 1]


def test_a_message_next_to_a_checked_session_is_out_of_order() -> None:
    stream = SessionStream(GAP)
    for i in range(SWEEP_EVERY * 2):
        stream.add(msg(i * 0.5, f"b{i}"))
    stream.end_file()
    with pytest.raises(OutOfOrder, match="'b0'"):
        stream.add(msg(5, "b0"))  # belongs with b0's session, checked long ago


def test_a_buyer_who_asks_two_shops_in_turn_streams() -> None:
    rows = [
        msg(0, shop=None),
        msg(1, shop="店A"),
        msg(9, shop=None),
        msg(238, shop=None),  # at noon, to another shop of the same export
        msg(240, shop="店B"),
        msg(243, shop=None),
    ]
    assert same_or_out_of_order([rows])
    assert [(s.shop, len(s.messages)) for s in streamed([rows])] == [("店A", 3), ("店B", 3)]


def test_two_shops_in_one_conversation_split_as_batch_does() -> None:
    rows = [msg(0, shop=None), msg(1, shop="店A"), msg(20, shop="店B"), msg(21, shop=None)]
    rows += [msg(40, shop="店A"), msg(41, shop=None)]  # 店A again, 39 min after its last row
    assert same_or_out_of_order([rows])
    assert len(streamed([rows])) == 3


def test_a_second_shop_that_could_change_a_far_placement_is_out_of_order() -> None:
    # the buyer's row at 100 was placed by 店A's row at 0, 100 minutes before it;
    # 店B's row at 150 is nearer (batch reading places the row at 100 there)
    rows = [msg(0, shop="店A"), msg(5, shop=None), msg(100, shop=None), msg(140, shop=None)]
    rows += [msg(150, shop="店B")]
    with pytest.raises(OutOfOrder, match="two shops"):
        streamed([rows])


def test_a_second_shop_past_every_far_placement_streams() -> None:
    # 店B's row comes after 200, when no row can be nearer to the row at 100 than 店A's
    rows = [msg(0, shop="店A"), msg(5, shop=None), msg(100, shop=None), msg(140, shop="店A")]
    rows += [msg(210, shop=None), msg(211, shop="店B")]
    assert same_or_out_of_order([rows])
    assert [s.shop for s in streamed([rows])] == ["店A", "店A", "店A", "店B"]


def test_a_row_far_from_the_shops_of_a_buyer_with_two_is_out_of_order() -> None:
    rows = [msg(0, shop="店A"), msg(100, shop="店B"), msg(101, shop=None), msg(125, shop=None)]
    rows += [msg(150, shop=None)]  # 49 minutes from 店B's row, in the same conversation
    with pytest.raises(OutOfOrder, match="several shops"):
        streamed([rows])


def test_session_id_without_shop_is_out_of_order() -> None:
    with pytest.raises(OutOfOrder, match="session id but no shop"):
        streamed([[msg(0, session="S1", shop=None)]])


def test_buyer_row_waits_for_the_agent_reply_that_names_the_shop() -> None:
    files = [[msg(0, shop=None), msg(1, shop="店A")]]
    [s] = streamed(files)
    assert s.shop == "店A" and len(s.messages) == 2
    assert same_or_out_of_order(files)


def test_shopless_export_does_not_wait_forever() -> None:
    stream = SessionStream(GAP)
    handed_back = 0
    for i in range(MAX_WAITING * 3):
        handed_back += len(stream.add(msg(i * 61, f"b{i}", shop=None)))
    assert handed_back > MAX_WAITING
    assert stream._waiting_count <= MAX_WAITING


def test_shop_after_a_shopless_check_is_out_of_order() -> None:
    stream = SessionStream(GAP)
    for i in range(MAX_WAITING * 3):
        stream.add(msg(i * 61, f"b{i}", shop=None))
    with pytest.raises(OutOfOrder, match="after a session of theirs was checked without one"):
        stream.add(msg(MAX_WAITING * 3 * 61, "b0", shop="店A"))


class _WithoutOneFilePath(SessionStream):
    """The general bookkeeping for every closed session, also those read from one file."""

    def _settle_one_file(self, o: Any, shop: str | None) -> None:
        if shop is not None:
            self._note_far_placements(o)
        self._remember_shop_rows(o)


def _run(stream: SessionStream, files: list[list[Message]]) -> object:
    out: list[Session] = []
    try:
        for f in files:
            for m in f:
                out.extend(stream.add(m))
            stream.end_file()
        out.extend(stream.close())
    except OutOfOrder as exc:
        return str(exc)
    return out


@given(st.lists(st.lists(messages, max_size=25), min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_one_file_sessions_settle_as_the_general_path_does(files: list[list[Message]]) -> None:
    """The one-pass bookkeeping of a session read from one file (_settle_one_file)
    notes what the general methods note, and the sessions are the same."""
    fast, slow = SessionStream(GAP), _WithoutOneFilePath(GAP)
    assert _run(fast, files) == _run(slow, files)
    assert fast._placed_until == slow._placed_until
    assert fast._last_shop_row == slow._last_shop_row


def test_one_file_sessions_note_far_placements() -> None:
    # the rows at 100 and 125 are placed by the row at 0, more than the gap away:
    # a second shop could have been nearer until 125 + 125 minutes, noted either way
    rows = [msg(0, shop="店A"), msg(5, shop=None), msg(100, shop=None), msg(125, shop=None)]
    fast, slow = SessionStream(GAP), _WithoutOneFilePath(GAP)
    assert _run(fast, [rows]) == _run(slow, [rows])
    assert fast._placed_until == slow._placed_until == {"b": T0 + timedelta(minutes=250)}


def test_one_file_sessions_note_a_shop_row_that_comes_too_late() -> None:
    # the row at 40 has no shop row within the gap before it, and the next one
    # (75) is 35 minutes after it: placed more than the gap away, noted until 75
    rows = [msg(0, shop="店A"), msg(20, shop=None), msg(40, shop=None), msg(60, shop=None)]
    rows.append(msg(75, shop="店A"))
    fast, slow = SessionStream(GAP), _WithoutOneFilePath(GAP)
    assert _run(fast, [rows]) == _run(slow, [rows])
    assert fast._placed_until == slow._placed_until == {"b": T0 + timedelta(minutes=75)}
