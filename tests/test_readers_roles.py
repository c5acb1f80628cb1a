"""Role words, agent nicks, transfers."""

from __future__ import annotations

import pytest

from cslint.model import Role, Transfer
from cslint.readers.roles import RoleResolver, UnknownRole, parse_role, parse_transfer, shop_prefix


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
