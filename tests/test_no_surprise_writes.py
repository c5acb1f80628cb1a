"""No surprise writes: cslint reads its inputs and writes only what it is asked to.

Every command that reads chat exports, configs, rulesets or phrase libraries
(``check``, ``report``, ``rules``, ``rule``, ``config``, ``phrases`` without
``--fix``, ``phrases --diff``) is run through the real CLI against a folder
holding every input format, and the folder is compared before and after:
every file's ``(mtime_ns, size, sha256)`` and the full listing (hidden files
included), so a stray ``.tmp``, a lock file or a touched export shows. The
working folder and the output folder hold exactly the requested report and
nothing else. ``phrases --fix`` is the one command that rewrites an input, and
only the library it fixes.

An output write that fails (disk full while flushing, the target locked by
Excel on Windows so the final rename fails) must leave the previous report
intact and no temporary file behind, and the CLI must say so with exit 2.
``tests/test_output.py`` covers :func:`cslint.output.write_atomic` itself; this
file covers the commands that use it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint import output as output_module
from cslint.cli import main

AGENT = "美动态旗舰店:小花"
CSV = (
    "time,buyer,sender,text\n"
    "2025-03-03 10:00:00,tb_a,tb_a,能开发票吗\n"
    f"2025-03-03 10:00:03,tb_a,{AGENT},亲，特价商品是没有发票的哦/:^_^\n"
    "2025-03-03 10:00:09,tb_a,tb_a,电话13812345678\n"
    "bad,tb_a,tb_a,坏时间\n"
)
JSONL = (
    '{"time":"2025-03-03 11:00:00","buyer":"tb_b","sender":"tb_b","text":"在吗"}\n'
    f'{{"time":"2025-03-03 11:00:20","buyer":"tb_b","sender":"{AGENT}","text":"不行"}}\n'
)
QIANNIU = f"tb_c 2025-3-3 12:00:00\r\n在吗\r\n{AGENT} 2025-3-3 12:00:30\r\n我也不知道\r\n"
LIBRARY = "# 快捷短语\n亲，您好，很高兴为您服务/:^_^\n不行的亲\n你自己看吧\n"
PHRASES_CSV = "\ufeff分组,快捷短语\n售后,不能退哦\n售前,亲，在的呢/:^_^\n"
CONFIG = '[shop]\nnames = ["美动态旗舰店"]\n[rules.W001]\nadd_phrases = ["不归我们管"]\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A working folder: ``logs/`` (every format), ``lib/`` (phrase libraries), a config."""
    logs = tmp_path / "logs"
    (logs / "week").mkdir(parents=True)
    (logs / "week" / "a.csv").write_text(CSV, encoding="utf-8")
    (logs / "week" / "b.jsonl").write_text(JSONL, encoding="utf-8")
    (logs / "tb_c.txt").write_bytes(QIANNIU.encode("gb18030"))
    (logs / ".hidden.csv").write_text(CSV, encoding="utf-8")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["时间", "买家", "发送人", "内容"])
    book.active.append([datetime(2025, 3, 3, 13, 0), "tb_d", "tb_d", "在吗"])
    book.active.append([datetime(2025, 3, 3, 13, 0, 5), "tb_d", AGENT, "亲，在的呢"])
    book.save(logs / "d.xlsx")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "phrases.txt").write_text(LIBRARY, encoding="utf-8")
    (lib / "phrases.csv").write_text(PHRASES_CSV, encoding="utf-8")
    (tmp_path / "cslint.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "out").mkdir()
    # make every mtime distinct from "now": a rewrite with the same bytes still shows
    for path in tmp_path.rglob("*"):
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return tmp_path


Snapshot = dict[str, tuple[str, int, int, str]]


def snapshot(root: Path) -> Snapshot:
    """Every entry under ``root``: kind, mode, and for files size, mtime_ns and sha256."""
    found: Snapshot = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        rel = path.relative_to(root).as_posix()
        if stat.S_ISREG(st.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[rel] = ("file", st.st_size, st.st_mtime_ns, digest)
        else:
            found[rel] = ("dir" if path.is_dir() else "other", 0, 0, "")
    return found


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli(folder: Path, *args: str) -> tuple[int, str, str]:
    with inside(folder):
        result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


READ_ONLY_COMMANDS: list[tuple[str, Sequence[str], set[int]]] = [
    ("check text", ["check", "logs"], {2}),
    ("check json", ["check", "logs", "-f", "json"], {2}),
    ("check csv", ["check", "logs", "-f", "csv", "--show-pii"], {2}),
    ("check sarif", ["check", "logs/week/a.csv", "logs/tb_c.txt", "-f", "sarif"], {2}),
    ("check statistics", ["check", "logs", "--statistics", "--select", "W,P"], {2}),
    ("check explicit hidden", ["check", "logs/.hidden.csv", "--input-format", "csv"], {2}),
    ("check with --config", ["check", "logs", "--config", "cslint.toml", "-f", "junit"], {2}),
    ("report text", ["report", "logs"], {2}),
    ("report by day", ["report", "logs", "--period", "day"], {2}),
    ("rules", ["rules"], {0}),
    ("rules json", ["rules", "-f", "json", "--config", "cslint.toml"], {0}),
    ("rule", ["rule", "W001"], {0}),
    ("config", ["config", "logs"], {0}),
    ("phrases", ["phrases", "lib/phrases.txt", "lib/phrases.csv"], {1}),
    ("phrases json", ["phrases", "lib", "-f", "json"], {1, 2}),
    ("phrases --diff", ["phrases", "lib/phrases.txt", "--diff"], {1}),
]


@pytest.mark.parametrize(
    ("args", "codes"),
    [pytest.param(args, codes, id=name) for name, args, codes in READ_ONLY_COMMANDS],
)
def test_read_only_commands_change_nothing(tree: Path, args: list[str], codes: set[int]) -> None:
    before = snapshot(tree)
    code, out, err = run_cli(tree, *args)
    assert code in codes, (code, out[-800:], err[-800:])
    assert snapshot(tree) == before


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["check", "logs", "-f", "json", "-o", "out/report.json"], "out/report.json"),
        (["check", "logs", "-f", "csv", "-o", "out/report.csv"], "out/report.csv"),
        (["check", "logs", "-o", "out/report.txt"], "out/report.txt"),
        (["report", "logs", "-o", "out/week.csv"], "out/week.csv"),
        (["report", "logs", "-o", "out/week.html"], "out/week.html"),
        (["report", "logs", "-o", "out/week.xlsx"], "out/week.xlsx"),
        (["phrases", "lib", "-f", "json", "-o", "out/phrases.json"], "out/phrases.json"),
        (["check", "logs", "--write-baseline", "out/baseline.json"], "out/baseline.json"),
    ],
)
def test_an_output_file_is_the_only_change(tree: Path, args: list[str], target: str) -> None:
    before = snapshot(tree)
    code, _, err = run_cli(tree, *args)
    assert code in (0, 1, 2), err
    after = snapshot(tree)
    assert (tree / target).is_file() and (tree / target).stat().st_size > 0
    assert set(after) - set(before) == {target}, sorted(set(after) - set(before))
    assert {k: v for k, v in after.items() if k != target} == before


