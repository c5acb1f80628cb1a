"""Canonical CSV reader: exact messages, line numbers, encodings, bad rows."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from readers_support import read

from cslint.model import Message, Role, Transfer

DATA = Path(__file__).parent / "data" / "readers"
HEADER = "time,buyer,sender,text\n"


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", newline="")
    else:
        p.write_bytes(data)
    return p


def test_sample_exact_messages() -> None:
    fr = read(DATA / "sample.csv")
    assert fr.errors == []
    assert fr.stats.format == "csv" and fr.stats.encoding == "utf-8"
    f = "sample.csv"
    shop = "美动态旗舰店"
    assert fr.messages == [
        Message(datetime(2024, 1, 5, 9, 3, 7), "tb_buyer01", "tb_buyer01", "在吗", Role.BUYER,
                f, 2, None, shop),
        Message(datetime(2024, 1, 5, 9, 3, 15), "tb_buyer01", "美动态旗舰店:小花",
                "亲,您好,很高兴为您服务/:^_^\n请问有什么可以帮您?", Role.AGENT, f, 3, None, shop),
        Message(datetime(2024, 1, 5, 9, 4), "tb_buyer01", "tb_buyer01", "这款有货吗", Role.BUYER,
                f, 5, None, shop),
        Message(datetime(2024, 1, 5, 9, 5), "tb_buyer01", "", "美动态旗舰店:小花 --> 美动态旗舰店:小王",
                Role.SYSTEM, f, 6, None, shop, Transfer("美动态旗舰店:小花", "美动态旗舰店:小王")),
        Message(datetime(2024, 1, 5, 9, 6), "tb_buyer01", "美动态旗舰店:小王", "有货的亲", Role.AGENT,
                f, 7, None, shop),
        Message(datetime(2024, 1, 5, 9, 7, 30), "tb_buyer02", "美动态旗舰店:服务助手", "您好,欢迎光临",
                Role.AGENT, f, 8, "S-77", shop),
    ]  # fmt: skip


def test_chinese_headers_bom_and_case(tmp_path: Path) -> None:
    text = "\ufeff 发送时间 ,客户名,发送账号,消息,角色,会话ID,店铺\n2024-01-05 09:03:07,b1,b1,你好,买家,S1,店A\n"
    fr = read(write(tmp_path, "a.csv", text.encode("utf-8-sig")))
    assert fr.stats.encoding == "utf-8-sig"
    [m] = fr.messages
    assert (m.buyer, m.role, m.session, m.shop, m.line) == ("b1", Role.BUYER, "S1", "店A", 2)
    fr = read(write(tmp_path, "b.csv", "TIME,Buyer,SENDER,Text\n2024-01-05 09:03:07,b,b,x\n"))
    assert len(fr.messages) == 1


def test_crlf_and_multiline_cells_keep_physical_lines(tmp_path: Path) -> None:
    rows = [
        "time,buyer,sender,text",
        '2024-01-05 09:00:00,b,店:a,"line one',
        "line two",
        'line three"',
        "",
        "2024-01-05 09:01:00,b,b,next",
        '2024-01-05 09:02:00,b,店:a,"x\r\ny"',
        "2024-01-05 09:03:00,b,b,last",
    ]
    p = write(tmp_path, "c.csv", "\r\n".join(rows) + "\r\n")
    fr = read(p)
    assert [m.line for m in fr.messages] == [2, 6, 7, 9]  # the CRLF inside quotes is a line
    assert fr.messages[0].text == "line one\nline two\nline three"
    assert fr.messages[2].text == "x\ny"
    assert "\r" not in "".join(m.text for m in fr.messages)


def test_utf16_le_bom_tab_separated(tmp_path: Path) -> None:
    text = "时间\t买家\t发送人\t内容\r\n2024-01-05 09:03:07\tb1\t店:小花\t亲,您好\r\n"
    fr = read(write(tmp_path, "u16.csv", b"\xff\xfe" + text.encode("utf-16-le")))
    assert fr.stats.encoding == "utf-16-le"
    [m] = fr.messages
    assert (m.text, m.sender, m.role, m.shop, m.line) == ("亲,您好", "店:小花", Role.AGENT, "店", 2)


def test_utf16_be_bom(tmp_path: Path) -> None:
    text = HEADER + "2024-01-05 09:03:07,b1,b1,在吗\n"
    fr = read(write(tmp_path, "u16be.csv", b"\xfe\xff" + text.encode("utf-16-be")))
    assert fr.stats.encoding == "utf-16-be" and fr.messages[0].text == "在吗"


def test_gb18030_csv(tmp_path: Path) -> None:
    text = "时间,买家,发送人,内容\r\n2024-01-05 09:03:07,买家甲,店:小花,亲,\r\n"
    fr = read(write(tmp_path, "gb.csv", text.encode("gb18030")))
    # the unquoted comma makes a fifth cell: blank, so it is accepted
    assert fr.stats.encoding == "gb18030"
    assert fr.messages[0].buyer == "买家甲"


def test_semicolon_delimiter(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "s.csv", "time;buyer;sender;text\n2024-01-05 09:03:07;b;b;a,b\n"))
    assert fr.messages[0].text == "a,b"


def test_eight_rows_two_bad(tmp_path: Path) -> None:
    rows = [f"2024-01-05 09:0{i}:00,b,b,msg {i}" for i in range(8)]
    rows[2] = "2024-02-30 09:02:00,b,b,msg 2"
    rows[5] = "yesterday,b,b,msg 5"
    fr = read(write(tmp_path, "e.csv", HEADER + "\n".join(rows) + "\n"))
    assert (fr.stats.rows_read, fr.stats.messages, fr.stats.rejected) == (8, 6, 2)
    assert [(e.file, e.line, e.kind) for e in fr.errors] == [
        ("e.csv", 4, "row"),
        ("e.csv", 7, "row"),
    ]
    assert "impossible timestamp '2024-02-30 09:02:00'" in fr.errors[0].reason
    assert "bad timestamp 'yesterday'" in fr.errors[1].reason


def test_missing_columns_is_a_file_error(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "m.csv", "time,buyer,msg\n2024-01-05 09:03:07,b,x\n"))
    assert fr.stats.failed and fr.stats.rows_read == 0 and fr.messages == []
    [e] = fr.errors
    assert (e.line, e.kind) == (1, "file")
    assert e.reason == "missing column(s): sender, text"


def test_headerless_csv(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "h.csv", "2024-01-05 09:03:07,b,b,x\n"))
    assert fr.stats.failed and "missing column(s): time, buyer, sender, text" in fr.errors[0].reason


def test_ambiguous_header(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "d.csv", "时间,发送时间,buyer,sender,text\n"))
    assert fr.stats.failed and "column 'time' given twice" in fr.errors[0].reason


def test_header_only_is_not_an_error(tmp_path: Path) -> None:
    fr = read(write(tmp_path, "h.csv", HEADER))
    assert not fr.stats.failed and fr.stats.rows_read == 0 and fr.errors == []


def test_field_counts(tmp_path: Path) -> None:
    body = (
        "2024-01-05 09:00:00,b,b\n"  # too few
        "2024-01-05 09:01:00,b,b,x,extra\n"  # too many
        "2024-01-05 09:02:00,b,b,x,,\n"  # trailing blank cells are fine
    )
    fr = read(write(tmp_path, "f.csv", HEADER + body))
    assert [(e.line, e.reason) for e in fr.errors] == [
        (2, "too few fields (3, the header has 4)"),
        (3, "too many fields (5, the header has 4)"),
    ]
    assert [m.line for m in fr.messages] == [4]


def test_unbalanced_quote_at_end(tmp_path: Path) -> None:
    body = '2024-01-05 09:00:00,b,b,ok\n2024-01-05 09:01:00,b,b,"never closed\nmore text\n'
    fr = read(write(tmp_path, "q.csv", HEADER + body))
    assert [m.line for m in fr.messages] == [2]
    # the open quote's row is rejected; parsing restarts on the next line, a row of its own
    assert [(e.line, e.reason) for e in fr.errors] == [
        (3, "unbalanced quote: a quoted field opened on line 3 is never closed"),
        (4, "too few fields (1, the header has 4)"),
    ]


def test_stray_quote_keeps_rows_after_it(tmp_path: Path) -> None:
    body = (
        '2024-01-05 09:00:00,b,b,"open\n'
        "2024-01-05 09:01:00,b,b,fine\n"
        "2024-01-05 09:02:00,b,b,also fine\n"
    )
    fr = read(write(tmp_path, "q.csv", HEADER + body))
    assert [m.line for m in fr.messages] == [3, 4]
    assert [e.line for e in fr.errors] == [2]


def test_malformed_quote_rejects_the_row(tmp_path: Path) -> None:
    body = '2024-01-05 09:00:00,b,b,"x"y\n2024-01-05 09:01:00,b,b,fine\n'
    fr = read(write(tmp_path, "q.csv", HEADER + body))
    assert [m.line for m in fr.messages] == [3]
    assert fr.errors[0].line == 2 and "malformed CSV row" in fr.errors[0].reason


def test_row_values(tmp_path: Path) -> None:
    body = (
        "2024-01-05 09:00:00,b,b,,\n"  # empty text: a picture; kept
        "2024-01-05 09:01:00,,b,x,\n"  # empty buyer
        "2024-01-05 09:02:00,b,,x,\n"  # empty sender, no role
        "2024-01-05 09:03:00,b,b,x,boss\n"  # unknown role
        "2024-01-05 09:04:00,b,店:a,北京-->上海,\n"  # not a transfer: no agent nick
        "2024-01-05 09:05:00,b,系统,有新订单,\n"  # system nick
        "2024-01-05 09:06:00,b,店:a,a --> b,system\n"  # explicit system: a transfer
        "2024-01-05 09:07:00,b,店:a,店:a-->店:b,\n"  # inferred transfer
        "2024-01-05 09:08:00,b,somebody,hi,\n"  # not the buyer: a shop account
        "2024-01-05 09:09:00,b,店:a,x,Agent\n"
    )
    fr = read(write(tmp_path, "v.csv", "time,buyer,sender,text,role\n" + body))
    assert [(e.line, e.reason) for e in fr.errors] == [
        (3, "empty buyer"),
        (4, "empty sender"),
        (5, "unknown role 'boss' (expected agent, buyer or system)"),
    ]
    by_line = {m.line: m for m in fr.messages}
    assert by_line[2].text == "" and by_line[2].role is Role.BUYER
    assert by_line[6].role is Role.AGENT and by_line[6].transfer is None
    assert by_line[7].role is Role.SYSTEM
    assert by_line[8].transfer == Transfer("a", "b")
    assert by_line[9].role is Role.SYSTEM and by_line[9].transfer == Transfer("店:a", "店:b")
    assert by_line[10].role is Role.AGENT
    assert by_line[11].role is Role.AGENT


def test_configured_shop_and_bot_names(tmp_path: Path) -> None:
    body = "2024-01-05 09:00:00,b,美动态,hi\n2024-01-05 09:01:00,b,小蜜,hi\n2024-01-05 09:02:00,b,b,x\n"
    fr = read(write(tmp_path, "n.csv", HEADER + body), shop_names=("美动态",), bot_names=("小蜜",))
    assert [(m.role, m.shop) for m in fr.messages] == [
        (Role.AGENT, "美动态"),
        (Role.AGENT, "美动态"),
        (Role.BUYER, "美动态"),
    ]


def test_shop_column_wins_and_buyers_take_their_agents_shop(tmp_path: Path) -> None:
    body = (
        "2024-01-05 09:00:00,b1,b1,hi,\n"
        "2024-01-05 09:01:00,b1,店A:x,hi,\n"
        "2024-01-05 09:02:00,b2,店A:x,hi,店B\n"
        "2024-01-05 09:03:00,b2,b2,hi,\n"
        "2024-01-05 09:04:00,b3,b3,hi,\n"
    )
    fr = read(write(tmp_path, "s.csv", "time,buyer,sender,text,shop\n" + body))
    assert [m.shop for m in fr.messages] == ["店A", "店A", "店B", "店B", None]


def test_blank_rows_are_not_rows(tmp_path: Path) -> None:
    fr = read(
        write(tmp_path, "b.csv", HEADER + "\n,,,\n  ,\t, ,\n2024-01-05 09:00:00,b,b,x\n,,,\n")
    )
    assert fr.stats.rows_read == 1 and fr.messages[0].line == 5


def test_four_million_character_message(tmp_path: Path) -> None:
    big = "好" * 4_000_000
    p = write(
        tmp_path,
        "big.csv",
        HEADER + f'2024-01-05 09:00:00,b,b,"{big}"\n2024-01-05 09:01:00,b,b,x\n',
    )
    t0 = time.perf_counter()
    fr = read(p)
    assert time.perf_counter() - t0 < 5
    assert [len(m.text) for m in fr.messages] == [4_000_000, 1]
    assert fr.messages[1].line == 3


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings_and_no_trailing_newline(tmp_path: Path, ending: str) -> None:
    rows = [HEADER.strip(), "2024-01-05 09:00:00,b,b,one", "2024-01-05 09:01:00,b,b,two"]
    fr = read(write(tmp_path, "e.csv", ending.join(rows)))
    assert [(m.line, m.text) for m in fr.messages] == [(2, "one"), (3, "two")]


def test_mixed_line_endings(tmp_path: Path) -> None:
    text = HEADER.strip() + "\r\n2024-01-05 09:00:00,b,b,one\n2024-01-05 09:01:00,b,b,two\r\n"
    fr = read(write(tmp_path, "m.csv", text + "bad,b,b,three\n"))
    assert [m.line for m in fr.messages] == [2, 3]
    assert fr.errors[0].line == 4


def test_undecodable_line_rejects_its_row(tmp_path: Path) -> None:
    data = (
        HEADER + "2024-01-05 09:00:00,b,b,好\n"
    ).encode() + b"2024-01-05 09:01:00,b,b,\xff\xfe\n"
    data += "2024-01-05 09:02:00,b,b,好的\n".encode()
    fr = read(write(tmp_path, "x.csv", data))
    assert fr.stats.encoding == "utf-8"
    assert [m.line for m in fr.messages] == [2, 4]
    [e] = fr.errors
    assert e.line == 3 and e.reason.startswith("undecodable bytes (not valid UTF-8: ff fe")


def test_explicit_input_format_overrides_extension(tmp_path: Path) -> None:
    p = write(tmp_path, "chat.log", HEADER + "2024-01-05 09:00:00,b,b,x\n")
    assert read(p).stats.format == "csv"  # sniffed
    fr = read(p, input_format="jsonl")
    assert fr.stats.format == "jsonl" and fr.stats.rejected == 2


def test_speed_of_plain_rows(tmp_path: Path) -> None:
    rows = "".join(
        f"2024-01-05 09:{i // 60 % 60:02d}:{i % 60:02d},b{i % 50},店:a,亲在的哦\n"
        for i in range(50_000)
    )
    p = write(tmp_path, "speed.csv", HEADER + rows)
    t0 = time.perf_counter()
    fr = read(p)
    elapsed = time.perf_counter() - t0
    assert fr.stats.messages == 50_000
    assert elapsed < 3, elapsed
