"""RowConverter.convert and fill_shops: the fast paths give what the general rules give."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.model import Message, Role, Transfer
from cslint.readers import columns
from cslint.readers.columns import RowConverter, cell_text, fill_shops
from cslint.readers.roles import RoleResolver, UnknownRole, parse_role, parse_transfer
from cslint.readers.timeparse import TimeError, parse_time_general, parse_time_value

SHOPS = ("美动态",)
BOTS = ("服务助手",)
FILE = "chat.csv"

Cells = tuple[object, object, object, object, object, object, object]


def reference_convert(line: int, cells: Cells, *, excel: bool = False) -> Message | str:
    """The module docstring, step by step: the general time parser, no caches."""
    time_v, buyer_v, sender_v, text_v, role_v, session_v, shop_v = cells
    try:
        if isinstance(time_v, str):
            when = parse_time_general(time_v)
        else:
            when = parse_time_value(time_v, excel=excel)
    except TimeError as exc:
        return str(exc)
    try:
        buyer = cell_text(buyer_v).strip()
        sender = cell_text(sender_v).strip()
        text = cell_text(text_v)
        role_s = cell_text(role_v)
        session = cell_text(session_v).strip()
        shop = cell_text(shop_v).strip()
    except TypeError as exc:
        return f"bad cell: {exc}"
    if not buyer:
        return "empty buyer"
    try:
        role = parse_role(role_s)
    except UnknownRole as exc:
        return str(exc)
    transfer: Transfer | None = None
    resolver = RoleResolver(SHOPS, BOTS)  # a fresh one: nothing remembered
    if role is None:
        role, transfer = resolver.infer(sender, buyer, text)
    elif role is Role.SYSTEM:
        transfer = parse_transfer(text)
    if not sender and role is not Role.SYSTEM:
        return "empty sender"
    if not shop and role is Role.AGENT:
        shop = resolver.shop_of(sender) or ""
    return Message(
        when, buyer, sender, text, role, FILE, line, session or None, shop or None, transfer
    )


def converter(*, excel: bool = False) -> RowConverter:
    return RowConverter(RoleResolver(SHOPS, BOTS), FILE, excel=excel)


TIMES = st.sampled_from(
    [
        "2024-01-05 09:03:07",
        "2024-01-05 09:03:08",
        "2024-1-5 9:03",
        " 2024-01-05 09:03:07",
        "2024-01-05T01:03:07Z",
        "2024-02-30 09:03:07",
        "2024-01-05 24:00:00",
        "yesterday",
        "",
        None,
        1,
        True,
        45296.37716435185,
        datetime(2024, 1, 5, 9, 3, 7),
        date(2024, 1, 5),
    ]
)
NAMES = st.sampled_from(
    ["b", " b", "b ", "c", "", "  ", "系统", "店:小花", " 店：小王", "美动态", "x服务助手", 12345, 12345.0, None, [1]]
)  # fmt: skip
TEXTS = st.sampled_from(
    ["在吗", "", " 店:a --> 店:b ", "北京 --> 上海", "店:a -->\n店:b", "系统 --> b", 7, None, {"k": 1}]
)  # fmt: skip
ROLES = st.sampled_from([None, "", " ", "agent", " Buyer ", "系统", "boss", 3])
SESSIONS = st.sampled_from([None, "", " s1 ", 5])
SHOP_CELLS = st.sampled_from([None, "", "店", " 美动态 ", 1.5])
ROWS = st.lists(st.tuples(TIMES, NAMES, NAMES, TEXTS, ROLES, SESSIONS, SHOP_CELLS), max_size=30)


def assert_converts_like_reference(rows: list[Cells], conv: RowConverter, excel: bool) -> None:
    for line, cells in enumerate(rows, 2):
        got = conv.convert(line, *cells)
        assert got == reference_convert(line, cells, excel=excel), cells
        if isinstance(got, Message):
            assert [type(v) for v in (got.buyer, got.sender, got.text)] == [str, str, str]


@given(ROWS, st.booleans())
def test_convert_agrees_with_the_general_rules(rows: list[Cells], excel: bool) -> None:
    # One converter for the whole list: its caches carry over from row to row.
    assert_converts_like_reference(rows, converter(excel=excel), excel)


@given(ROWS)
def test_convert_with_tiny_sharing_tables(rows: list[Cells]) -> None:
    """The tables start over when full; answers do not change."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(columns, "_MAX_SHARED", 2)
        conv = converter()
        assert_converts_like_reference(rows, conv, excel=False)
        assert len(conv._names) <= 3 and len(conv._texts) <= 2  # a name may add two keys