def test_rewriting_a_report_leaves_no_temporary_file(tree: Path) -> None:
    for _ in range(3):
        run_cli(tree, "check", "logs", "-f", "json", "-o", "out/report.json")
    assert sorted(p.name for p in (tree / "out").iterdir()) == ["report.json"]


def test_phrases_fix_rewrites_only_the_library_it_fixes(tree: Path) -> None:
    before = snapshot(tree)
    code, _, err = run_cli(tree, "phrases", "lib/phrases.txt", "--fix")
    assert code in (0, 1), err
    after = snapshot(tree)
    assert set(after) == set(before)  # no temporary or backup file left anywhere
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"lib/phrases.txt"}
    assert "您自己" in (tree / "lib" / "phrases.txt").read_text(encoding="utf-8")


# ---- a write that fails half-way ---------------------------------------------------------

OLD_REPORT = '{"old": "report"}\n'


@pytest.mark.parametrize(
    ("what", "args", "target"),
    [
        ("replace", ["check", "logs", "-f", "json", "-o", "out/report.json"], "out/report.json"),
        ("fsync", ["check", "logs", "-f", "json", "-o", "out/report.json"], "out/report.json"),
        ("replace", ["check", "logs", "-o", "out/report.txt"], "out/report.txt"),
        ("fsync", ["report", "logs", "-o", "out/week.csv"], "out/week.csv"),
        ("replace", ["report", "logs", "-o", "out/week.xlsx"], "out/week.xlsx"),
        ("replace", ["phrases", "lib", "-f", "sarif", "-o", "out/p.sarif"], "out/p.sarif"),
    ],
)
def test_failed_write_keeps_the_previous_report(
    tree: Path, monkeypatch: pytest.MonkeyPatch, what: str, args: list[str], target: str
) -> None:
    (tree / target).write_text(OLD_REPORT, encoding="utf-8")
    before = snapshot(tree)

    def disk_full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def locked(*_: object) -> None:  # what Windows says when Excel holds the file open
        raise PermissionError(errno.EACCES, "Permission denied")

    if what == "fsync":
        monkeypatch.setattr(output_module.os, "fsync", disk_full)
    else:
        monkeypatch.setattr(output_module.os, "replace", locked)
    code, out, err = run_cli(tree, *args)
    assert code == 2, (code, out[-500:], err[-500:])
    assert "cannot write" in err and target.split("/")[-1] in err, err
    assert (tree / target).read_text(encoding="utf-8") == OLD_REPORT
    assert snapshot(tree) == before  # no partial file, no temporary file


def test_fix_that_cannot_write_leaves_the_library_intact(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(tree)

    def locked(*_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output_module.os, "replace", locked)
    code, _, err = run_cli(tree, "phrases", "lib/phrases.txt", "--fix")
    assert code == 2 and "phrases.txt" in err, err
    assert snapshot(tree) == before


def test_output_into_a_missing_folder_is_a_clear_error(tree: Path) -> None:
    before = snapshot(tree)
    code, out, err = run_cli(tree, "check", "logs", "-f", "json", "-o", "nowhere/sub/r.json")
    assert code == 2 and out == ""
    assert (
        "cslint: error: cannot write nowhere/sub/r.json: folder nowhere/sub does not exist" in err
    )
    assert snapshot(tree) == before


def test_output_onto_a_folder_is_a_clear_error(tree: Path) -> None:
    before = snapshot(tree)
    code, _, err = run_cli(tree, "report", "logs", "-o", "out")
    assert code == 2 and "out" in err
    assert snapshot(tree) == before


@pytest.mark.parametrize(
    "args",
    [
        ["check", "logs", "-f", "json", "-o", "logs/week/a.csv"],
        ["check", "logs/week/b.jsonl", "-o", "./logs/week/../week/b.jsonl"],
        ["report", "logs", "-o", "logs/d.xlsx"],
        ["phrases", "lib/phrases.txt", "-o", "lib/phrases.txt"],
    ],
)
def test_output_onto_an_input_file_is_refused(tree: Path, args: list[str]) -> None:
    before = snapshot(tree)
    code, _, err = run_cli(tree, *args)
    assert snapshot(tree) == before
    assert code == 2 and "would overwrite an input file" in err
