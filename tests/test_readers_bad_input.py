"""Bad input catalogue and fuzzing: read_file never raises and its counts reconcile."""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readers_support import reconciled

from cslint.readers import FileRead, ReadOptions, read_file

EXTENSIONS = (".csv", ".jsonl", ".txt", ".xlsx", ".dat")
HEADER = "time,buyer,sender,text\n"


def read_bytes(tmp_path: Path, name: str, data: bytes, **opts: object) -> FileRead:
    p = tmp_path / name
    p.write_bytes(data)
    return reconciled(read_file(p, ReadOptions(**opts), display_name=name))  # type: ignore[arg-type]


_rng = random.Random(7)
BINARY = bytes(_rng.randrange(256) for _ in range(4096))


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_binary_bytes_under_each_extension(tmp_path: Path, ext: str) -> None:
    fr = read_bytes(tmp_path, "bin" + ext, BINARY)
    assert fr.stats.failed
    [e] = fr.errors
    assert (e.file, e.line, e.kind) == ("bin" + ext, 0, "file")
    expected = "not a valid .xlsx workbook" if ext == ".xlsx" else "binary file"
    assert e.reason.startswith(expected)


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", "\ufeff\n".encode()])
def test_empty_and_whitespace_files(tmp_path: Path, ext: str, data: bytes) -> None:
    fr = read_bytes(tmp_path, "e" + ext, data)
    assert fr.stats.failed and fr.stats.rows_read == 0
    expected = "not a valid .xlsx" if ext == ".xlsx" and data else "empty file"
    assert fr.errors[0].reason.startswith(expected)


def test_no_trailing_newline_everywhere(tmp_path: Path) -> None:
    assert (
        read_bytes(
            tmp_path, "a.csv", (HEADER + "2024-01-05 09:00:00,b,b,x").encode()
        ).stats.messages
        == 1
    )
    assert (
        read_bytes(
            tmp_path,
            "a.jsonl",
            b'{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"x"}',
        ).stats.messages
        == 1
    )
    assert read_bytes(tmp_path, "a.txt", b"b 2024-1-5 9:00:00\nx").messages[0].text == "x"


def test_mixed_crlf_lf_qianniu(tmp_path: Path) -> None:
    data = "店:a 2024-1-5 9:00:00\r\n第一行\n第二行\r\nb 2024-1-5 9:00:09\rhi\r\n".encode("gb18030")
    fr = read_bytes(tmp_path, "m.txt", data)
    assert [(m.line, m.text) for m in fr.messages] == [(1, "第一行\n第二行"), (4, "hi")]


def test_truncated_gb18030_csv(tmp_path: Path) -> None:
    text = "时间,买家,发送人,内容\n2024-01-05 09:00:00,买家,买家,你好\n2024-01-05 09:00:01,买家,店:甲,在的"
    fr = read_bytes(tmp_path, "t.csv", text.encode("gb18030")[:-1])
    assert (fr.stats.rows_read, fr.stats.messages, fr.stats.rejected) == (2, 1, 1)
    assert (
        fr.errors[0].line == 3
        and "ends in the middle of a GB18030 character" in fr.errors[0].reason
    )


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("big.jsonl", '{{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"{}"}}\n'),
        ("big.txt", "店:a 2024-1-5 9:00:00\n{}\nb 2024-1-5 9:00:01\nok\n"),
    ],
)
def test_four_million_character_message_other_formats(
    tmp_path: Path, name: str, template: str
) -> None:
    encoding = "gb18030" if name.endswith("txt") else "utf-8"
    fr = read_bytes(tmp_path, name, template.format("话" * 4_000_000).encode(encoding))
    assert len(fr.messages[0].text) == 4_000_000
    assert fr.stats.rejected == 0 and fr.stats.messages == (2 if name.endswith("txt") else 1)


def test_zip_that_is_not_a_workbook_and_zip_named_csv(tmp_path: Path) -> None:
    p = tmp_path / "z.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    fr = reconciled(read_file(p, ReadOptions()))
    assert fr.errors[0].reason.startswith("not a valid .xlsx workbook")
    fr = read_bytes(tmp_path, "z.csv", p.read_bytes())
    assert fr.errors[0].reason == "binary file (a zip archive, e.g. an .xlsx workbook)"


def test_undecodable_text_file(tmp_path: Path) -> None:
    fr = read_bytes(
        tmp_path, "big5.txt", "天貓規則:標題中出現包郵字樣,然而寶貝是有設置郵費的".encode("big5")
    )
    assert fr.errors[0].reason.startswith("undecodable file: not UTF-8, UTF-16 or GB18030")


def test_unknown_format_explicit_file(tmp_path: Path) -> None:
    fr = read_bytes(tmp_path, "notes.md", b"# hello\n")
    assert fr.errors[0].reason.startswith("unknown file format")
    assert fr.stats.format == "unknown"


def test_bad_input_format_option() -> None:
    with pytest.raises(ValueError):
        ReadOptions(input_format="xls")


# ---- fuzzing ---------------------------------------------------------------------------

_settings = settings(
    max_examples=int(os.environ.get("CSLINT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@_settings
@given(st.binary(max_size=400), st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes, ext: str) -> None:
    read_bytes(tmp_path, "f" + ext, data)


_pieces = st.sampled_from(
    [
        "time", "buyer", "sender", "text", "role", "session", "时间", ",", ",", "\t", '"', '""',
        "\n", "\r\n", "\r", " ", "2024-01-05 09:00:00", "2024-1-5 9:03:07", "2024-02-30 00:00:00",
        "b", "店:小花", "buyer", "agent", "system", "a --> 店:b", "已读", "撤回了一条消息",
        "当前用户来自 PC", "[x]", "{", "}", ":", '"time":', "null", "好", "\ufeff", "\x00", "\xff",
    ]
)  # fmt: skip


@_settings
@given(
    st.lists(_pieces, max_size=60).map("".join),
    st.sampled_from(EXTENSIONS[:3]),
    st.sampled_from(["utf-8", "gb18030", "utf-16"]),
    st.integers(min_value=0, max_value=3),
)
def test_structured_garbage_never_raises(
    tmp_path: Path, text: str, ext: str, encoding: str, cut: int
) -> None:
    data = text.encode(encoding, "replace")
    read_bytes(tmp_path, "g" + ext, data[: len(data) - cut] if cut else data)


@_settings
@given(st.lists(_pieces, max_size=40).map("".join), st.sampled_from(["csv", "jsonl", "qianniu"]))
def test_header_then_garbage_reconciles(tmp_path: Path, body: str, fmt: str) -> None:
    head = {
        "csv": HEADER,
        "jsonl": '{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"x"}\n',
        "qianniu": "店:a 2024-1-5 9:00:00\nhi\n",
    }[fmt]
    fr = read_bytes(tmp_path, "h.dat", (head + body).encode("utf-8", "replace"), input_format=fmt)
    if fr.stats.failed and fmt != "csv":  # a csv body can break the header; nothing else can
        assert fr.errors[0].reason.startswith(("binary file", "undecodable file"))


@pytest.mark.skipif(os.name != "posix", reason="posix permissions")
def test_read_file_never_raises_on_odd_paths(tmp_path: Path) -> None:
    for p in (tmp_path, tmp_path / "missing.csv", Path("/dev/null")):
        reconciled(read_file(p, ReadOptions()))
