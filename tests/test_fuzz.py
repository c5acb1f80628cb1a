"""Fuzzing the readers and the text pipeline; findings that must not depend on layout.

Builds on ``test_readers_bad_input.py`` (arbitrary bytes, token soup) with
inputs that reach deeper: bytes behind a plausible start (a BOM, a zip magic,
a header), *near-valid* files (a valid CSV, JSON Lines or Qianniu export, in
each supported encoding, then byte flips, truncations and inserted CR, NUL,
BOM, quotes), and mutated real ``.xlsx`` workbooks. Every read must keep the
promises of :mod:`cslint.readers`: no exception, counts that reconcile, every
error with a file, a line inside the file and a reason, every physical line
starting at most one row.

The text pipeline gets arbitrary Unicode rich in what breaks offset maps
(combining marks, right-to-left text and overrides, emoji ZWJ sequences,
full-width forms, ideographic description characters, U+FFFD, CJK
extensions), through ``analyze``, the rule pack's automaton and patterns and
the whole engine: every span must land inside the raw text.

Finally, findings must not depend on how an export is laid out: shuffling the
rows (with explicit times) and splitting them over a CSV and a JSON Lines file
give the same ``(code, buyer, time, text)`` findings; and ``check --jobs 1``
and ``--jobs N`` print the same report.

Examples per property: 100 by default (the file runs in well under a minute);
``CSLINT_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py`` for a long
hunt. Hypothesis keeps no database here (``database=None``): nothing is
written into the working tree.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslint.api import check_paths
from cslint.config import Config
from cslint.engine import Engine
from cslint.model import Message, Role, Session
from cslint.readers import INTERNAL_ERROR, FileRead, ReadOptions, read_file
from cslint.ruleset import _regex_risk, load_pack
from cslint.text.analysis import analyze
from cslint.text.emoticons import find_emoticons, fold_width
from cslint.text.sentences import MAX_SENTENCE, TERMINATORS, split_sentences

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("CSLINT_FUZZ_EXAMPLES", "100"))
CONFIG = Config()
PACK = load_pack(CONFIG)


def fuzz(examples: int = EXAMPLES) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


# ---- the promises of read_file ---------------------------------------------------------


def physical_lines(data: bytes) -> int:
    """An upper bound of the file's line count (LF, CRLF and lone CR end a line).

    Exact for UTF-8 and GB18030 (their multi-byte characters never hold a CR
    or LF byte); an over-estimate for UTF-16, which is all a bound needs.
    """
    return data.count(b"\n") + data.count(b"\r") + 1


def check_read(fr: FileRead, name: str, data: bytes | None) -> None:
    """Everything read_file promises about one file, whatever was in it."""
    s = fr.stats
    assert s.rows_read == s.messages + s.rejected
    assert s.messages == len(fr.messages)
    rows = [e for e in fr.errors if e.kind == "row"]
    files = [e for e in fr.errors if e.kind == "file"]
    assert s.rejected == len(rows)
    assert len(rows) + len(files) == len(fr.errors)
    assert s.failed == bool(files)
    if s.failed:
        assert s.rows_read == 0 and len(fr.errors) == 1 and not fr.messages
    for e in fr.errors:
        assert e.file == name or e.file.startswith(name + "["), e
        assert isinstance(e.reason, str) and e.reason.strip(), e
        assert INTERNAL_ERROR not in e.reason, e
        assert e.line >= (1 if e.kind == "row" else 0), e
    for m in fr.messages:
        assert m.line >= 1 and (m.file == name or m.file.startswith(name + "["))
        assert m.buyer.strip()
    if data is not None and s.format != "xlsx":
        bound = physical_lines(data)
        starts = [e.line for e in rows] + [m.line for m in fr.messages]
        assert all(line <= bound for line in starts), (bound, starts)
        assert all(e.line <= bound for e in files)
        # every physical line starts at most one row: nothing counted twice
        assert len(starts) == len(set(starts)), sorted(starts)


def read_data(name: str, data: bytes, fmt: str | None = None) -> FileRead:
    with tempfile.TemporaryDirectory(prefix="cslint-fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        fr = read_file(path, ReadOptions(input_format=fmt), display_name=name)
    check_read(fr, name, data)
    return fr


# ---- arbitrary bytes behind a plausible start --------------------------------------------

PREFIXES = (
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"PK\x03\x04",
    b"time,buyer,sender,text\n",
    "时间,买家,发送人,内容\r\n".encode("gb18030"),
    b'{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"',
    "店:甲 2024-1-5 9:00:00\n".encode(),
)
EXTENSIONS = (".csv", ".jsonl", ".txt", ".xlsx", ".ndjson", ".log")


@fuzz()
@given(st.sampled_from(PREFIXES), st.binary(max_size=300), st.sampled_from(EXTENSIONS))
def test_bytes_behind_a_plausible_start(prefix: bytes, tail: bytes, ext: str) -> None:
    read_data("f" + ext, prefix + tail)


# ---- near-valid files, then mutated ------------------------------------------------------

NICKS = ("tb_buyer01", "小鱼儿2019", "13812345678", "=cmd", "a b")
AGENT = "美动态旗舰店:小花"
TEXTS = (
    "在吗",
    "亲，您好，很高兴为您服务/:^_^",
    '他说"好的"，然后走了',
    "多行\n消息",
    "a,b;c\td",
    "我也不知道",
    "加vx123456",
    "",
    "  空白  ",
    "😀👨‍👩‍👧[微笑]",
    "2024-1-5 9:03:07",
    "已读",
)


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    n = draw(st.integers(1, 8))
    out = []
    base = datetime(2024, 1, 5, 9, 0, 0)
    for i in range(n):
        buyer = draw(st.sampled_from(NICKS))
        agent = draw(st.booleans())
        text = draw(st.sampled_from(TEXTS))
        when = (base + timedelta(seconds=7 * i)).strftime("%Y-%m-%d %H:%M:%S")
        out.append((when, buyer, AGENT if agent else buyer, text))
    return out


def render(fmt: str, drawn: list[tuple[str, str, str, str]], eol: str) -> str:
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=eol)
        writer.writerow(["time", "buyer", "sender", "text"])
        writer.writerows(drawn)
        return buf.getvalue()
    if fmt == "jsonl":
        return "".join(
            json.dumps(dict(zip(("time", "buyer", "sender", "text"), r, strict=True))) + eol
            for r in drawn
        )
    # Qianniu: one buyer per file; bodies never look like headers or receipts
    lines = []
    for when, _buyer, sender, text in drawn:
        nick = AGENT if sender == AGENT else "tb_buyer01"
        y, mo, d = when[:10].split("-")
        lines.append(f"{nick} {int(y)}-{int(mo)}-{int(d)} {when[11:]}")
        lines.extend(t for t in text.split("\n") if t != "已读" and "2024" not in t)
    return eol.join(lines) + eol


ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
EXT_OF = {"csv": ".csv", "jsonl": ".jsonl", "qianniu": ".txt"}
INSERTS = (b"\r", b"\n", b"\r\n", b"\x00", codecs.BOM_UTF8, b'"', b"\xff", b"\x1b[31m", b",")


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, float, int, bytes]:
    kind = draw(st.sampled_from(("flip", "truncate", "insert", "delete", "duplicate")))
    where = draw(st.floats(0, 1, allow_nan=False))
    value = draw(st.integers(1, 255))
    insert = draw(st.sampled_from(INSERTS))
    return kind, where, value, insert


def mutate(data: bytes, ops: list[tuple[str, float, int, bytes]]) -> bytes:
    for kind, where, value, insert in ops:
        if not data:
            break
        i = min(int(where * len(data)), len(data) - 1)
        if kind == "flip":
            data = data[:i] + bytes([data[i] ^ value]) + data[i + 1 :]
        elif kind == "truncate":
            data = data[:i]
        elif kind == "insert":
            data = data[:i] + insert + data[i:]
        elif kind == "delete":
            data = data[:i] + data[i + value % 8 + 1 :]
        else:  # duplicate a stretch (a line pasted twice, a header repeated)
            data = data[:i] + data[i : i + value] + data[i:]
    return data


@fuzz()
@given(
    rows(),
    st.sampled_from(("csv", "jsonl", "qianniu")),
    st.sampled_from(ENCODINGS),
    st.sampled_from(("\n", "\r\n")),
    st.lists(mutation(), max_size=4),
)
def test_near_valid_files_mutated(
    drawn: list[tuple[str, str, str, str]],
    fmt: str,
    encoding: str,
    eol: str,
    ops: list[tuple[str, float, int, bytes]],
) -> None:
    data = render(fmt, drawn, eol).encode(encoding)
    name = "m" + EXT_OF[fmt]
    fr = read_data(name, mutate(data, ops))
    if not ops:  # the valid file itself reads completely
        n = len(drawn)
        assert (fr.stats.rows_read, fr.stats.messages, fr.stats.rejected) == (n, n, 0), fr.errors


@fuzz()
@given(
    st.lists(st.sampled_from(TEXTS[:6]), min_size=1, max_size=12),
    st.sets(st.integers(0, 11)),
    st.sampled_from(("\n", "\r\n")),
)
def test_stray_quotes_cost_exactly_their_own_rows(
    texts: list[str], broken: set[int], eol: str
) -> None:
    """A text cell that opens a quote and never closes it rejects its row, and only
    its row: the rows after it are not swallowed into one long cell."""
    broken = {i for i in broken if i < len(texts)}
    texts = [t.replace("\n", " ") if i in broken else t for i, t in enumerate(texts)]
    lines = ["time,buyer,sender,text"]
    for i, text in enumerate(texts):
        cell = '"' + text.replace('"', "") if i in broken else '"' + text.replace('"', '""') + '"'
        lines.append(f"2024-01-05 09:{i // 60:02d}:{i % 60:02d},tb_b,tb_b,{cell}")
    fr = read_data("q.csv", ("\n".join(lines) + "\n").replace("\n", eol).encode())
    assert (fr.stats.rows_read, fr.stats.rejected) == (len(texts), len(broken)), fr.errors
    starts = [2 + i + sum(t.count("\n") for t in texts[:i]) for i in range(len(texts))]
    assert sorted(e.line for e in fr.errors) == [starts[i] for i in sorted(broken)]
    assert all(e.reason.startswith("unbalanced quote") for e in fr.errors)
    assert [m.line for m in fr.messages] == [
        starts[i] for i in range(len(texts)) if i not in broken
    ]


_XLSX: bytes | None = None


def workbook_bytes() -> bytes:
    global _XLSX
    if _XLSX is None:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["time", "buyer", "sender", "text"])
        sheet.append([datetime(2024, 1, 5, 9, 0), "b", "b", "在吗"])
        sheet.append(["2024-01-05 09:00:03", "b", AGENT, "亲，您好"])
        sheet.append([45296.375, 12345, "b", None])
        buf = io.BytesIO()
        book.save(buf)
        _XLSX = buf.getvalue()
    return _XLSX


@fuzz(max(10, EXAMPLES // 2))
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_mutated_workbooks(ops: list[tuple[str, float, int, bytes]]) -> None:
    read_data("book.xlsx", mutate(workbook_bytes(), ops))


def test_unmutated_workbook_reads() -> None:
    fr = read_data("book.xlsx", workbook_bytes())
    assert (fr.stats.rows_read, fr.stats.messages, fr.stats.rejected) == (3, 3, 0)


# ---- the text pipeline on hostile Unicode ------------------------------------------------

HOSTILE_PIECES = st.sampled_from(
    [
        "\u0301",  # combining acute
        "\u20dd",  # combining enclosing circle
        "e\u0301\u0302\u0303",
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
        "\u0645\u0631\u062d\u0628\u0627",  # Arabic
        "\u202e",  # right-to-left override
        "\u202d\u2066\u2069\u200f\u200e",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ family
        "\U0001f44d\U0001f3fd",  # skin tone
        "1\ufe0f\u20e3",  # keycap
        "\U0001f1e8\U0001f1f3",  # flag
        "\u2764",
        "\u2764\ufe0f",
        "Ｖ信",
        "ｑｑ：１２３４５６",
        "\u3000",
        "\u2ff0\u2ff1\u2ffb",  # ideographic description characters
        "\u2ff0氵工",
        "\ufffd",
        "\U00020000\U0003134a",  # CJK extensions B and H
        "\uf900",  # compatibility ideograph
        "İ",
        "ς",
        "ß",
        "ﬁ",
        "不",
        "行",
        "不 行",
        "我也不知道",
        "應該是吧",
        "发票",
        "不开发票",
        "加vx",
        "qq",
        "13812345678",
        "/:^_^",
        "/:",
        "[微笑]",
        "(*^▽^*)",
        "~",
        "～",
        "3~5天",
        "http://a.cn/x?y=1!",
        "。",
        "！",
        "\n",
        "\r\n",
        "\u2028",
        "\x85",
        " ",
        "\t",
        "\x1b[31m",
        "\u200b",
        "\ufeff",
        "啊",
        "你",
    ]
)
HOSTILE_CHARS = st.characters(
    categories=["Mn", "Me", "Mc", "Lo", "So", "Sk", "Cf", "Zs", "Po", "Nd", "Lu", "Ll"]
)  # never Cs: a lone surrogate is no text a reader can produce
HOSTILE_TEXT = st.lists(HOSTILE_PIECES | HOSTILE_CHARS, max_size=25).map("".join) | st.text(
    st.characters(exclude_categories=["Cs"]), max_size=40
)


def check_analysis(text: str) -> None:
    a = analyze(text)
    assert a.raw == text
    for start, end in a.emoticons:
        assert 0 <= start < end <= len(text)
    previous_end = 0
    for s in a.sentences:
        assert previous_end <= s.start < s.end <= len(text)
        previous_end = s.end
        offsets = s.norm.offsets
        assert len(offsets) == len(s.norm.text) + 1
        assert all(a_ < b_ for a_, b_ in itertools.pairwise(offsets))
        assert all(s.start <= o <= s.end for o in offsets)
        for i in range(len(s.norm.text)):
            for j in range(i + 1, min(len(s.norm.text), i + 4) + 1):
                rs, re_ = s.norm.raw_span(i, j)
                assert s.start <= rs < re_ <= s.end
    hits = PACK.find_hits(a)
    for per_rule in hits.values():
        for h in per_rule:
            sentence = a.sentences[h.sentence]
            assert 0 <= h.start < h.end <= len(sentence.norm.text)
            assert sentence.norm.text[h.start : h.end] == h.phrase
            rs, re_ = sentence.norm.raw_span(h.start, h.end)
            assert sentence.start <= rs < re_ <= sentence.end <= len(text)


@fuzz()
@given(HOSTILE_TEXT)
def test_analyze_keeps_offset_maps_valid(text: str) -> None:
    check_analysis(text)


@fuzz()
@given(
    st.lists(
        HOSTILE_PIECES | st.sampled_from(["话" * 97, "a b " * 40, "，" * 3, " " * 9]), max_size=40
    ),
    st.integers(1, 60),
)
def test_long_sentences_are_cut_into_bounded_pieces(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat
    skip = find_emoticons(fold_width(text))
    spans = split_sentences(fold_width(text), skip)
    previous = 0
    covered: set[int] = set()
    for start, end in spans:
        assert previous <= start < end <= len(text)
        assert end - start <= MAX_SENTENCE
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered.update(range(start, end))
        previous = end
    inside_emoticon = {i for a, b in skip for i in range(a, b)}
    for i, char in enumerate(text):  # every visible character is in a sentence
        if not char.isspace() and char not in TERMINATORS and i not in inside_emoticon:
            assert i in covered, (i, char)


ENGINE = Engine(PACK)
T0 = datetime(2024, 1, 5, 9, 0, 0)


@fuzz()
@given(st.lists(st.tuples(st.booleans(), HOSTILE_TEXT), min_size=1, max_size=5))
def test_every_violation_span_is_inside_its_raw_text(drawn: list[tuple[bool, str]]) -> None:
    messages = tuple(
        Message(
            time=T0 + timedelta(seconds=20 * i),
            buyer="tb_b",
            sender=AGENT if agent else "tb_b",
            text=text,
            role=Role.AGENT if agent else Role.BUYER,
            file="f.csv",
            line=i + 2,
            shop="美动态旗舰店",
        )
        for i, (agent, text) in enumerate(drawn)
    )
    session = Session("tb_b#x", "tb_b", "美动态旗舰店", messages)
    outcome = ENGINE.check_session(session)
    texts = {m.line: m.text for m in messages}
    for v in outcome.violations:
        if v.span is None:  # a session-level finding (S001, T001 …) may quote no text
            assert v.text in ("", texts[v.line]), v
            continue
        assert v.text == texts[v.line], v
        start, end = v.span
        assert 0 <= start <= end <= len(v.text), v


def test_hostile_examples_that_once_were_tricky() -> None:
    for text in (
        "\u202e不行\u202c",
        "不\u0301行",
        "我也不\u200d知道",
        "\u2ff0氵工 不 行",
        "ｑｑ：１２３４５６７",
        "\ufffd" * 50 + "不行",
        "👨\u200d👩\u200d👧" * 20,
        "e" + "\u0301" * 500,
    ):
        check_analysis(text)
        assert find_emoticons(text) is not None


# ---- ruleset patterns that pass the load-time check stay fast ----------------------------

ATOMS = ("a", "b", " ", "1", "x", r"\s", r"\d", r"\w", ".", "[ab]", "[^a]", "微")
QUANTIFIERS = ("", "", "", "*", "+", "?", "{2,}", "{0,3}", "*?", "+?")


@st.composite
def patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            inner = draw(patterns(depth + 1))
            if draw(st.booleans()):
                inner += "|" + draw(patterns(depth + 1))
            atom = f"(?:{inner})"
        else:
            atom = draw(st.sampled_from(ATOMS))
        parts.append(atom + draw(st.sampled_from(QUANTIFIERS)))
    return "".join(parts)


def probes(pattern: str) -> list[str]:
    """Texts of one sentence's length (512) made of what the pattern names, ending
    in a character that makes the search fail late."""
    pieces = sorted({c for c in pattern if c.isalnum() or c == " "} | {"a", " ", "1", "ab"})
    return [
        (piece * (MAX_SENTENCE // len(piece)))[: MAX_SENTENCE - 1] + end
        for piece in pieces
        for end in ("!", "y")
    ]


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def interrupt(*_: object) -> None:
        raise TimeoutError(f"a search took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, interrupt)  # re checks for signals while matching
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
@fuzz(max(20, EXAMPLES // 2))
@given(patterns())
def test_accepted_patterns_search_a_sentence_in_bounded_time(pattern: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    if _regex_risk(pattern) is not None:
        return
    with time_limit(5.0):  # quadratic at worst: ~25 ms per probe measured; 5 s is a hang
        for text in probes(pattern):
            for _ in compiled.finditer(text):
                pass


def test_bundled_patterns_pass_the_check_and_catastrophic_ones_do_not() -> None:
    bundled = [p for rule in PACK.rules for p in rule.spec.list("patterns")]
    assert bundled and all(_regex_risk(p) is None for p in bundled)
    for bad in (r"(a+)+$", r"(a|aa)+$", r"(a|a)*b", r"(.*a){20}", r"(\w+\s?)+$", r"(x+x+)+y"):
        assert _regex_risk(bad) is not None, bad


# ---- findings do not depend on layout ----------------------------------------------------

SHOP = "青禾家居旗舰店"
AGENTS = (f"{SHOP}:木木", f"{SHOP}:小叶")
BUYERS = ("tb_suda", "tb_jiajia520", "小鱼儿2019")
STABLE_TEXTS = (
    "在吗",
    "能开发票吗",
    "电话13812345678",
    "亲，您好，很高兴为您服务/:^_^",
    "我也不知道",
    "不行的",
    "你自己看吧",
    "特价商品是没有发票的哦",
    "加我vx123456聊",
    "好的啊",
    "不客气亲，感谢您的光临/:^_^",
    "是13812345678对吗",
    "七天后发货",
    "不 行",
    "應該是吧",
    "[微笑]",
    "",
)


@st.composite
def chats(draw: st.DrawFn) -> list[list[str]]:
    """Rows with explicit, per-buyer distinct times (ties would make file order count)."""
    n = draw(st.integers(1, 16))
    used: set[tuple[str, int]] = set()
    out: list[list[str]] = []
    for _ in range(n):
        buyer = draw(st.sampled_from(BUYERS))
        offset = draw(st.integers(0, 400).filter(lambda k, b=buyer: (b, k) not in used))
        used.add((buyer, offset))
        when = (T0 + timedelta(seconds=offset * 9)).strftime("%Y-%m-%d %H:%M:%S")
        sender = draw(st.sampled_from((buyer, buyer, *AGENTS)))
        out.append([when, buyer, sender, draw(st.sampled_from(STABLE_TEXTS)), SHOP])
    return out


def write_rows(path: Path, rows_: list[list[str]]) -> Path:
    keys = ("time", "buyer", "sender", "text", "shop")
    if path.suffix == ".jsonl":
        path.write_text(
            "".join(
                json.dumps(dict(zip(keys, r, strict=True)), ensure_ascii=False) + "\n"
                for r in rows_
            ),
            encoding="utf-8",
        )
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(keys)
        writer.writerows(rows_)
        path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def findings_of(*parts: tuple[str, list[list[str]]]) -> Counter[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory(prefix="cslint-stable-") as tmp:
        # an empty JSON Lines file is an input error of its own ("empty file"): not written
        paths = [write_rows(Path(tmp) / name, r) for name, r in parts if r]
        result = check_paths(paths, CONFIG, pack=PACK)
    assert not result.input_errors
    return Counter((v.code, v.buyer, v.time, v.text) for v in result.violations)


@fuzz(max(10, EXAMPLES // 2))
@given(chats(), st.randoms(use_true_random=False), st.integers(0, 16))
def test_findings_survive_shuffling_and_splitting(
    drawn: list[list[str]], rnd: random.Random, cut: int
) -> None:
    original = findings_of(("all.csv", drawn))
    shuffled = drawn[:]
    rnd.shuffle(shuffled)
    assert findings_of(("all.csv", shuffled)) == original
    cut = min(cut, len(shuffled))
    split = findings_of(("a.csv", shuffled[:cut]), ("b.jsonl", shuffled[cut:]))
    assert split == original


# ---- --jobs 1 and --jobs N ---------------------------------------------------------------


def _has_jobs_option() -> bool:
    from click.testing import CliRunner

    from cslint.cli import main

    result = CliRunner().invoke(main, ["check", "--help"])
    return "--jobs" in result.output


def _cslint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "cslint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(
    not _has_jobs_option(),
    reason="`cslint check --help` has no --jobs option yet (the lead is adding it)",
)
@pytest.mark.parametrize(("fmt", "jobs"), [("json", ("1", "2", "3")), ("text", ("1", "2"))])
def test_jobs_1_and_jobs_n_print_the_same_report(
    tmp_path: Path, fmt: str, jobs: tuple[str, ...]
) -> None:
    rng = random.Random(11)
    logs = tmp_path / "logs"
    logs.mkdir()
    for n in range(6):  # several files, buyers spread over them (F003/P002 cross files)
        rows_ = []
        for k in range(60):
            buyer = BUYERS[rng.randrange(len(BUYERS))] + str(rng.randrange(4))
            sender = rng.choice((buyer, *AGENTS))
            when = (T0 + timedelta(minutes=n * 50, seconds=k * 13)).strftime("%Y-%m-%d %H:%M:%S")
            rows_.append([when, buyer, sender, rng.choice(STABLE_TEXTS), SHOP])
        write_rows(logs / f"part{n}{'.jsonl' if n % 2 else '.csv'}", rows_)
    (logs / "broken.csv").write_text("time,buyer,sender,text\nbad,b,b,x\n", encoding="utf-8")
    examples = ROOT / "examples" / "week"
    outputs = []
    for n in jobs:
        proc = _cslint(
            "check", "logs", str(examples), "--isolated", "-f", fmt, "--jobs", n, cwd=tmp_path
        )
        assert proc.returncode == 2, proc.stderr  # the broken row
        assert "Traceback" not in proc.stderr
        outputs.append((proc.stdout, proc.stderr))
    assert all(out == outputs[0] for out in outputs[1:])
    if fmt == "json":
        summary = json.loads(outputs[0][0])["summary"]
        assert summary["rows_read"] == summary["messages"] + summary["rejected"]
        assert summary["rejected"] == 1 and summary["messages"] >= 360
