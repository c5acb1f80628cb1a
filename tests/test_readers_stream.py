"""Streaming readers: stream_file agrees with read_file and decode(), in bounded memory."""

from __future__ import annotations

import codecs
import json
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cslint.readers
from cslint.model import FileStats, InputError, Message, Role
from cslint.readers import FileStream, ReadOptions, read_file, stream_file
from cslint.readers import encoding as encoding_module
from cslint.readers.columns import fill_shops
from cslint.readers.encoding import Chunk, UndecodableError, decode, plan_text, text_chunks

OPTIONS = ReadOptions(shop_names=("店铺",))
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def collect(stream: FileStream) -> tuple[list[Message], list[InputError], FileStats]:
    messages: list[Message] = []
    errors: list[InputError] = []
    for item in stream:
        if isinstance(item, Message):
            messages.append(item)
        else:
            errors.append(item)
    return messages, errors, stream.stats


@contextmanager
def chunks_of(size: int) -> Iterator[None]:
    """Read files in chunks of ``size`` bytes, to put chunk boundaries everywhere."""
    with mock.patch.object(encoding_module, "CHUNK", size):
        yield


# --- generated exports -------------------------------------------------------

TIMES = ["2024-01-05 09:03:07", "2024-1-5 9:03", "2024-02-30 10:00:00", "yesterday", ""]
NAMES = ["b1", "tb_buyer01", "店铺:小花", "店铺", "系统", "", " b2 "]
TEXTS = ["你好", "亲,您好", 'say "hi"', "line one\nline two", "", "店铺:小花 --> 店铺:小王", "😀"]
HEADERS = [
    ["time", "buyer", "sender", "text"],
    ["时间", "买家", "发送人", "内容", "角色"],
    ["buyer", "time", "text", "sender", "shop", "session"],
]


def csv_cell(value: str, quoting: str) -> str:
    if quoting == "unbalanced":
        return '"' + value
    if quoting == "malformed":
        return f'"{value}"x'
    if quoting == "quoted" or any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_lines(draw: st.DrawFn) -> list[str]:
    header = draw(st.sampled_from(HEADERS))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["row"] * 8 + ["blank", "commas", "short", "long"]))
        if kind == "blank":
            lines.append("")
            continue
        if kind == "commas":
            lines.append("," * (len(header) - 1))
            continue
        cells = []
        for column in header:
            if column in ("time", "时间"):
                value = draw(st.sampled_from(TIMES))
            elif column in ("text", "内容"):
                value = draw(st.sampled_from(TEXTS))
            elif column == "角色":
                value = draw(st.sampled_from(["", "买家", "agent", "bogus"]))
            elif column in ("shop", "session"):
                value = draw(st.sampled_from(["", "店A", "S1"]))
            else:
                value = draw(st.sampled_from(NAMES))
            quoting = draw(st.sampled_from(["plain"] * 12 + ["quoted", "unbalanced", "malformed"]))
            cells.append(csv_cell(value, quoting))
        if kind == "short":
            cells.pop()
        elif kind == "long":
            cells.append("extra")
        lines.append(",".join(cells))
    return lines


@st.composite
def jsonl_lines(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 20))):
        kind = draw(st.sampled_from(["row"] * 6 + ["blank", "broken", "array"]))
        if kind == "blank":
            lines.append("  ")
        elif kind == "broken":
            lines.append('{"time": "2024-01-05 09:00:00", "buyer":')
        elif kind == "array":
            lines.append("[1, 2]")
        else:
            row: dict[str, object] = {
                "time": draw(st.sampled_from(TIMES)),
                "buyer": draw(st.sampled_from([*NAMES, 12345])),
                "sender": draw(st.sampled_from(NAMES)),
                "text": draw(st.sampled_from(TEXTS)),
            }
            if draw(st.booleans()):
                row["shop"] = draw(st.sampled_from(["店A", "", None]))
            lines.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
    return lines


DAMAGE = [b"\xff", b"\x00", "中".encode()[:2], b"\x81\x30"]


