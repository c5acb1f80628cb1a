"""Excel reader (openpyxl, optional)."""

from __future__ import annotations

import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from readers_support import read

from cslint.model import Message, Role

openpyxl = pytest.importorskip("openpyxl")


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def test_one_sheet_exact_messages(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["时间", "买家", "发送人", "内容", "备注"],
        [datetime(2024, 1, 5, 9, 3, 7), 10086, 10086, "在吗", "x"],
        [45296.37716435185, 10086, "美动态旗舰店:小花", "亲,在的"],
        [],
        ["2024-1-5 9:05:00", 10086, "美动态旗舰店:小花", 12.5],
        ["2024-02-30 09:00:00", 10086, 10086, "bad"],
        ["", None, "  ", None],
    ]
    fr = read(book(tmp_path / "b.xlsx", {"导出": rows}))
    assert fr.stats.format == "xlsx" and fr.stats.encoding is None
    assert fr.messages == [
        Message(datetime(2024, 1, 5, 9, 3, 7), "10086", "10086", "在吗", Role.BUYER, "b.xlsx", 2,
                None, "美动态旗舰店"),
        Message(datetime(2024, 1, 5, 9, 3, 7), "10086", "美动态旗舰店:小花", "亲,在的", Role.AGENT,
                "b.xlsx", 3, None, "美动态旗舰店"),
        Message(datetime(2024, 1, 5, 9, 5), "10086", "美动态旗舰店:小花", "12.5", Role.AGENT,
                "b.xlsx", 5, None, "美动态旗舰店"),
    ]  # fmt: skip
    assert [(e.file, e.line, e.reason) for e in fr.errors] == [
        ("b.xlsx", 6, "impossible timestamp '2024-02-30 09:00:00'")
    ]


def test_every_sheet_with_the_header(tmp_path: Path) -> None:
    header: list[object] = ["time", "buyer", "sender", "text"]
    p = book(
        tmp_path / "m.xlsx",
        {
            "统计": [["客服", "接待量"], ["小花", 3]],
            "一月": [header, ["2024-01-05 09:00:00", "b", "b", "hi"]],
            "二月": [[], [], header, ["2024-02-05 09:00:00", "b", "b", "yo"], ["x", "b", "b", "z"]],
        },
    )
    fr = read(p)
    assert [(m.file, m.line, m.text) for m in fr.messages] == [
        ("m.xlsx[一月]", 2, "hi"),
        ("m.xlsx[二月]", 4, "yo"),
    ]
    assert [(e.file, e.line) for e in fr.errors] == [("m.xlsx[二月]", 5)]
    assert fr.stats.file == "m.xlsx"


def test_no_sheet_with_the_header(tmp_path: Path) -> None:
    fr = read(book(tmp_path / "n.xlsx", {"S": [["time", "buyer"], ["2024-01-05 09:00:00", "b"]]}))
    assert fr.stats.failed
    assert fr.errors[0].reason == "sheet 'S': missing column(s): sender, text"


def test_zip_of_something_else(tmp_path: Path) -> None:
    p = tmp_path / "z.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    fr = read(p)
    assert fr.stats.failed and fr.stats.rows_read == 0
    [e] = fr.errors
    assert (e.file, e.line, e.kind) == ("z.xlsx", 0, "file")
    assert e.reason.startswith("not a valid .xlsx workbook")


def test_garbage_and_empty(tmp_path: Path) -> None:
    p = tmp_path / "g.xlsx"
    p.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert read(p).errors[0].reason.startswith("not a valid .xlsx workbook")
    p.write_bytes(b"")
    assert read(p).errors[0].reason == "empty file"


def test_workbook_renamed_txt_is_sniffed(tmp_path: Path) -> None:
    p = book(
        tmp_path / "b.xlsx",
        {"S": [["time", "buyer", "sender", "text"], ["2024-01-05 09:00:00", "b", "b", "hi"]]},
    )
    q = p.rename(tmp_path / "export.txt")
    fr = read(q)
    assert fr.stats.format == "xlsx" and len(fr.messages) == 1


def test_missing_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = book(tmp_path / "b.xlsx", {"S": [["time", "buyer", "sender", "text"]]})
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    fr = read(p)
    assert fr.stats.failed
    assert fr.errors[0].reason == "reading .xlsx needs the excel extra: pip install 'cslint[excel]'"
