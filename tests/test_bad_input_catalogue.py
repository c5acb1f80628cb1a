"""The bad-input catalogue: every odd file QA meets, through the real CLI.

One table (:data:`CATALOGUE`): each case builds its file(s) in a folder of its
own, runs ``cslint`` through click's runner from that folder (so files are
named as a user would see them), and states the documented outcome: exit
code, the input errors (file, line, a piece of the reason), the counts
``rows_read / messages / rejected``, and what is written where. The cases
cover the issue's list (binary files under every extension, empty files, a
4-million-character message, ...) and a *hostile* group (formula injection,
terminal escapes, symlink loops, ``--output`` onto an input file, ...).

Every run is checked for what must hold whatever the input:
:func:`test_catalogue_reconciles` asserts ``rows_read = messages +
rejected`` per file and in total, one row error per rejected row with file,
line and reason, and no traceback anywhere in stdout or stderr.

The runner passes ``color=True`` to click so that click does not strip escape
sequences on its own: what the tests see is what a terminal would get.

Cases marked ``xfail`` document an outcome that needs a change outside the
readers and the text pipeline (the CLI, the reporters, the engine); their
reasons say which.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import random
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cslint import stream_parallel
from cslint.cli import main

# ---- the table's vocabulary --------------------------------------------------------------


@dataclass(frozen=True)
class Err:
    """An expected input error: the file's name ends with ``file``, at ``line``,
    and the reason contains ``reason``."""

    file: str
    line: int
    reason: str


@dataclass
class Run:
    """What one CLI run gave."""

    code: int
    stdout: str
    stderr: str
    exception: BaseException | None
    folder: Path
    seconds: float
    doc: dict[str, Any] | None = None  # the JSON document (the run itself, or a -f json rerun)


@dataclass(frozen=True)
class Case:
    """One catalogue entry.

    ``build`` writes the input under the case's folder and returns the
    command line after ``cslint``. ``counts`` is ``(rows_read, messages,
    rejected)`` from the summary, or ``None`` when no file is read (a config
    error stops the run first). ``errors`` is the exact list of input errors
    (order free). ``stderr`` holds pieces stderr must contain. ``check`` makes
    the case's own assertions.
    """

    name: str
    build: Callable[[Path], Sequence[str]]
    exit_code: int
    outcome: str
    errors: tuple[Err, ...] = ()
    counts: tuple[int, int, int] | None = (0, 0, 0)
    stderr: tuple[str, ...] = ()
    check: Callable[[Run], None] | None = None
    skip: Callable[[], str | None] | None = None
    xfail: str | None = None
    group: str = "issue"
    stdout_empty: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# ---- builders ----------------------------------------------------------------------------

HEADER = "time,buyer,sender,text\n"
AGENT = "美动态旗舰店:小花"
RNG = random.Random(20240105)
BINARY = bytes(RNG.randrange(256) for _ in range(8192))


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def files(name: str, data: str | bytes, *args: str, encoding: str = "utf-8") -> Callable:
    """A builder for one file, checked with ``-f json`` and ``args``."""

    def build(folder: Path) -> list[str]:
        write(folder, name, data, encoding)
        return ["check", name, "--isolated", "-f", "json", *args]

    return build


def csv_text(rows: Sequence[Sequence[str]], eol: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows(rows)
    return buf.getvalue()


def chat_rows(n: int, buyer: str = "tb_buyer01") -> list[list[str]]:
    """``n`` good rows of one conversation, a few seconds apart."""
    texts = ("在吗", "亲，您好，在的呢/:^_^", "这款有货吗", "有的哦，今天下单今天发货呢/:^_^")
    out = []
    for i in range(n):
        sender = AGENT if i % 2 else buyer
        out.append([f"2024-01-05 09:00:{i * 3:02d}", buyer, sender, texts[i % len(texts)]])
    return out


def ruleset_case(name: str, body: str, reason: str, line: int) -> Case:
    head = '[[rule]]\ncode = "X001"\nname = "x"\nmessage = "m"\n'

    def build(folder: Path) -> list[str]:
        write(folder, "rules.toml", head + body)
        write(folder, "shop.toml", 'extends = ["default", "rules.toml"]\n')
        write(folder, "a.csv", HEADER + csv_text(chat_rows(2)))
        return ["check", "a.csv", "--isolated", "--config", "shop.toml", "-f", "json"]

    return Case(
        name,
        build,
        2,
        f"the ruleset is refused before any file is read: exit 2, `rules.toml:{line}: rule X001: …`",
        counts=None,
        stderr=(f"rules.toml:{line}:", reason),
        stdout_empty=True,
    )


def catastrophic(pattern: str, slug: str) -> Case:
    body = f'kind = "phrase"\nphrases = ["占位"]\npatterns = [\'{pattern}\']\n'
    case = ruleset_case(f"ruleset-regex-{slug}", body, "pattern", 7)
    return Case(
        case.name,
        case.build,
        2,
        f"`{pattern}` is refused at load time with the ruleset's file and line (exit 2): "
        "its backtracking grows exponentially (or as n**3 and worse) with the text",
        counts=None,
        stderr=("rules.toml:7:", "can hang on long text"),
        stdout_empty=True,
    )


def eight_rows_two_bad(folder: Path) -> list[str]:
    rows = [["time", "buyer", "sender", "text"], *chat_rows(8)]
    rows[3][0] = "2024-01-05 25:00:00"  # line 4: impossible timestamp
    rows[6][1] = "  "  # line 7: empty buyer
    write(folder, "eight.csv", csv_text(rows))
    return ["check", "eight.csv", "--isolated", "-f", "json"]


def four_million(folder: Path) -> list[str]:
    rows = [
        ["time", "buyer", "sender", "text"],
        ["2024-01-05 09:00:00", "tb_big", "tb_big", "在吗"],
        ["2024-01-05 09:00:03", "tb_big", AGENT, "亲，我也不知道" + "话" * 4_000_000],
        ["2024-01-05 09:00:09", "tb_big", AGENT, "感谢您的光临，有问题随时联系哦/:^_^"],
    ]
    write(folder, "big.csv", csv_text(rows))
    return ["check", "big.csv", "--isolated", "-f", "json"]


def check_four_million(run: Run) -> None:
    assert run.seconds < 60, run.seconds
    assert len(run.stdout) < 30_000_000  # a few violations quote it, nothing explodes


def hostile_findings(folder: Path) -> list[str]:
    # every 8 characters a sentence with two findings: 1,200 findings in one message
    text = "不行的亲，你看。" * 600
    rows = [
        ["time", "buyer", "sender", "text"],
        ["2024-01-05 09:00:00", "tb_b", "tb_b", "在吗"],
        ["2024-01-05 09:00:03", "tb_b", AGENT, text],
    ]
    write(folder, "many.csv", csv_text(rows))
    return ["check", "many.csv", "--isolated", "-f", "json"]


def check_hostile_findings(run: Run) -> None:
    assert run.seconds < 20, run.seconds
    # each violation must not carry the whole 4,800-character message again (today: 5.8 MB;
    # a 4M-character message with a finding per sentence would print terabytes)
    assert len(run.stdout) < 1_000_000, len(run.stdout)


def mixed_line_ends(folder: Path) -> list[str]:
    data = (
        "time,buyer,sender,text\r\n"
        "2024-01-05 09:00:00,b,b,在吗\n"
        '2024-01-05 09:00:03,b,店:甲,"亲，\r\n在的"\r'  # a quoted cell over a CRLF, then a lone CR
        "2024-01-05 09:00:60,b,b,坏时间\n"  # physical line 5
        "2024-01-05 09:00:09,b,店:甲,好的亲/:^_^\r\n"
    )
    write(folder, "mixed.csv", data)
    return ["check", "mixed.csv", "--isolated", "-f", "json"]


def mixed_qianniu(folder: Path) -> list[str]:
    data = (
        "tb_buyer 2024-1-5 9:00:00\r\n在吗\n"
        f"{AGENT} 2024-1-5 9:00:03\r亲，您好\r\n第二行\n"
        "tb_buyer 2024-2-30 9:00:09\r\n坏日期\r\n"  # header on line 6
        f"{AGENT} 2024-1-5 9:00:12\n好的亲/:^_^"
    )
    write(folder, "tb_buyer.txt", data, "gb18030")
    return ["check", "tb_buyer.txt", "--isolated", "-f", "json"]


def utf16_csv(folder: Path) -> list[str]:
    text = "时间,买家,发送人,内容\r\n" + csv_text(chat_rows(4), eol="\r\n")
    write(folder, "u16.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return ["check", "u16.csv", "--isolated", "-f", "json"]


def utf16be_qianniu(folder: Path) -> list[str]:
    text = f"tb_b 2024-1-5 9:00:00\r\n在吗\r\n{AGENT} 2024-1-5 9:00:03\r\n亲，您好/:^_^\r\n"
    write(folder, "tb_b.txt", codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    return ["check", "tb_b.txt", "--isolated", "-f", "json"]


def check_encoding(expected: str) -> Callable[[Run], None]:
    def check(run: Run) -> None:
        assert run.doc is not None
        assert run.doc["summary"]["per_file"][0]["encoding"] == expected

    return check


def gb18030_truncated(folder: Path) -> list[str]:
    text = "时间,买家,发送人,内容\n" + csv_text(chat_rows(3)).rstrip("\n")
    write(folder, "t.csv", text.encode("gb18030")[:-1])  # the last 呢 loses its second byte
    return ["check", "t.csv", "--isolated", "-f", "json"]


def unbalanced_quote(folder: Path) -> list[str]:
    rows = chat_rows(4)
    body = csv_text(rows[:2]) + '2024-01-05 09:00:06,tb_buyer01,tb_buyer01,"这款有货吗\n'
    body += csv_text(rows[3:])
    write(folder, "q.csv", HEADER + body)
    return ["check", "q.csv", "--isolated", "-f", "json"]


def broken_jsonl(folder: Path) -> list[str]:
    good = [dict(zip(("time", "buyer", "sender", "text"), r, strict=True)) for r in chat_rows(3)]
    lines = [json.dumps(good[0], ensure_ascii=False), '{"time": "2024-01-05 09:00:03", "buyer": ']
    lines += [json.dumps(g, ensure_ascii=False) for g in good[1:]]
    write(folder, "x.jsonl", "\n".join(lines) + "\n")
    return ["check", "x.jsonl", "--isolated", "-f", "json"]


def zip_not_xlsx(folder: Path) -> list[str]:
    with zipfile.ZipFile(folder / "z.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("readme.txt", "not a workbook")
    return ["check", "z.xlsx", "--isolated", "-f", "json"]


def missing_beside_good(folder: Path) -> list[str]:
    write(folder, "good.csv", HEADER + csv_text(chat_rows(2)))
    return ["check", "missing.csv", "good.csv", "--isolated", "-f", "json"]


def folder_without_exports(folder: Path) -> list[str]:
    write(folder, "logs/notes.md", "# notes\n")
    write(folder, "logs/photo.png", b"\x89PNG\r\n\x1a\n" + BINARY[:64])
    write(folder, "logs/.hidden.csv", HEADER + csv_text(chat_rows(2)))
    write(folder, "logs/~$book.xlsx", BINARY[:64])
    (folder / "logs" / "empty-sub").mkdir()
    return ["check", "logs", "--isolated", "-f", "json"]


def broken_config(folder: Path) -> list[str]:
    write(folder, "a.csv", HEADER + csv_text(chat_rows(2)))
    write(folder, "broken.toml", "ignore = [\"W004\"]\n[shop\nnames = ['x']\n")
    return ["check", "a.csv", "--config", "broken.toml", "-f", "json"]


def broken_found_config(folder: Path) -> list[str]:
    write(folder, "logs/a.csv", HEADER + csv_text(chat_rows(2)))
    write(folder, "cslint.toml", "session_gap_s = \n")
    return ["check", "logs", "-f", "json"]


def formula_injection(folder: Path) -> list[str]:
    rows = [
        ["time", "buyer", "sender", "text"],
        ["2024-01-05 09:00:00", "=1+1", "=1+1", "在吗"],
        ["2024-01-05 09:00:03", "=1+1", "+店:甲", '=HYPERLINK("http://evil","不行")'],
        ["2024-01-05 09:00:04", "@SUM(A1)", "@SUM(A1)", "hi"],
        ["2024-01-05 09:00:09", "@SUM(A1)", "-店:乙", "-2+3 我也不知道"],
        ["2024-01-05 09:00:10", "@SUM(A1)", "-店:乙", "\t=cmd|' /C calc'!A0 不行"],
    ]
    write(folder, "=evil.csv", csv_text(rows))
    return ["check", "=evil.csv", "--isolated", "-f", "csv"]


def check_formula_cells(run: Run) -> None:
    document = run.stdout.removeprefix("\ufeff")
    table = list(csv.reader(io.StringIO(document)))
    assert len(table) > 3, document
    header, *body = table
    cells = [cell for row in body for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], body
    text = header.index("text")
    assert any(row[text].startswith("'=HYPERLINK") for row in body)
    assert any(row[header.index("agent")] == "'+店:甲" for row in body)
    assert any(row[header.index("file")] == "'=evil.csv" for row in body)


ESC_TEXT = "\x1b[31m不行\x1b[0m\x1b]0;pwned\x07\x1b[2J"


def ansi_messages(folder: Path) -> list[str]:
    rows = [
        ["time", "buyer", "sender", "text"],
        ["2024-01-05 09:00:00", "tb\x1b[1mb", "tb\x1b[1mb", "在吗\x1b[5m"],
        ["2024-01-05 09:00:03", "tb\x1b[1mb", "店:\x1b]0;x\x07甲", ESC_TEXT],
        ["\x1b[2J2024", "tb\x1b[1mb", "tb\x1b[1mb", "bad time"],
    ]
    write(folder, "ansi.csv", csv_text(rows))
    return ["check", "ansi.csv", "--isolated", "--no-color"]


def check_no_raw_escapes(run: Run) -> None:
    for stream in (run.stdout, run.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream
    assert "ansi.csv:4:" in run.stdout  # the bad row is still reported, neutralised
    assert "W001" in run.stdout


def ansi_json_stderr(folder: Path) -> list[str]:
    ansi_messages(folder)
    return ["check", "ansi.csv", "--isolated", "-f", "json"]


def check_stderr_escapes(run: Run) -> None:
    assert "ansi.csv:4:" in run.stderr
    assert "\x1b" not in run.stderr, run.stderr


def ansi_file_name(folder: Path) -> list[str]:
    write(folder, "logs/\x1b[2Jred.csv", HEADER + "2024-01-05 09:00:03,b,店:甲,不行\nbad,b,b,x\n")
    return ["check", "logs", "--isolated", "--no-color"]


def check_file_name_escapes(run: Run) -> None:
    assert "red.csv:2:" in run.stdout
    assert "\x1b" not in run.stdout + run.stderr


def qianniu_headers_only(folder: Path) -> list[str]:
    lines = []
    for i in range(100_000):
        nick = AGENT if i % 2 else "tb_buyer"
        lines.append(
            f"{nick} 2024-1-{5 + i // 40_000} {i // 3600 % 24}:{i // 60 % 60:02d}:{i % 60:02d}"
        )
    write(folder, "tb_buyer.txt", "\r\n".join(lines) + "\r\n")
    return ["check", "tb_buyer.txt", "--isolated", "-f", "json"]


def ten_mb_line(folder: Path) -> list[str]:
    write(folder, "one.csv", "话说" * 1_750_000)  # 10.5 MB of UTF-8, no line end, no comma
    return ["check", "one.csv", "--isolated", "-f", "json"]


def deep_json(folder: Path) -> list[str]:
    good = '{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"在吗"}'
    deep_value = '{"time":"2024-01-05 09:00:01","buyer":"b","sender":"b","text":'
    deep_value += "[" * 100_000 + "]" * 100_000 + "}"
    deep_array = "[" * 200_000
    write(folder, "deep.jsonl", "\n".join([good, deep_value, deep_array]) + "\n")
    return ["check", "deep.jsonl", "--isolated", "-f", "json"]


def nul_in_csv(folder: Path) -> list[str]:
    rows = csv_text(chat_rows(4))
    lines = rows.splitlines(keepends=True)
    lines[1] = lines[1].replace("您好", "您\x00\x00好")  # line 3 of the file
    write(folder, "nul.csv", HEADER + "".join(lines))
    return ["check", "nul.csv", "--isolated", "-f", "json"]


def symlink_loops(folder: Path) -> list[str]:
    logs = folder / "logs"
    write(folder, "logs/a.csv", HEADER + csv_text(chat_rows(2)))
    (logs / "sub").mkdir()
    os.symlink("..", logs / "sub" / "up")  # a folder loop: symlinked folders are not followed
    os.symlink("y.csv", logs / "x.csv")  # a file loop x -> y -> x
    os.symlink("x.csv", logs / "y.csv")
    os.symlink("gone.csv", logs / "dangling.csv")
    return ["check", "logs", "--isolated", "-f", "json"]


def unreadable(folder: Path) -> list[str]:
    path = write(folder, "locked.csv", HEADER + csv_text(chat_rows(2)))
    path.chmod(0)
    write(folder, "open.csv", HEADER + csv_text(chat_rows(2, buyer="tb_other")))
    return ["check", "locked.csv", "open.csv", "--isolated", "-f", "json"]


def running_as_root() -> str | None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return "root reads files whatever their permissions"
    if os.name != "posix":
        return "POSIX permissions"
    return None


def no_symlinks() -> str | None:
    return None if hasattr(os, "symlink") and os.name == "posix" else "needs POSIX symlinks"


def output_missing_folder(folder: Path) -> list[str]:
    write(folder, "a.csv", HEADER + csv_text(chat_rows(2)))
    return ["check", "a.csv", "--isolated", "-f", "json", "-o", "no/such/folder/report.json"]


def check_no_folder_created(run: Run) -> None:
    assert not (run.folder / "no").exists()
    assert sorted(p.name for p in run.folder.iterdir()) == ["a.csv"]


GOOD_CSV = HEADER + csv_text(chat_rows(4))


def output_onto_input(folder: Path) -> list[str]:
    write(folder, "a.csv", GOOD_CSV)
    return ["check", "a.csv", "--isolated", "-f", "json", "-o", "a.csv"]


def check_input_untouched(run: Run) -> None:
    assert (run.folder / "a.csv").read_text(encoding="utf-8") == GOOD_CSV
    assert "would overwrite an input file" in run.stderr


# ---- the catalogue -----------------------------------------------------------------------

NOT_XLSX = "not a valid .xlsx workbook"
CATALOGUE: list[Case] = [
    # -- binary files under each input extension
    *[
        Case(
            f"binary{ext}",
            files(f"bin{ext}", BINARY),
            2,
            "the whole file is one input error at line 0; nothing is counted as a row",
            errors=(Err(f"bin{ext}", 0, NOT_XLSX if ext == ".xlsx" else "binary file"),),
        )
        for ext in (".csv", ".jsonl", ".txt", ".xlsx")
    ],
    # -- empty and whitespace-only files
    Case("empty.csv", files("e.csv", b""), 2, "`empty file` (an export with nothing in it)",
         errors=(Err("e.csv", 0, "empty file"),)),
    Case("whitespace.jsonl", files("w.jsonl", b"  \r\n\t\n\n"), 2, "`empty file`",
         errors=(Err("w.jsonl", 0, "empty file"),)),
    Case("bom-and-blank.txt", files("w.txt", "\ufeff \r\n\u3000\n".encode()), 2, "`empty file`",
         errors=(Err("w.txt", 0, "empty file"),)),
    Case("empty.xlsx", files("e.xlsx", b""), 2, "`empty file`",
         errors=(Err("e.xlsx", 0, "empty file"),)),
    # -- a 4-million-character message
    Case("four-million-character-message", four_million, 1,
         "one message like any other, checked in seconds (each sentence is capped at 512 "
         "characters for the matchers); violations found, so exit 1",
         counts=(3, 3, 0), check=check_four_million),
    # -- lines without a newline at the end of the file
    Case("no-final-newline.csv", files("n.csv", (HEADER + csv_text(chat_rows(3))).rstrip("\n")),
         1, "the last row is read like the others", counts=(3, 3, 0)),
    Case("no-final-newline.jsonl",
         files("n.jsonl", '{"time":"2024-01-05 09:00:00","buyer":"b","sender":"b","text":"在吗"}\n'
               '{"time":"2024-01-05 09:00:03","buyer":"b","sender":"店:甲","text":"亲，您好/:^_^"}'),
         1, "the last line is read like the others", counts=(2, 2, 0)),
    Case("no-final-newline-qianniu.txt",
         files("tb_b.txt", f"tb_b 2024-1-5 9:00:00\n在吗\n{AGENT} 2024-1-5 9:00:03\n亲，您好/:^_^"),
         1, "the last message keeps its last line", counts=(2, 2, 0)),
    # -- mixed CRLF / LF (and a lone CR)
    Case("mixed-line-ends.csv", mixed_line_ends, 2,
         "CRLF, LF and lone CR all end a line; the bad row is reported at its physical line 5",
         errors=(Err("mixed.csv", 5, "impossible timestamp"),), counts=(4, 3, 1)),
    Case("mixed-line-ends-qianniu.txt", mixed_qianniu, 2,
         "GB18030 Qianniu text with CRLF, LF and CR: the impossible date is reported at line 6",
         errors=(Err("tb_buyer.txt", 6, "impossible timestamp '2024-2-30 9:00:09'"),),
         counts=(4, 3, 1)),
    # -- UTF-16 with BOM
    Case("utf-16-le-bom.csv", utf16_csv, 1,
         "read as UTF-16 (Excel's \"Unicode text\"), Chinese headers and CRLF included",
         counts=(4, 4, 0), check=check_encoding("utf-16-le")),
    Case("utf-16-without-bom.csv",
         files("nobom.csv", (HEADER + csv_text(chat_rows(2))).encode("utf-16-le")), 2,
         "UTF-16 without a BOM cannot be told from binary: `binary file`, never a silent guess",
         errors=(Err("nobom.csv", 0, "binary file"),)),
    Case("utf-16-be-bom-qianniu.txt", utf16be_qianniu, 1, "read as UTF-16 big-endian",
         counts=(2, 2, 0), check=check_encoding("utf-16-be")),
    # -- GB18030 truncated in the middle of a character
    Case("gb18030-truncated.csv", gb18030_truncated, 2,
         "the row holding the cut character is rejected, the others are read",
         errors=(Err("t.csv", 4, "ends in the middle of a GB18030 character"),),
         counts=(3, 2, 1)),
    # -- CSV with an unbalanced quote
    Case("unbalanced-quote.csv", unbalanced_quote, 2,
         "the row whose quote never closes is rejected at the line it opens; the rows after "
         "it are still read",
         errors=(Err("q.csv", 4, "unbalanced quote"),), counts=(4, 3, 1)),
    # -- JSONL with a broken line
    Case("broken-line.jsonl", broken_jsonl, 2,
         "the broken line is rejected with the parser's reason, the others are read",
         errors=(Err("x.jsonl", 2, "invalid JSON"),), counts=(4, 3, 1)),
    # -- xlsx that is really a zip of something else
    Case("zip-of-something-else.xlsx", zip_not_xlsx, 2, "a file-level error, no traceback",
         errors=(Err("z.xlsx", 0, NOT_XLSX),)),
    # -- a path that does not exist
    Case("missing-path", lambda f: ["check", "missing.csv", "--isolated", "-f", "json"], 2,
         "`missing.csv:0: no such file or directory`, exit 2",
         errors=(Err("missing.csv", 0, "no such file or directory"),)),
    Case("missing-path-beside-a-good-file", missing_beside_good, 2,
         "the good file is still checked; exit 2 for the missing one",
         errors=(Err("missing.csv", 0, "no such file or directory"),), counts=(2, 2, 0)),
    # -- a folder with no readable file
    Case("folder-without-exports", folder_without_exports, 2,
         "hidden files, Excel lock files and other extensions are skipped: "
         "`no chat export found in folder`",
         errors=(Err("logs", 0, "no chat export found in folder"),)),
    # -- a config with a TOML error
    Case("config-toml-error", broken_config, 2,
         "stops before reading: exit 2 naming the file and line, nothing on stdout",
         counts=None, stderr=("broken.toml:2:", "TOML syntax error"), stdout_empty=True),
    Case("found-config-toml-error", broken_found_config, 2,
         "the cslint.toml found walking up is broken: exit 2 naming it",
         counts=None, stderr=("cslint.toml:1:", "TOML syntax error"), stdout_empty=True),
    # -- a ruleset with an unknown kind or a catastrophic regular expression
    ruleset_case("ruleset-unknown-kind", 'kind = "telepathy"\nphrases = ["a"]\n',
                 "unknown kind 'telepathy'", 5),
    *[
        catastrophic(pattern, slug)
        for pattern, slug in (
            (r"(a+)+$", "nested-plus"),
            (r"(a|aa)+$", "overlapping-alternatives"),
            (r"(a|a)*b", "identical-alternatives"),
            (r"(.*a){20}", "repeated-dot-star"),
            (r"(\w+\s?)+$", "words-and-spaces"),
            (r"(x+x+)+y", "double-plus"),
            (r"\s*\s*\s*x", "cubic-chain"),
            (r"加.*微信.*号", "cubic-dot-stars"),
        )
    ],
    # -- the reconciled figures QA will check by hand
    Case("eight-rows-two-bad.csv", eight_rows_two_bad, 2,
         "rows_read 8, messages 6, rejected 2; both bad rows listed with file, line, reason",
         errors=(Err("eight.csv", 4, "impossible timestamp"), Err("eight.csv", 7, "empty buyer")),
         counts=(8, 6, 2)),
    # ---- hostile ------------------------------------------------------------------------
    Case("formula-injection", formula_injection, 1,
         "`-f csv`: every cell starting with = + - @ (or a tab) gets a leading ' (text, buyer, "
         "agent, shop, session, file name)", counts=(5, 5, 0), group="hostile",
         check=check_formula_cells),
    Case("ansi-escapes-text-output", ansi_messages, 2,
         "text output shows escape and control characters as U+FFFD: the terminal is never "
         "driven by chat content", group="hostile", check=check_no_raw_escapes,
         errors=(Err("ansi.csv", 4, "bad timestamp"),), counts=(3, 2, 1)),
    Case("ansi-escapes-on-stderr", ansi_json_stderr, 2,
         "input errors echoed on stderr (-f json) neutralise escapes too",
         errors=(Err("ansi.csv", 4, "bad timestamp"),), counts=(3, 2, 1), group="hostile",
         check=check_stderr_escapes),
    Case("ansi-escapes-in-a-file-name", ansi_file_name, 2,
         "a file name carrying an escape sequence is printed neutralised",
         errors=(Err("red.csv", 3, "bad timestamp 'bad'"),), counts=(2, 1, 1),
         group="hostile", check=check_file_name_escapes,
         skip=no_symlinks),
    Case("qianniu-100k-headers-only", qianniu_headers_only, 1,
         "100,000 messages with empty text (pictures that did not copy), read in seconds",
         counts=(100_000, 100_000, 0), group="hostile"),
    Case("ten-megabyte-single-line.csv", ten_mb_line, 2,
         "one 10 MB line with no column names: `missing column(s)` at line 1, in well under "
         "a second", errors=(Err("one.csv", 1, "missing column(s): time, buyer, sender, text"),),
         group="hostile"),
    Case("deeply-nested-json", deep_json, 2,
         "100,000 nested brackets are a rejected row (`nested too deeply`), not a crash",
         errors=(Err("deep.jsonl", 2, "nested too deeply"), Err("deep.jsonl", 3, "nested too deeply")),
         counts=(3, 1, 2), group="hostile"),
    Case("nul-bytes-in-csv", nul_in_csv, 2,
         "a stray NUL rejects its row only (`binary data in the line`); many NULs make the "
         "file binary", errors=(Err("nul.csv", 3, "binary data in the line (NUL bytes)"),),
         counts=(4, 3, 1), group="hostile"),
    Case("nul-bytes-everywhere.csv",
         files("nuls.csv", (HEADER + csv_text(chat_rows(6))).replace("\n", "\x00\n")), 2,
         "NUL bytes on most lines: the file is binary, one file-level error",
         errors=(Err("nuls.csv", 0, "binary file"),), group="hostile"),
    Case("symlink-loops", symlink_loops, 2,
         "a folder link back to its parent is not followed; file links in a loop and a "
         "dangling link are reported; the real file is read",
         errors=(Err("x.csv", 0, "too many levels of symbolic links"),
                 Err("y.csv", 0, "too many levels of symbolic links"),
                 Err("dangling.csv", 0, "broken symbolic link")),
         counts=(2, 2, 0), group="hostile", skip=no_symlinks),
    Case("unreadable-file", unreadable, 2,
         "`cannot read file: permission denied`; the other file is checked",
         errors=(Err("locked.csv", 0, "permission denied"),), counts=(2, 2, 0),
         group="hostile", skip=running_as_root),
    Case("output-into-missing-folder", output_missing_folder, 2,
         "exit 2: `cannot write …: folder … does not exist`; no folder is created, nothing on "
         "stdout", counts=None, stderr=("does not exist", "no/such/folder"), stdout_empty=True,
         group="hostile", check=check_no_folder_created),
    Case("output-onto-the-input-file", output_onto_input, 2,
         "refused before anything is read or written: exit 2, `would overwrite an input file`",
         counts=None, stdout_empty=True, group="hostile", check=check_input_untouched),
    Case("a-finding-in-every-sentence", hostile_findings, 1,
         "1,200 findings in one 4,800-character message: the output stays small because a "
         "violation of a message over 1,000 characters carries a window of ±60 characters "
         "around its span (`text_start`, `text_length` say where), not the whole message", counts=(2, 2, 0), group="hostile",
         check=check_hostile_findings),
]  # fmt: skip


# ---- running -----------------------------------------------------------------------------


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def invoke(args: Sequence[str], folder: Path) -> Run:
    runner = CliRunner()
    start = time.perf_counter()
    with inside(folder):
        result = runner.invoke(main, list(args), color=True)
    seconds = time.perf_counter() - start
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Run(result.exit_code, result.stdout, result.stderr, exception, folder, seconds)


def json_args(args: Sequence[str]) -> list[str]:
    """The same command with ``-f json`` and no ``-o``: for the reconciliation check."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-f", "-o", "--output", "--format"):
            skip = True
            continue
        if arg in ("--statistics", "--no-color"):
            continue
        out.append(arg)
    return [*out, "-f", "json"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Run]:
    cache: dict[str, Run] = {}

    def run(case: Case) -> Run:
        if case.name not in cache:
            folder = tmp_path_factory.mktemp(re.sub(r"[^\w.-]", "_", case.name))
            args = list(case.build(folder))
            result = invoke(args, folder)
            fmt = args[args.index("-f") + 1] if "-f" in args else "text"
            writes = "-o" in args or "--output" in args
            if fmt == "json" and not writes and result.stdout.strip():
                result.doc = json.loads(result.stdout)
            elif case.counts is not None:  # the same input again, as JSON, to reconcile
                result.doc = json.loads(invoke(json_args(args), folder).stdout)
            cache[case.name] = result
        return cache[case.name]

    return run