@st.composite
def exports(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV or JSONL export, encoded, maybe with bad bytes and NUL lines."""
    fmt = draw(st.sampled_from(["csv", "jsonl"]))
    lines = draw(csv_lines() if fmt == "csv" else jsonl_lines())
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    if encoding == "utf-16":
        return f"f.{fmt}", codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    data = bytearray(text.encode(encoding, "replace"))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.sampled_from(DAMAGE))
    if draw(st.integers(0, 9)) == 0:
        data += "中".encode(encoding if encoding != "utf-8-sig" else "utf-8")[:-1]  # cut short
    return f"f.{fmt}", bytes(data)


@given(exports())
@SETTINGS
def test_stream_agrees_with_read_file(tmp_path: Path, export: tuple[str, bytes]) -> None:
    name, data = export
    path = tmp_path / name
    path.write_bytes(data)
    messages, errors, stats = collect(stream_file(path, OPTIONS, name))
    assert stats.rows_read == stats.messages + stats.rejected
    assert stats.messages == len(messages)
    assert stats.rejected == sum(1 for e in errors if e.kind == "row")
    read = read_file(path, OPTIONS, name)
    if stats.failed:
        assert (
            errors[-1].kind == "file" and [e.kind for e in errors[:-1]] == ["row"] * stats.rejected
        )
        assert read.errors == [errors[-1]] and read.messages == []
        assert read.stats == FileStats(name, stats.format, stats.encoding, 0, 0, 0, failed=True)
        return
    assert read.stats == stats
    assert read.errors == errors
    assert read.messages == fill_shops(messages)
    # In file order, each row once: the lines the stream hands out only go forward.
    order = [item.line for item in stream_file(path, OPTIONS, name)]
    assert order == sorted(set(order))


@given(exports(), st.sampled_from([1, 7, 64]))
@SETTINGS
def test_chunk_boundaries_change_nothing(
    tmp_path: Path, export: tuple[str, bytes], size: int
) -> None:
    name, data = export
    path = tmp_path / name
    path.write_bytes(data)
    whole = collect(stream_file(path, OPTIONS, name))
    with chunks_of(size):
        assert collect(stream_file(path, OPTIONS, name)) == whole


def streamed_text(path: Path) -> tuple[str, str, dict[int, str]] | str | None:
    """What the two streaming passes make of a file: text, encoding, bad lines."""
    try:
        plan = plan_text(path)
    except UndecodableError as exc:
        return exc.reason
    if plan is None:
        return None
    lines: list[str] = []
    bad: dict[int, str] = {}
    for chunk in text_chunks(path, plan):
        assert chunk.first == len(lines) + 1
        lines.extend(chunk.lines)
        bad.update(chunk.bad)
    text = "".join(lines)
    assert plan.head == text[: encoding_module.HEAD_BYTES]
    assert plan.blank == (not text.strip())
    return text, plan.encoding, bad


def decoded_whole(data: bytes) -> tuple[str, str, dict[int, str]] | str | None:
    if not data:
        return None
    try:
        decoded = decode(data)
    except UndecodableError as exc:
        return exc.reason
    return decoded.text, decoded.encoding, dict(decoded.bad_lines)


LINES = ["你好", "在吗 ", "", "  ", "\u3000", "abc,def", "😀", "\x1c", "\ufeff", "\x01\x02"]


@st.composite
def texts(draw: st.DrawFn) -> bytes:
    """Bytes in any supported encoding, with bad bytes, NULs and odd line ends."""
    lines = draw(st.lists(st.sampled_from(LINES), max_size=60))
    eol = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "big5", "utf-8-sig", "utf-16-be"]))
    if encoding == "utf-16-be":
        data = bytearray(codecs.BOM_UTF16_BE + eol.join(s.encode(encoding) for s in lines))
    else:
        data = bytearray(eol.join(s.encode(encoding, "ignore") for s in lines))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 5, 20]))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.sampled_from([*DAMAGE, b"\r", b"\n"]))
    cut = draw(st.integers(0, min(2, len(data))))  # maybe a character cut short
    return bytes(data[: len(data) - cut])


@given(texts(), st.sampled_from([3, 16, 1 << 18]), st.sampled_from([5, 40, 1 << 20]))
@settings(SETTINGS, max_examples=150)
def test_streamed_text_is_what_decode_gives(
    tmp_path: Path, data: bytes, chunk: int, sample: int
) -> None:
    """The two passes take decode()'s decisions, whatever the chunk and sample sizes."""
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    # HEAD_BYTES stays shorter than the sample, as it is with the real sizes.
    with (
        chunks_of(chunk),
        mock.patch.object(encoding_module, "_SAMPLE", sample),
        mock.patch.object(encoding_module, "HEAD_BYTES", min(sample - 1, 1 << 16)),
    ):
        assert streamed_text(path) == decoded_whole(data)


# --- bounded memory ------------------------------------------------------------


def test_memory_stays_flat_while_iterating(tmp_path: Path) -> None:
    """Peak memory while streaming a 30 MB export is a few chunks, not the file.

    Texts repeat (100 distinct ones, as canned replies do): RowConverter keeps
    up to 2**15 distinct texts to share them, which is its memory, not the
    reader's, and 30,000 distinct 750-byte texts would be most of the file.
    """
    path = tmp_path / "big.csv"
    filler = "您好，这是一条很长的消息，用来让文件变大。" * 16
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("time,buyer,sender,text\n")
        fh.write('2024-01-05 09:00:00,b0,店铺:a,"a quote that never closes\n')
        for i in range(30_000):
            minute, second = divmod(i % 3600, 60)
            text = f'"第{i % 100}条\n{filler}"' if i % 100 == 0 else f"第{i % 100}条{filler}"
            fh.write(f"2024-01-05 10:{minute:02d}:{second:02d},b{i % 97},店铺:客服,{text}\n")
    size = path.stat().st_size
    assert size > 30_000_000
    stream = stream_file(path, OPTIONS)
    tracemalloc.start()
    try:
        for _ in stream:
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stream.stats.messages == 30_000 and stream.stats.rejected == 1
    assert peak < size / 4, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


# --- the FileStream contract ---------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


CSV = (
    "time,buyer,sender,text\n"
    "2024-01-05 09:00:00,b1,b1,在吗\n"
    "2024-01-05 09:00:05,b1,店铺:小花,在的\n"
    "bad time,b1,b1,x\n"
    "2024-01-05 09:01:00,b1,b1,好的\n"
)


def test_stream_does_not_fill_shops_and_keeps_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", CSV)
    items = list(stream_file(path, OPTIONS))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Message", 2),
        ("Message", 3),
        ("InputError", 4),
        ("Message", 5),
    ]
    messages = [i for i in items if isinstance(i, Message)]
    assert [m.shop for m in messages] == [None, "店铺", None]
    assert [m.shop for m in read_file(path, OPTIONS).messages] == ["店铺", "店铺", "店铺"]


