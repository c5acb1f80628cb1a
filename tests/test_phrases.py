"""``cslint phrases``: reading libraries (txt, csv, xlsx), lines, bad input, reporters."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint.api import lint_phrases
from cslint.cli import main
from cslint.config import Config, load_config
from cslint.phrases import csv_records, read_library
from cslint.reporters import FORMATS, ReportOptions, get_reporter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "phrases"
EXAMPLES = ROOT / "examples" / "phrases"

BAD_TXT = {
    (3, "W001"),
    (6, "W002"),
    (7, "W005"),
    (7, "W003"),
    (8, "W004"),
    (9, "P005"),
    (10, "P001"),
    (11, "P006"),
    (13, "W002"),
}


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def found(path: Path | str, config: Config | None = None) -> set[tuple[int, str]]:
    result = lint_phrases([path], config or Config())
    assert not result.input_errors, result.input_errors
    return {(v.line, v.code) for v in result.violations}


def json_run(*args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run("phrases", "--isolated", "-f", "json", *args)
    return code, json.loads(out)


# -- the command ------------------------------------------------------------------


def test_clean_library_exits_0() -> None:
    code, out, _ = run("phrases", "--isolated", str(DATA / "clean.txt"))
    assert code == 0, out
    assert "No violations" in out


def test_bad_library_exits_1_with_codes_at_lines() -> None:
    code, doc = json_run(str(DATA / "bad.txt"))
    assert code == 1
    violations = doc["violations"]
    assert isinstance(violations, list)
    assert {(v["line"], v["code"]) for v in violations} == BAD_TXT
    v = next(v for v in violations if v["code"] == "W001")
    assert v["file"].endswith("bad.txt") and v["text"] == "不行的亲，价格是统一的"
    assert v["span"] == [0, 2] and v["suggestion"] == "无法办到"
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert (
        summary["rows_read"]
        == summary["messages"] + summary["rejected"]
        == summary["phrases"]
        == 11
    )


def test_text_output_names_file_and_line() -> None:
    code, out, _ = run("phrases", "--isolated", str(DATA / "bad.txt"), cwd=ROOT)
    assert code == 1
    assert "tests/data/phrases/bad.txt:3: W001 forbidden-phrase" in out
    assert "→ 无法办到" in out


def test_help_lists_exit_codes() -> None:
    for command in ("phrases", "test"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Exit codes" in out


def test_csv_with_chinese_headers_bom_and_crlf() -> None:
    assert found(DATA / "chinese_bom.csv") == {(4, "W002"), (7, "P005"), (8, "W003")}
    lib = read_library(DATA / "chinese_bom.csv")
    assert lib.encoding == "utf-8-sig" and lib.round_trip
    assert [p.line for p in lib.phrases] == [2, 3, 4, 5, 7, 8]
    quoted = lib.phrases[1]
    assert (
        quoted.text == "亲，这款有货的, 放心拍"
        and quoted.group == "售前"
        and quoted.shortcut == "sq1"
    )
    assert lib.phrases[3].text == "亲，麻烦您\n拍张照片给我，好吗"  # a cell spanning two lines


def test_session_rules_are_not_applied() -> None:
    """C001 (a gift nobody asked for) needs the session; no S/T/F rule runs either."""
    result = lint_phrases([DATA / "bad.txt"], Config())
    codes = {r.code for r in result.rules}
    assert codes == {"W001", "W002", "W003", "W004", "W005", "P001", "P003", "P005", "P006"}
    assert (14, "C001") not in {(v.line, v.code) for v in result.violations}


def test_p003_only_when_the_shop_declares_free_shipping(tmp_path: Path) -> None:
    (tmp_path / "cslint.toml").write_text(
        "[shop]\nfree_shipping = true\nfree_shipping_from = 2025-03-01\nfree_shipping_until = 2025-03-31\n",
        encoding="utf-8",
    )
    library = tmp_path / "快捷短语.txt"
    library.write_text(
        "亲，这款是特价的，不参与包邮哦\n新疆属于偏远地区，需要补10元邮费哦\n", encoding="utf-8"
    )
    assert (1, "P003") not in found(library)
    with_shop = found(library, load_config([library]))
    assert (1, "P003") in with_shop and (2, "P003") not in with_shop


def test_emoticon_only_phrase_is_not_curt(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    library.write_text("/:^_^\n[微笑]\n😊\n嗯\n", encoding="utf-8")
    assert found(library) == {(4, "W003")}


def test_txt_comments_blank_lines_and_whitespace(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    library.write_text("  # indented comment\n\n   \t\n  不行的亲  \n#不行\n", encoding="utf-8")
    lib = read_library(library)
    assert [(p.line, p.text) for p in lib.phrases] == [(4, "不行的亲")]
    assert lib.raw[lib.phrases[0].start : lib.phrases[0].end] == "不行的亲"


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("gb18030", "\r\n"), ("utf-16", "\n"), ("utf-8-sig", "\r"), ("utf-8", "\r\n")],
)
def test_txt_encodings_and_line_ends(tmp_path: Path, encoding: str, newline: str) -> None:
    library = tmp_path / "replies.txt"
    lines = ["# 注释", "亲，您好", "", "不行的亲", "你好呀亲"]
    library.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))
    lib = read_library(library)
    assert lib.round_trip
    assert found(library) == {(4, "W001"), (5, "W005")}


def test_undecodable_line_is_rejected_and_counted(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    library.write_bytes("亲，您好\n".encode() + b"\xff\xfe\xfa bad\n" + "不行的亲\n".encode())
    result = lint_phrases([library], Config())
    assert [(e.line, e.kind) for e in result.input_errors] == [(2, "row")]
    assert {(v.line, v.code) for v in result.violations} == {(3, "W001")}
    s = result.summary()
    assert (s["rows_read"], s["messages"], s["rejected"]) == (3, 2, 1)


def test_tab_separated_and_english_headers(tmp_path: Path) -> None:
    library = tmp_path / "phrases.csv"
    library.write_text("Group\tShortcut\tPhrase\n售前\ta1\t不行的亲, 这个价\n", encoding="utf-8")
    assert found(library) == {(2, "W001")}


@pytest.mark.parametrize("header", ["内容", "快捷短语", "回复内容", "phrase", " PHRASE "])
def test_phrase_column_aliases(tmp_path: Path, header: str) -> None:
    library = tmp_path / "phrases.csv"
    library.write_text(f"{header}\n不行的亲\n", encoding="utf-8")
    assert found(library) == {(2, "W001")}


def test_missing_phrase_column_is_a_file_error() -> None:
    code, out, _ = run("phrases", "--isolated", str(DATA / "no_phrase_column.csv"))
    assert code == 2
    assert "no_phrase_column.csv:1: no phrase column" in out
    result = lint_phrases([DATA / "no_phrase_column.csv"], Config())
    assert result.files[0].failed and result.input_errors[0].kind == "file"
    assert result.summary()["rows_read"] == 0


def test_two_phrase_columns_are_ambiguous(tmp_path: Path) -> None:
    library = tmp_path / "phrases.csv"
    library.write_text("短语,内容\n亲，您好,亲\n", encoding="utf-8")
    result = lint_phrases([library], Config())
    assert result.files[0].failed
    assert "given twice" in result.input_errors[0].reason


def test_other_files_are_still_checked_after_a_broken_one() -> None:
    code, doc = json_run(str(DATA / "no_phrase_column.csv"), str(DATA / "bad.txt"))
    assert code == 2
    assert len(doc["violations"]) == len(BAD_TXT)  # type: ignore[arg-type]


def test_row_errors_reconcile(tmp_path: Path) -> None:
    library = tmp_path / "phrases.csv"
    library.write_text(
        '分组,短语\n售前,亲，您好\n售前,亲,您好\n售前,"亲"您好\n售前\n售前,"不行的亲\n',
        encoding="utf-8",
    )
    result = lint_phrases([library], Config())
    reasons = {e.line: e.reason for e in result.input_errors}
    assert set(reasons) == {3, 4, 5, 6}
    assert "too many fields" in reasons[3] and "double quotes" in reasons[3]
    assert "malformed" in reasons[4]
    assert "too few fields" in reasons[5]
    assert "unbalanced quote" in reasons[6]
    s = result.summary()
    assert (s["rows_read"], s["messages"], s["rejected"]) == (5, 1, 4)


def test_csv_records_spans() -> None:
    raw = 'a,"b ""q"", c"\r\nd,e\n"x\ny",z'
    records = list(csv_records(raw, ","))
    assert [(r.line, r.last_line) for r in records] == [(1, 1), (2, 2), (3, 4)]
    cell = records[0].cells[1]
    assert cell.value == 'b "q", c' and cell.quoted and raw[cell.start : cell.end] == '"b ""q"", c"'
    assert records[2].cells[0].value == "x\ny"


def test_duplicates_and_empty_phrases_are_notices() -> None:
    code, out, _ = run("phrases", "--isolated", str(DATA / "duplicates.csv"), cwd=ROOT)
    assert code == 0, out
    assert "tests/data/phrases/duplicates.csv:5: duplicate phrase (same text as line 2)" in out
    assert "tests/data/phrases/duplicates.csv:4: duplicate shortcut 'hy1' (also on line 2)" in out
    assert "tests/data/phrases/duplicates.csv:3: empty phrase (shortcut 'hy2'): row skipped" in out
    code, doc = json_run(str(DATA / "duplicates.csv"))
    assert code == 0
    notices = doc["summary"]["notices"]  # type: ignore[index]
    assert [(n["line"], n["kind"]) for n in notices] == [
        (3, "empty-phrase"),
        (4, "duplicate-shortcut"),
        (5, "duplicate-phrase"),
    ]


def test_notices_in_github_output_and_on_stderr_for_documents() -> None:
    code, out, err = run("phrases", "--isolated", "-f", "github", str(DATA / "duplicates.csv"))
    assert code == 0
    assert "::notice file=" in out and "line=5::duplicate phrase" in out
    code, out, err = run("phrases", "--isolated", "-f", "sarif", str(DATA / "duplicates.csv"))
    assert code == 0 and "duplicate phrase" in err
    json.loads(out)


def test_empty_library_is_a_notice(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "comments.txt").write_text("# nothing yet\n", encoding="utf-8")
    code, out, _ = run(
        "phrases", "--isolated", str(tmp_path / "empty.txt"), str(tmp_path / "comments.txt")
    )
    assert code == 0
    assert "empty phrase library" in out


@pytest.mark.parametrize("name", ["folder", "missing.txt", "phrases.doc"])
def test_paths_that_are_not_libraries(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "phrases.doc").write_text("不行", encoding="utf-8")
    code, out, _ = run("phrases", "--isolated", str(tmp_path / name))
    assert code == 2
    assert name in out


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlsx_library(tmp_path: Path) -> None:
    library = tmp_path / "快捷短语.xlsx"
    _workbook(
        library,
        {
            "售前": [
                ["分组", "快捷编码", "快捷短语"],
                ["售前", "a1", "亲，您好"],
                [None, None, None],
                ["售前", "a2", "不行的亲"],
            ],
            "说明": [["这是说明页"]],
            "售后": [["回复内容"], ["你好"]],
        },
    )
    result = lint_phrases([library], Config())
    assert not result.input_errors
    name = result.files[0].file
    assert {(v.file, v.line, v.code) for v in result.violations} == {
        (f"{name}[售前]", 4, "W001"),
        (f"{name}[售后]", 2, "W005"),
        (f"{name}[售后]", 2, "W003"),
    }
    assert result.summary()["rows_read"] == 3


def test_xlsx_without_phrase_column(tmp_path: Path) -> None:
    library = tmp_path / "book.xlsx"
    _workbook(library, {"Sheet": [["分组", "备注"], ["a", "b"]]})
    code, out, _ = run("phrases", "--isolated", str(library))
    assert code == 2 and "no phrase column" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_reporter_renders_a_phrase_run(fmt: str) -> None:
    result = lint_phrases([DATA / "bad.txt"], Config())
    document = get_reporter(fmt).render(result, ReportOptions())
    assert document
    if fmt in ("json", "sarif"):
        json.loads(document)


def test_sarif_points_at_library_lines() -> None:
    code, out, _ = run("phrases", "--isolated", "-f", "sarif", str(DATA / "bad.txt"), cwd=ROOT)
    assert code == 1
    doc = json.loads(out)
    places = {
        (
            r["ruleId"],
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["region"]["startLine"],
        )
        for r in doc["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert ("W001", "tests/data/phrases/bad.txt", 3) in places


def test_output_file_and_exit_zero(tmp_path: Path) -> None:
    out_file = tmp_path / "report.txt"
    code, out, _ = run(
        "phrases",
        "--isolated",
        "--exit-zero",
        "-o",
        str(out_file),
        str(DATA / "duplicates.csv"),
        str(DATA / "bad.txt"),
    )
    assert code == 0 and out == ""
    text = out_file.read_text(encoding="utf-8")
    assert "W001" in text and "duplicate phrase" in text


def test_select_and_ignore() -> None:
    code, doc = json_run("--select", "P", str(DATA / "bad.txt"))
    assert {v["code"] for v in doc["violations"]} == {"P001", "P005", "P006"}  # type: ignore[union-attr]
    code, doc = json_run("--ignore", "W,P", str(DATA / "bad.txt"))
    assert code == 0 and doc["violations"] == []


# -- the examples (another helper's files: a smoke run) ------------------------------


@pytest.mark.skipif(not (EXAMPLES / "quick_replies.txt").is_file(), reason="examples not present")
def test_examples_smoke() -> None:
    txt = found(EXAMPLES / "quick_replies.txt")
    assert {
        (9, "W005"),
        (19, "W002"),
        (20, "W001"),
        (28, "P005"),
        (33, "P001"),
        (39, "P006"),
        (40, "W004"),
    } <= txt
    assert not {line for line, _ in txt} & {13, 14, 21, 27, 32, 45}  # clean on purpose
    csv_found = found(EXAMPLES / "quick_replies.csv")
    assert {
        (6, "W002"),
        (9, "W001"),
        (11, "W002"),
        (15, "P005"),
        (17, "P001"),
        (20, "P006"),
        (22, "W003"),
    } <= csv_found
    assert not {line for line, _ in csv_found} & {4, 7, 13, 16}