def skip_reason(case: Case) -> str | None:
    return case.skip() if case.skip is not None else None


def params() -> list[Any]:
    out = []
    for case in CATALOGUE:
        marks = []
        if case.xfail:
            marks.append(pytest.mark.xfail(reason=case.xfail, strict=False))
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def assert_no_traceback(run: Run) -> None:
    assert run.exception is None, repr(run.exception)
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream and 'File "' not in stream, stream[-2000:]


def match_errors(actual: list[dict[str, Any]], expected: Sequence[Err]) -> None:
    left = list(actual)
    for want in expected:
        found = next(
            (
                e
                for e in left
                if e["file"].endswith(want.file)
                and e["line"] == want.line
                and want.reason in e["reason"]
            ),
            None,
        )
        assert found is not None, f"{want} not in {left}"
        left.remove(found)
    assert not left, f"unexpected input errors: {left}"


@pytest.mark.parametrize("case", params())
def test_case(case: Case, runs: Callable[[Case], Run]) -> None:
    reason = skip_reason(case)
    if reason:
        pytest.skip(reason)
    run = runs(case)
    assert_no_traceback(run)
    assert run.code == case.exit_code, (run.code, run.stdout[-1500:], run.stderr[-1500:])
    for piece in case.stderr:
        assert piece in run.stderr, run.stderr
    if case.stdout_empty:
        assert run.stdout == "", run.stdout[:500]
    if case.counts is not None:
        assert run.doc is not None, "no JSON document"
        summary = run.doc["summary"]
        assert (summary["rows_read"], summary["messages"], summary["rejected"]) == case.counts
        match_errors(run.doc["input_errors"], case.errors)
    if case.check is not None:
        case.check(run)


