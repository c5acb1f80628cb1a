"""Qianniu / Wangwang text export reader."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from readers_support import read

from cslint.model import Message, Role, Transfer

DATA = Path(__file__).parent / "data" / "readers"
SHOP = "美动态旗舰店"
TRAILING = " \t "  # stripped from body lines


def write(tmp_path: Path, text: str, name: str = "chat.txt", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_sample_exact_messages() -> None:
    fr = read(DATA / "tb_buyer01.txt")
    assert fr.errors == [] and fr.stats.format == "qianniu"
    f = "tb_buyer01.txt"
    assert fr.messages == [
        Message(datetime(2024, 1, 5, 9, 3, 7), "tb_buyer01", f"{SHOP}:小花",
                "亲,您好,很高兴为您服务/:^_^", Role.AGENT, f, 1, None, SHOP),
        Message(datetime(2024, 1, 5, 9, 3, 15), "tb_buyer01", "tb_buyer01", "在吗\n这款有货吗",
                Role.BUYER, f, 3, None, SHOP),
    ]  # fmt: skip


FULL = f"""当前用户来自 手机淘宝
{SHOP}:服务助手 2024-1-5 9:03:00
亲,您好,欢迎光临
tb_buyer012024-1-5 9:03:07
在吗

这款有货吗{TRAILING}
已读
[{SHOP}:小花] 2024-01-05 09:03:15
亲,您好,很高兴为您服务/:^_^

未读
tb_buyer01 2024-1-5 9:04:00
tb_buyer01 撤回了一条消息
{SHOP}:小花 --> {SHOP}:小王 2024-1-5 9:05:00
由 服务助手 转交给 {SHOP}:小王
原因:【买家咨询售后】
{SHOP}:小王 2024-1-5 9:06:00
{SHOP}:小王 2024-1-5 9:06:30

