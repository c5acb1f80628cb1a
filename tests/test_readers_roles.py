"""Role words, agent nicks, transfers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.model import Role, Transfer
from cslint.readers.roles import (
    SYSTEM_NICKS,
    RoleResolver,
    UnknownRole,
    parse_role,
    parse_transfer,
    shop_prefix,
)


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("agent", Role.AGENT), (" Agent ", Role.AGENT), ("客服", Role.AGENT), ("卖家", Role.AGENT),
        ("buyer", Role.BUYER), ("买家", Role.BUYER), ("顾客", Role.BUYER), ("客户", Role.BUYER),
        ("SYSTEM", Role.SYSTEM), ("系统", Role.SYSTEM), ("", None), ("  ", None),
    ],
)  # fmt: skip
def test_parse_role(value: str, role: Role | None) -> None:
    assert parse_role(value) is role


def test_unknown_role() -> None:
    with pytest.raises(
        UnknownRole, match=r"unknown role 'boss' \(expected agent, buyer or system\)"
    ):
        parse_role("boss")


@pytest.mark.parametrize(
    ("text", "transfer"),
    [
        ("A --> B", Transfer("A", "B")),
        ("店:小花-->店:小王", Transfer("店:小花", "店:小王")),
        ("  店:小花   -->  店:小王 ", Transfer("店:小花", "店:小王")),
        ("A --> B --> C", Transfer("A", "B --> C")),
        ("--> B", None),
        ("A -->", None),
        ("A --> B\nmore", None),
        ("A -> B", None),
    ],
)
def test_parse_transfer(text: str, transfer: Transfer | None) -> None:
    assert parse_transfer(text) == transfer


def test_agent_nicks_and_shops() -> None:
    r = RoleResolver(shop_names=("美动态",), bot_names=("服务助手", "小蜜"))
    for nick in ("店:小花", "店：小花", "美动态", "美动态:服务助手", "服务助手", "店小蜜"):
        assert r.is_agent_nick(nick), nick
    for nick in ("tb_buyer01", "美动态旗舰店", "小蜜蜂"):
        assert not r.is_agent_nick(nick), nick
    assert [r.shop_of(n) for n in ("店:小花", "店：小:花", "美动态", "b", ":x")] == [
        "店",
        "店",
        "美动态",
        None,
        None,
    ]
    assert shop_prefix("a：b:c") == "a"


def test_infer() -> None:
    r = RoleResolver((), ("服务助手",))
    assert r.infer("b", "b", "在吗") == (Role.BUYER, None)
    assert r.infer("店:a", "b", "在的") == (Role.AGENT, None)
    assert r.infer("someone", "b", "hi") == (Role.AGENT, None)
    assert r.infer("系统", "b", "订单已付款") == (Role.SYSTEM, None)
    assert r.infer("", "b", "店:a --> 店:b") == (Role.SYSTEM, Transfer("店:a", "店:b"))
    assert r.infer("b", "b", "店:a --> 店:b") == (Role.BUYER, None)  # the buyer typed it
    assert r.infer("店:a", "b", "北京 --> 上海") == (Role.AGENT, None)
    assert r.infer("系统", "系统", "在吗") == (Role.SYSTEM, None)  # a buyer nicknamed 系统
    assert r.infer("系统", "b", "店:a --> 店:b") == (Role.SYSTEM, Transfer("店:a", "店:b"))


SHOPS = ("美动态",)
BOTS = ("服务助手",)
NICKS = [
    "b",
    "c",
    "",
    "系统",
    "system",
    "店:a",
    "店：b",
    "美动态",
    "美动态:服务助手",
    "x服务助手",
    ":x",
]
TEXTS = ["在吗", "店:a --> 店:b", "b --> c", "美动态-->x", "x --> 服务助手", "a --> b\nc", ""]


def reference_is_agent_nick(nick: str) -> bool:
    return ":" in nick or "：" in nick or nick in SHOPS or any(nick.endswith(b) for b in BOTS)


def reference_infer(sender: str, buyer: str, text: str) -> tuple[Role, Transfer | None]:
    """The inference steps of the module docstring, in their order."""
    transfer = parse_transfer(text)
    if (
        sender != buyer
        and transfer is not None
        and (
            reference_is_agent_nick(transfer.from_agent)
            or reference_is_agent_nick(transfer.to_agent)
        )
    ):
        return Role.SYSTEM, transfer
    if sender in SYSTEM_NICKS:
        return Role.SYSTEM, None
    if sender == buyer:
        return Role.BUYER, None
    return Role.AGENT, None


@given(
    st.lists(
        st.tuples(st.sampled_from(NICKS), st.sampled_from(NICKS), st.sampled_from(TEXTS)),
        max_size=40,
    )
)
def test_infer_agrees_with_the_documented_order(rows: list[tuple[str, str, str]]) -> None:
    r = RoleResolver(SHOPS, BOTS)  # one resolver: its caches carry over from row to row
    for sender, buyer, text in rows:
        assert r.infer(sender, buyer, text) == reference_infer(sender, buyer, text)
        assert r.is_agent_nick(sender) == reference_is_agent_nick(sender)
        expected_shop = shop_prefix(sender) or (sender if sender in SHOPS else None)
        assert r.shop_of(sender) == expected_shop


def test_one_shop_string_for_all_its_nicks() -> None:
    r = RoleResolver(SHOPS, ())
    first, second = r.shop_of("".join(["店", ":a"])), r.shop_of("".join(["店 ", ":b"]))
    assert first == "店" and first is second