def test_stats_once_exhausted_and_one_iteration(tmp_path: Path) -> None:
    stream = stream_file(write(tmp_path, "a.csv", CSV), OPTIONS)
    with pytest.raises(RuntimeError):
        stream.stats  # noqa: B018
    items = iter(stream)
    next(items)
    with pytest.raises(RuntimeError):
        stream.stats  # noqa: B018
    assert len(list(items)) == 3
    assert stream.stats == FileStats(str(tmp_path / "a.csv"), "csv", "utf-8", 4, 3, 1)
    with pytest.raises(RuntimeError):
        iter(stream)


def test_file_errors_are_one_item(tmp_path: Path) -> None:
    stream = stream_file(tmp_path / "missing.csv", OPTIONS, "missing.csv")
    assert list(stream) == [InputError("missing.csv", 0, "no such file or directory", "file")]
    assert stream.stats == FileStats("missing.csv", "unknown", None, 0, 0, 0, failed=True)
    path = write(tmp_path, "nohead.csv", "a,b\n1,2\n")
    stream = stream_file(path, OPTIONS, "nohead.csv")
    reason = "missing column(s): time, buyer, sender, text"
    assert list(stream) == [InputError("nohead.csv", 1, reason, "file")]
    assert stream.stats == FileStats("nohead.csv", "csv", "utf-8", 0, 0, 0, failed=True)


def test_a_failure_after_rows_keeps_their_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file breaks after its first chunk: the stream has handed out those rows already."""
    path = write(tmp_path, "a.csv", CSV)
    real = text_chunks

    def breaking(path: Path, plan: encoding_module.TextPlan) -> Iterator[Chunk]:
        chunks = real(path, plan)
        yield next(chunks)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(cslint.readers, "text_chunks", breaking)
    with chunks_of(60):  # the first chunk holds the header and two rows
        messages, errors, stats = collect(stream_file(path, OPTIONS, "a.csv"))
        read = read_file(path, OPTIONS, "a.csv")
    assert [m.line for m in messages] == [2]
    failure = InputError("a.csv", 0, "cannot read file: input/output error", "file")
    assert errors == [failure]
    assert stats == FileStats("a.csv", "csv", "utf-8", 1, 1, 0, failed=True)
    assert read.messages == [] and read.errors == [failure]
    assert read.stats == FileStats("a.csv", "csv", "utf-8", 0, 0, 0, failed=True)


def test_unbalanced_quote_across_chunks(tmp_path: Path) -> None:
    """An open quote is cut at the next row-like line even when chunks end in between."""
    rows = [f"2024-01-05 09:{i // 60:02d}:{i % 60:02d},b1,b1,第{i}条" for i in range(200)]
    rows[10] = '2024-01-05 09:00:10,b1,b1,"oops'
    rows[50] = '2024-01-05 09:00:50,b1,b1,"two\nlines"'
    path = write(tmp_path, "q.csv", "time,buyer,sender,text\n" + "\n".join(rows) + "\n")
    whole = collect(stream_file(path, OPTIONS))
    messages, errors, _ = whole
    assert [(e.line, e.reason) for e in errors] == [
        (12, "unbalanced quote: a quoted field opened on line 12 runs into the next row")
    ]
    assert len(messages) == 199 and messages[49].text == "two\nlines"
    for size in (1, 50, 333):
        with chunks_of(size):
            assert collect(stream_file(path, OPTIONS)) == whole


QIANNIU = """系统消息:会话开始
tb_buyer01 2024-01-05 09:03:07
在吗