tb_buyer01 撤回了一条消息 2024-1-5 9:07:00
"""


def test_full_export_gb18030_crlf(tmp_path: Path) -> None:
    p = write(tmp_path, FULL.replace("\n", "\r\n"), "与买家的聊天.txt", "gb18030")
    fr = read(p)
    assert fr.stats.encoding == "gb18030" and fr.errors == []
    got = [
        (m.line, m.time.strftime("%H:%M:%S"), m.sender, m.role, m.text, m.transfer)
        for m in fr.messages
    ]
    assert got == [
        (1, "09:03:00", "", Role.SYSTEM, "当前用户来自 手机淘宝", None),
        (2, "09:03:00", f"{SHOP}:服务助手", Role.AGENT, "亲,您好,欢迎光临", None),
        (4, "09:03:07", "tb_buyer01", Role.BUYER, "在吗\n\n这款有货吗", None),
        (9, "09:03:15", f"{SHOP}:小花", Role.AGENT, "亲,您好,很高兴为您服务/:^_^", None),
        (13, "09:04:00", "tb_buyer01", Role.SYSTEM, "tb_buyer01 撤回了一条消息", None),
        (15, "09:05:00", f"{SHOP}:小花", Role.SYSTEM, f"{SHOP}:小花 --> {SHOP}:小王",
         Transfer(f"{SHOP}:小花", f"{SHOP}:小王")),
        (16, "09:05:00", "", Role.SYSTEM, f"由 服务助手 转交给 {SHOP}:小王", None),
        (17, "09:05:00", "", Role.SYSTEM, "原因:【买家咨询售后】", None),
        (18, "09:06:00", f"{SHOP}:小王", Role.AGENT, "", None),
        (19, "09:06:30", f"{SHOP}:小王", Role.AGENT, "", None),
        (21, "09:07:00", "tb_buyer01", Role.SYSTEM, "tb_buyer01 撤回了一条消息", None),
    ]  # fmt: skip
    assert {m.buyer for m in fr.messages} == {"tb_buyer01"}
    assert {m.shop for m in fr.messages} == {SHOP}
    assert fr.stats.rows_read == 11


def test_text_before_first_header_and_bad_header_date(tmp_path: Path) -> None:
    text = "与 tb_x 的聊天记录\n导出时间: 今天\n\ntb_x 2024-1-5 9:00:00\nhi\ntb_x 2024-2-30 9:01:00\nlost\n"
    fr = read(write(tmp_path, text))
    assert [(e.line, e.reason) for e in fr.errors] == [
        (1, "text before the first message header"),
        (6, "impossible timestamp '2024-2-30 9:01:00'"),
    ]
    assert [(m.line, m.text) for m in fr.messages] == [(4, "hi")]


def test_buyer_is_the_file_name_or_the_most_frequent_nick(tmp_path: Path) -> None:
    text = (
        "店主 2024-1-5 9:00:00\n欢迎\n"
        "buyer_a 2024-1-5 9:01:00\n在吗\n"
        "buyer_a 2024-1-5 9:02:00\n有货吗\n"
        "店主:小美 2024-1-5 9:03:00\n有的\n"
        "付款时间 2024-1-5 9:04:00\n"
    )
    fr = read(write(tmp_path, text))
    roles = [(m.sender, m.role) for m in fr.messages]
    # 店主 is the main account of the sub-account 店主:小美; 付款时间 is a one-off
    assert roles == [
        ("店主", Role.AGENT),
        ("buyer_a", Role.BUYER),
        ("buyer_a", Role.BUYER),
        ("店主:小美", Role.AGENT),
        ("付款时间", Role.AGENT),
    ]
    assert {m.buyer for m in fr.messages} == {"buyer_a"} and {m.shop for m in fr.messages} == {
        "店主"
    }
    # a file named after the buyer decides, even against frequency
    fr = read(
        write(
            tmp_path,
            "x 2024-1-5 9:00:00\nhi\ny 2024-1-5 9:01:00\na\ny 2024-1-5 9:02:00\nb\n",
            "x.txt",
        )
    )
    assert (fr.messages[0].sender, fr.messages[0].role) == ("x", Role.BUYER)
    assert {m.buyer for m in fr.messages} == {"x"}


def test_one_off_nick_before_the_buyer_does_not_win(tmp_path: Path) -> None:
    text = (
        "店:小美 2024-1-5 9:00:00\n订单信息如下\n付款时间 2024-1-5 8:59:00\n"
        "buyer_a 2024-1-5 9:01:00\n在吗\nbuyer_a 2024-1-5 9:02:00\n好的\n"
    )
    fr = read(write(tmp_path, text))
    assert {m.buyer for m in fr.messages} == {"buyer_a"}
    assert [m.role for m in fr.messages] == [Role.AGENT, Role.AGENT, Role.BUYER, Role.BUYER]


def test_only_agents_buyer_named_after_file(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "店:a 2024-1-5 9:00:00\n在的\n", "tb_zz.txt"))
    assert fr.messages[0].buyer == "tb_zz" and fr.messages[0].role is Role.AGENT


def test_configured_names(tmp_path: Path) -> None:
    text = (
        "美动态 2024-1-5 9:00:00\n欢迎\n小蜜 2024-1-5 9:00:01\n自动回复\nb 2024-1-5 9:00:02\nhi\n"
    )
    fr = read(write(tmp_path, text), shop_names=("美动态",), bot_names=("小蜜",))
    assert [m.role for m in fr.messages] == [Role.AGENT, Role.AGENT, Role.BUYER]
    assert {m.shop for m in fr.messages} == {"美动态"}


def test_notice_with_nothing_to_date_it(tmp_path: Path) -> None:
    text = "当前用户来自 PC\n"
    fr = read(write(tmp_path, text), input_format="qianniu")
    assert fr.stats.failed and "no `<nick> <date> <time>` header found" in fr.errors[0].reason
    text = "店:a 2024-13-5 9:00:00\nx\n当前用户来自 PC\n"
    fr = read(write(tmp_path, text))
    assert [e.reason for e in fr.errors] == [
        "impossible timestamp '2024-13-5 9:00:00'",
        "system notice with no timestamped message in the file to date it",
    ]


def test_not_a_qianniu_export(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "just some notes\nabout nothing\n", "notes.txt"))
    assert fr.stats.failed
    [e] = fr.errors
    assert (e.file, e.line, e.kind) == ("notes.txt", 0, "file")
    assert e.reason == "not a Qianniu/Wangwang chat export (no `<nick> <date> <time>` header found)"


def test_truncated_gb18030_final_character(tmp_path: Path) -> None:
    data = "店:a 2024-1-5 9:00:00\n你好\nb 2024-1-5 9:00:05\n在吗\n中".encode("gb18030")[:-1]
    p = tmp_path / "t.txt"
    p.write_bytes(data)
    fr = read(p)
    assert fr.stats.encoding == "gb18030"
    assert [(m.line, m.text) for m in fr.messages] == [(1, "你好")]
    [e] = fr.errors
    assert e.line == 3
    assert e.reason.startswith(
        "undecodable bytes (the file ends in the middle of a GB18030 character"
    )


def test_bracketed_and_glued_nicks(tmp_path: Path) -> None:
    text = "[tb 01] 2024-1-5 9:00:00\nhi\nbuyer20242024-1-5 9:00:01\nyo\n店:客服2 2024/1/5 9:00:02\nok\n"
    fr = read(write(tmp_path, text))
    assert [m.sender for m in fr.messages] == ["tb 01", "buyer2024", "店:客服2"]
    assert fr.messages[1].time == datetime(2024, 1, 5, 9, 0, 1)


def test_order_details_in_a_body_are_not_headers(tmp_path: Path) -> None:
    text = (
        "店:a 2024-1-5 9:00:00\n订单信息\n付款时间:2024-1-5 8:00:00\n"
        + "x" * 300
        + " 2024-1-5 9:00:00\n"
    )
    fr = read(write(tmp_path, text))
    [m] = fr.messages
    assert m.text.count("\n") == 2
