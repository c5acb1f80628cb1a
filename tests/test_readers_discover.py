"""discover(): walking paths; sniff_format(): choosing a reader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cslint.model import InputError
from cslint.readers import ReadOptions, discover, read_file, sniff_format


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_walks_folders_sorted_skipping_hidden_and_unknown(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    for rel in ["b.csv", "a/z.jsonl", "a/y.TXT", "c.xlsx", "notes.md", ".hidden.csv",
                ".git/x.csv", "a/.cache/q.csv", "~$c.xlsx", "d/e/f.txt"]:  # fmt: skip
        touch(root / rel)
    files, errors = discover([root])
    assert errors == []
    assert [f.relative_to(root).as_posix() for f in files] == [
        "a/y.TXT",
        "a/z.jsonl",
        "b.csv",
        "c.xlsx",
        "d/e/f.txt",
    ]


def test_explicit_files_are_always_taken_and_deduplicated(tmp_path: Path) -> None:
    odd = touch(tmp_path / ".chat.log")
    csv = touch(tmp_path / "d" / "a.csv")
    files, errors = discover([odd, str(tmp_path / "d"), csv, odd])
    assert files == [odd, csv] and errors == []


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / ".git").mkdir(parents=True)
    touch(empty / "readme.md")
    files, errors = discover(["nope.csv", empty])
    assert files == []
    assert errors == [
        InputError("nope.csv", 0, "no such file or directory", "file"),
        InputError(str(empty), 0, "no chat export found in folder", "file"),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    files, errors = discover([fifo])
    assert files == [] and errors[0].reason == "not a regular file"
    fr = read_file(fifo, ReadOptions())
    assert fr.stats.failed and fr.errors[0].reason == "not a regular file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_folder_and_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    touch(locked / "a.csv")
    secret = touch(tmp_path / "secret.csv", "time,buyer,sender,text\n")
    locked.chmod(0)
    secret.chmod(0)
    try:
        files, errors = discover([locked])
        assert files == [] and "permission denied" in errors[0].reason
        fr = read_file(secret, ReadOptions())
        assert fr.stats.failed and fr.errors[0].reason == "cannot read file: permission denied"
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)


def test_directory_and_missing_file_given_to_read_file(tmp_path: Path) -> None:
    fr = read_file(tmp_path, ReadOptions(), display_name="dir")
    assert fr.stats.failed and fr.errors == [InputError("dir", 0, "is a directory", "file")]
    fr = read_file(tmp_path / "gone.csv", ReadOptions())
    assert fr.errors[0].reason == "no such file or directory"


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.csv", b"anything", "csv"),
        ("a.JSONL", b"", "jsonl"),
        ("a.ndjson", b"", "jsonl"),
        ("a.xlsx", b"", "xlsx"),
        ("a.txt", b"PK\x03\x04rest", "xlsx"),
        ("a.txt", b'{"time": "2024-01-05 09:00:00"}\n', "jsonl"),
        ("a.txt", "\ufeff时间,买家,发送人,内容\n".encode(), "csv"),
        ("a.txt", "time\tbuyer\tsender\ttext\r\n".encode("utf-16"), "csv"),
        ("a.txt", "美动态旗舰店:小花 2024-1-5 9:03:07\n亲\n".encode("gb18030"), "qianniu"),
        ("a.txt", "导出记录\n\n[tb] 2024-01-05 09:03:07\n".encode(), "qianniu"),
        ("a.log", b"a --> b 2024-1-5 9:03:07\n", "qianniu"),
        ("a.txt", b"hello\nworld\n", None),
        ("a.txt", b"", None),
        ("a.txt", "店:小花 2024-1-5 9:03:07".encode()[:-3] + "中".encode()[:2], None),
    ],
)
def test_sniff_format(name: str, head: bytes, fmt: str | None) -> None:
    assert sniff_format(Path(name), head) == fmt
