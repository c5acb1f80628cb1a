"""Encoding detection: BOMs, strict UTF-8, GB18030 with a plausibility check, bad lines."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.readers.encoding import UNDECODABLE, UndecodableError, decode

CHAT = "美动态旗舰店:小花 2024-1-5 9:03:07\n亲,您好,很高兴为您服务/:^_^\ntb_buyer01 2024-1-5 9:03:15\n在吗\n"
SEED_003 = Path("/work/shared/seeds/003_63cd2cdceb254a39.txt")
TRADITIONAL = "天貓規則:標題中出現包郵字樣,然而寶貝是有設置郵費的,那麼一旦發生投訴,每次扣4分。當店鋪做全場包郵的活動,有客戶咨詢客服。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CHAT.encode("utf-8"), "utf-8"),
        (b"plain ascii\n", "utf-8"),
        (codecs.BOM_UTF8 + CHAT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + CHAT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + CHAT.encode("utf-16-be"), "utf-16-be"),
        (CHAT.encode("gb18030"), "gb18030"),
        (CHAT.encode("gbk"), "gb18030"),
        ("在吗".encode("gb18030"), "gb18030"),
        (TRADITIONAL.encode("gbk"), "gb18030"),  # traditional characters saved as GBK
        (b"\x84\x31\x95\x33" + CHAT.encode("gb18030"), "gb18030"),  # GB18030 BOM
    ],
)
def test_supported_encodings(data: bytes, encoding: str) -> None:
    d = decode(data)
    assert d.encoding == encoding
    assert d.bad_lines == {}
    assert not d.text.startswith("\ufeff")
    assert d.text in (CHAT, "plain ascii\n", "在吗", TRADITIONAL)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (TRADITIONAL.encode("big5"), UNDECODABLE),
        (
            "こんにちは、今日はいい天気ですね。ありがとうございます。".encode("shift_jis"),
            UNDECODABLE,
        ),
        ("Café crème brûlée, naïve façade, déjà vu à côté".encode("latin-1"), UNDECODABLE),
        (b"abc\x00def", "binary file"),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary file (a zip archive, e.g. an .xlsx workbook)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (a PNG image)"),
        (b"\x01\x02\x03\x04\x05abc\x06\x07", "binary file"),
        (codecs.BOM_UTF16_LE + "a\x00b".encode("utf-16-le"), "binary file"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", f"{UNDECODABLE} (it looks like UTF-32)"),
    ],
)
def test_refused(data: bytes, reason: str) -> None:
    with pytest.raises(UndecodableError) as info:
        decode(data)
    assert info.value.reason.startswith(reason)


def test_seed_in_big5_is_refused_not_misread() -> None:
    if not SEED_003.exists():
        pytest.skip("seed not available")
    text = SEED_003.read_text(encoding="utf-8")[:2000]
    with pytest.raises(UndecodableError):
        decode(text.encode("big5", "ignore"))
    assert decode(text.encode("gbk", "ignore")).encoding == "gb18030"


def test_line_endings_normalized_keep_line_numbers() -> None:
    d = decode(b"a\r\nb\rc\nd\r\n\r\ne")
    assert d.text == "a\nb\nc\nd\n\ne"


def test_truncated_utf8_final_character() -> None:
    d = decode("一\n二\n三".encode()[:-1])
    assert d.encoding == "utf-8"
    assert d.text.split("\n")[:2] == ["一", "二"]
    assert list(d.bad_lines) == [3]
    assert d.bad_lines[3].startswith("undecodable bytes (the file ends in the middle of a UTF-8")


def test_truncated_gb18030_final_character() -> None:
    data = ("店:a 2024-1-5 9:00:00\r\n你好\r\n中").encode("gb18030")[:-1]
    d = decode(data)
    assert d.encoding == "gb18030"
    assert d.text.split("\n")[:2] == ["店:a 2024-1-5 9:00:00", "你好"]
    assert list(d.bad_lines) == [3] and "GB18030 character" in d.bad_lines[3]


def test_truncated_utf16() -> None:
    d = decode(codecs.BOM_UTF16_LE + "ab\ncd".encode("utf-16-le")[:-1])
    assert d.encoding == "utf-16-le" and list(d.bad_lines) == [2]


def test_a_few_bad_lines_in_the_middle() -> None:
    lines = [f"第{i}行消息".encode() for i in range(40)]
    lines[7] = b"bad \xff\xfe here"
    lines[30] = "半个字".encode()[:-1] + b",x"
    d = decode(b"\r\n".join(lines))
    assert d.encoding == "utf-8"
    assert sorted(d.bad_lines) == [8, 31]
    assert d.bad_lines[8] == "undecodable bytes (not valid UTF-8: ff fe)"
    out = d.text.split("\n")
    assert len(out) == 40 and out[7] == "bad \ufffd\ufffd here" and out[9] == "第9行消息"


def test_gb18030_with_a_bad_line() -> None:
    lines = [f"第{i}行消息,您好".encode("gb18030") for i in range(30)]
    lines[4] = b"\x81\x30 broken"
    d = decode(b"\n".join(lines))
    assert d.encoding == "gb18030" and list(d.bad_lines) == [5]


def test_too_many_bad_lines_is_undecodable() -> None:
    with pytest.raises(UndecodableError):
        decode(b"\n".join([b"ok line", b"\xff\xfe\xfd bad"] * 20))


_chars = st.characters(
    codec="gb18030",
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\ufeff",
    include_characters="\n",
)


@given(st.text(alphabet=_chars, max_size=60))
def test_round_trip_utf8_and_utf16(text: str) -> None:
    for data in (
        text.encode("utf-8"),
        codecs.BOM_UTF8 + text.encode("utf-8"),
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    ):
        d = decode(data)
        assert d.text == text
        assert d.bad_lines == {}


_hanzi = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1)


@given(st.lists(_hanzi.map(lambda s: s.encode("gb2312", "ignore").decode("gb2312")), min_size=1))
def test_round_trip_gb18030_chinese(lines: list[str]) -> None:
    text = "\n".join(f"{s}，您好" for s in lines)
    d = decode(text.encode("gb18030"))
    assert d.text == text and d.encoding in ("gb18030", "utf-8")