def fresh(text: str) -> str:
    """An equal string that is another object, as a CSV reader hands out for each cell."""
    copy = "".join(list(text))
    assert copy is not text or len(text) < 2
    return copy


def test_repeated_time_cell_shares_one_datetime() -> None:
    conv = converter()
    first = conv.convert(2, "2024-01-05 09:03:07", "b", "b", "在吗")
    second = conv.convert(3, fresh("2024-01-05 09:03:07"), "b", "b", "在吗")
    assert isinstance(first, Message) and isinstance(second, Message)
    assert first.time is second.time


def test_time_cache_is_only_for_text() -> None:
    """``True == 1``: a non-text cell never reuses the previous row's answer."""
    conv = converter(excel=True)
    assert isinstance(conv.convert(2, 1, "b", "b", "x"), Message)
    rejected = conv.convert(3, True, "b", "b", "x")
    assert rejected == "bad timestamp 'True' (expected text like 2024-01-05 09:03:07)"
    assert isinstance(conv.convert(4, "2024-01-05 09:03:07", "b", "b", "x"), Message)
    bad = conv.convert(5, "2024-01-05 09:03:0x", "b", "b", "x")
    assert bad == "bad timestamp '2024-01-05 09:03:0x'"


def test_names_sessions_and_shops_are_shared_strings() -> None:
    conv = converter()
    rows: list[Cells] = [
        ("2024-01-05 09:00:00", fresh("买家"), fresh("买家"), "在吗", None, fresh(" s1 "), None),
        ("2024-01-05 09:00:01", fresh("买家"), fresh("店:小花"), "在的", None, fresh("s1"), None),
        (
            "2024-01-05 09:00:02",
            fresh(" 买家"),
            fresh("店:小王 "),
            "好的",
            None,
            None,
            fresh("店 "),
        ),
        ("2024-01-05 09:00:03", fresh("买家"), fresh("店:小花"), fresh("好的"), None, None, None),
    ]
    a, b, c, d = (conv.convert(line, *cells) for line, cells in enumerate(rows, 2))
    assert isinstance(a, Message) and isinstance(b, Message)
    assert isinstance(c, Message) and isinstance(d, Message)
    assert a.buyer is a.sender is b.buyer is c.buyer is d.buyer
    assert b.sender is d.sender
    assert b.shop == c.shop == "店" and b.shop is d.shop
    assert a.session == "s1" and a.session is b.session
    assert c.text is d.text


def test_an_empty_name_is_still_rejected_once_seen() -> None:
    conv = converter()
    assert conv.convert(2, "2024-01-05 09:00:00", " ", "b", "x") == "empty buyer"
    assert conv.convert(3, "2024-01-05 09:00:00", "", "b", "x") == "empty buyer"
    assert conv.convert(4, "2024-01-05 09:00:00", "b", " ", "x") == "empty sender"


def msg(buyer: str, shop: str | None, line: int, minute: int = 0) -> Message:
    role = Role.AGENT if shop else Role.BUYER
    when = datetime(2024, 1, 5) + timedelta(minutes=minute)
    return Message(when, buyer, buyer, "x", role, FILE, line, None, shop)