# ---- what holds over the whole catalogue -------------------------------------------------


def reconcile(doc: dict[str, Any]) -> None:
    summary = doc["summary"]
    per_file = summary["per_file"]
    assert summary["rows_read"] == summary["messages"] + summary["rejected"]
    for key in ("rows_read", "messages", "rejected"):
        assert summary[key] == sum(f[key] for f in per_file), key
    for f in per_file:
        assert f["rows_read"] == f["messages"] + f["rejected"], f
    assert summary["files"] == len(per_file)
    assert summary["files_failed"] == sum(1 for f in per_file if f["failed"])
    assert summary["input_errors"] == len(doc["input_errors"])
    by_file = {f["file"]: f for f in per_file}
    rows: Counter[str] = Counter()
    whole: Counter[str] = Counter()
    for e in doc["input_errors"]:
        assert set(e) >= {"file", "line", "reason"}, e
        assert isinstance(e["line"], int) and e["line"] >= 0, e
        assert isinstance(e["reason"], str) and e["reason"].strip(), e
        name = e["file"]
        if name not in by_file:  # a sheet of a workbook: book.xlsx[Sheet2]
            name = re.sub(r"\[[^\]]*\]$", "", name)
        f = by_file.get(name)
        if f is None:  # a path that gave no file at all: missing, empty folder, link
            assert e["line"] == 0, e
        elif f["failed"]:
            whole[name] += 1
        else:
            assert e["line"] >= 1, e
            rows[name] += 1
    for name, f in by_file.items():
        if f["failed"]:
            assert whole[name] == 1 and f["rows_read"] == 0 and rows[name] == 0, f
        else:
            assert rows[name] == f["rejected"] and whole[name] == 0, f
    assert sum(rows.values()) == summary["rejected"]