店铺:小花 2024-01-05 09:03:20
亲，在的
已读
tb_buyer01 2024-02-30 09:04:00
日期不对
当前用户来自 手机淘宝
tb_buyer01 2024-01-05 09:05:00
好的
"""


def test_qianniu_stream(tmp_path: Path) -> None:
    path = write(tmp_path, "tb_buyer01.txt", QIANNIU)
    whole = collect(stream_file(path, OPTIONS))
    messages, errors, stats = whole
    assert [(m.line, m.role, m.text, m.time) for m in messages] == [
        (1, Role.SYSTEM, "系统消息:会话开始", datetime(2024, 1, 5, 9, 3, 7)),  # the time after it
        (2, Role.BUYER, "在吗", datetime(2024, 1, 5, 9, 3, 7)),
        (5, Role.AGENT, "亲，在的", datetime(2024, 1, 5, 9, 3, 20)),
        (10, Role.SYSTEM, "当前用户来自 手机淘宝", datetime(2024, 1, 5, 9, 3, 20)),
        (11, Role.BUYER, "好的", datetime(2024, 1, 5, 9, 5)),
    ]
    assert [(e.line, e.reason) for e in errors] == [
        (8, "impossible timestamp '2024-02-30 09:04:00'")
    ]
    assert stats.format == "qianniu" and stats.rows_read == 6
    assert read_file(path, OPTIONS).messages == messages
    for size in (1, 20):
        with chunks_of(size):
            assert collect(stream_file(path, OPTIONS)) == whole


def test_xlsx_stream(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    first = book.active
    for row in (
        ["time", "buyer", "sender", "text"],
        ["2024-01-05 09:00:00", "b1", "b1", "在吗"],
        ["bad", "b1", "b1", "x"],
    ):
        first.append(row)
    second = book.create_sheet("Sheet2")
    second.append(["时间", "买家", "发送人", "内容"])
    second.append(["2024-01-05 09:01:00", "b1", "店铺:小花", "在的"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    messages, errors, stats = collect(stream_file(path, OPTIONS))
    assert [(m.file, m.line, m.shop) for m in messages] == [
        (f"{path}[Sheet]", 2, None),
        (f"{path}[Sheet2]", 2, "店铺"),
    ]
    assert [(e.file, e.line) for e in errors] == [(f"{path}[Sheet]", 3)]
    assert stats == FileStats(str(path), "xlsx", None, 3, 2, 1)
    assert read_file(path, OPTIONS).messages == fill_shops(messages)


SHARED_CSV = (
    "time,buyer,sender,text\n"
    "2024-01-05 09:00:00,b1,b1,在吗\n"
    "2024-01-05 09:00:01, b1 ,店铺:小王,在的\n"  # the same buyer, written otherwise
    '2024-01-05 09:00:02,b2,b2,"两行\n的消息"\n'
    "2024-01-05 09:00:03,,b3,no buyer\n"
    "2024-01-05 09:00:04,b3\n"  # too few fields: no buyer yet
    "bad time,b4,b4,x\n"
    "2024-01-05 09:00:05,b5,,x\n"
    + "".join(f"2024-01-05 09:01:{i % 60:02d},b{i % 7},b{i % 7},m{i}\n" for i in range(40))
)


@pytest.mark.parametrize("workers", [2, 3])
def test_shares_of_a_csv_add_up_to_the_whole(tmp_path: Path, workers: int) -> None:
    """Each row goes to exactly one worker, as the item one process reads (the
    CSV reader skips other workers' rows on a lookup of their buyer cell)."""
    from cslint.share import SKIPPED, Share

    path = tmp_path / "chat.csv"
    path.write_text(SHARED_CSV, encoding="utf-8")
    whole = list(stream_file(path, OPTIONS))
    shares = [list(stream_file(path, OPTIONS, share=Share(n, workers))) for n in range(workers)]
    assert all(len(items) == len(whole) for items in shares)
    for n, item in enumerate(whole):
        mine = [items[n] for items in shares if items[n] is not SKIPPED]
        assert mine == [item]
    assert any(type(item) is InputError for item in whole)