def reference_fill_shops(messages: list[Message]) -> list[Message]:
    """By brute force: the nearest shop message of the buyer in time, the earlier on
    a tie of distance, the first in the input among equal times."""

    def nearest(m: Message) -> str | None:
        found = [
            (abs(c.time - m.time), c.time > m.time, n, c.shop)
            for n, c in enumerate(messages)
            if c.buyer == m.buyer and c.shop is not None
        ]
        return min(found)[3] if found else None

    return [
        dataclasses.replace(m, shop=nearest(m)) if m.shop is None and nearest(m) else m
        for m in messages
    ]


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from([None, "店1", "店2"]), st.integers(0, 6))
    )
)
def test_fill_shops_agrees_with_the_brute_force(rows: list[tuple[str, str | None, int]]) -> None:
    messages = [msg(buyer, shop, line, minute) for line, (buyer, shop, minute) in enumerate(rows)]
    before = list(messages)
    filled = fill_shops(messages)
    assert filled == reference_fill_shops(before)
    assert messages == before  # the input list is left as it was
    for old, new in zip(before, filled, strict=True):
        if old.shop is not None or new.shop is None:
            assert new is old  # untouched messages are not copied


def test_fill_shops_takes_the_shop_of_the_conversation_nearest_in_time() -> None:
    # a buyer asks shop 1 in the morning and shop 2 at noon, in one export
    messages = [
        msg("a", None, 1, 0),
        msg("a", "店1", 2, 1),
        msg("a", None, 3, 9),
        msg("a", None, 4, 238),
        msg("a", "店2", 5, 240),
        msg("b", None, 6, 3),
    ]
    assert [m.shop for m in fill_shops(messages)] == ["店1", "店1", "店1", "店2", "店2", None]


def test_fill_shops_prefers_the_earlier_shop_at_equal_distance() -> None:
    messages = [msg("a", "店2", 1, 0), msg("a", None, 2, 5), msg("a", "店1", 3, 10)]
    assert fill_shops(messages)[1].shop == "店2"


def test_fill_shops_returns_the_list_itself_when_nothing_to_fill() -> None:
    complete = [msg("a", "店", 1)]
    assert fill_shops(complete) is complete
    shopless = [msg("a", None, 1)]
    assert fill_shops(shopless) is shopless


def test_messages_keep_their_record_api() -> None:
    """Message is a plain (not frozen) slotted dataclass for speed, like Violation:
    fields, replace, equality, hashing and pickling work as before."""
    import pickle

    m = Message(datetime(2024, 1, 5, 9, 3, 7), "b", "b", "在吗", Role.BUYER, FILE, 2)
    assert [f.name for f in dataclasses.fields(m)][-3:] == ["session", "shop", "transfer"]
    assert dataclasses.replace(m, shop="s") != m and dataclasses.replace(m) == m
    assert hash(dataclasses.replace(m)) == hash(m) and len({m, dataclasses.replace(m)}) == 1
    assert pickle.loads(pickle.dumps(m)) == m
    assert not hasattr(m, "__dict__")


@given(
    st.lists(st.sampled_from(["b1", " b1", "b2 ", "", " ", "b3", 7, 7.0, None, [1]]), max_size=30)
)
def test_owns_remembers_what_it_answers(cells: list[object]) -> None:
    """RowConverter.owns gives the same answer for a cell from its table (text cells)
    as worked out afresh, and convert skips exactly the rows it does not own."""
    from cslint.share import SKIPPED, Share

    share = Share(1, 2)
    conv = RowConverter(RoleResolver(SHOPS, BOTS), FILE, share=share)
    for cell in cells:
        fresh = RowConverter(RoleResolver(SHOPS, BOTS), FILE, share=share).owns(cell)
        assert conv.owns(cell) == conv.owns(cell) == fresh
        got = conv.convert(2, "2024-01-05 09:00:00", cell, "s", "x")
        assert (got is SKIPPED) == (not fresh)
    assert set(conv.owned) == {c for c in cells if isinstance(c, str)}
    assert RowConverter(RoleResolver(SHOPS, BOTS), FILE).owns("b1")  # no share: every row