def test_catalogue_reconciles(runs: Callable[[Case], Run]) -> None:
    checked = 0
    for case in CATALOGUE:
        if skip_reason(case):
            continue
        run = runs(case)
        assert_no_traceback(run)
        if run.doc is not None:
            reconcile(run.doc)
            checked += 1
        elif case.counts is not None and not case.xfail:
            pytest.fail(f"{case.name}: no JSON document to reconcile")
    assert checked >= 30


def test_catalogue_covers_the_issue() -> None:
    names = " ".join(c.name for c in CATALOGUE)
    for needed in (
        "binary.csv", "binary.jsonl", "binary.txt", "binary.xlsx", "empty", "whitespace",
        "four-million", "no-final-newline", "mixed-line-ends", "utf-16", "gb18030-truncated",
        "unbalanced-quote", "broken-line.jsonl", "zip-of-something-else", "missing-path",
        "folder-without-exports", "config-toml-error", "ruleset-unknown-kind",
        "ruleset-regex", "eight-rows-two-bad", "formula-injection", "ansi-escapes",
        "qianniu-100k", "ten-megabyte", "deeply-nested", "nul-bytes", "symlink-loop",
        "unreadable", "output-into-missing-folder", "output-onto-the-input-file",
    ):  # fmt: skip
        assert needed in names, needed
    assert len({c.name for c in CATALOGUE}) == len(CATALOGUE)
    assert all(c.outcome for c in CATALOGUE)


def test_catalogue_reports_the_same_with_workers(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every case that reconciles gives the same document when two workers
    share the rows (each rejected row reported by exactly one of them)."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("workers are forked")
    monkeypatch.setattr(stream_parallel, "MIN_BYTES_PER_JOB", 1)  # workers even for tiny input
    compared = 0
    for case in CATALOGUE:
        if skip_reason(case) or case.counts is None or case.xfail:
            continue
        folder = tmp_path_factory.mktemp(re.sub(r"[^\w.-]", "_", case.name) + "-jobs")
        args = json_args(list(case.build(folder)))
        if args[0] != "check":
            continue
        one = invoke([*args, "--jobs", "1"], folder)
        two = invoke([*args, "--jobs", "2"], folder)
        assert two.exception is None, (case.name, repr(two.exception))
        assert (two.code, two.stdout) == (one.code, one.stdout), case.name
        compared += 1
    assert compared >= 15, compared
