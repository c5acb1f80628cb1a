"""Reporters: golden files per format, SARIF against its schema, privacy and CSV safety.

The golden files in ``tests/golden/`` are the exact output for the small run
built below. After an intended change of output, regenerate them with

    CSLINT_UPDATE_GOLDEN=1 pytest tests/test_reporters.py

and review the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cslint.model import (
    AgentStats,
    FileStats,
    InputError,
    RuleInfo,
    RunResult,
    SessionResult,
    Severity,
    Violation,
)
from cslint.reporters import FORMATS, REPORTERS, ReportOptions, base, color_wanted, get_reporter
from cslint.reporters.common import excerpt, neutralise_cell, violation_dict
from cslint.reporters.github import escape_property
from cslint.reporters.sarif import artifact_uri

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("CSLINT_UPDATE_GOLDEN") == "1"
VERSION = "0.0.0-test"  # fixed, so a release does not change the golden files

CSV_FILE = "data/shop a.csv"
TXT_FILE = "data/qianniu/小花,3月.txt"
BAD_FILE = "data/bad.xlsx"
AGENT = "美动态旗舰店:小花"
PHONE = "13812345678"
ADDRESS = "浙江省杭州市西湖区文三路100号"

RULES = [
    RuleInfo(
        "W001",
        "forbidden-phrase",
        Severity.ERROR,
        2,
        "禁用语",
        "客服不得使用禁用语，如“我也不知道”“不行”。",
        "000 售中话术规范 19",
    ),
    RuleInfo(
        "W002", "negative-wording", Severity.WARNING, 1, "否定词", "避免带“不”字的词。", "001"
    ),
    RuleInfo(
        "S001", "emoticon-ratio", Severity.INFO, 1, "表情太少", "十句话里至少三句带表情。", ""
    ),
    RuleInfo(
        "T001",
        "first-response-6s",
        Severity.WARNING,
        1,
        "首次响应超过6秒",
        "买家发起的会话，客服须在6秒内应答。",
        "003 客服6秒内应答",
    ),
    RuleInfo(
        "P002", "buyer-info-leak", Severity.ERROR, 6, "泄露买家信息", "不得泄露买家信息。", "003"
    ),
]


def t(hh: int, mm: int, ss: int, day: int = 5) -> datetime:
    return datetime(2025, 3, day, hh, mm, ss)


def make_result() -> RunResult:
    """Three files, five sessions, seven violations, three input errors."""
    v = [
        Violation(
            "W001",
            "forbidden-phrase",
            Severity.ERROR,
            2,
            "禁用语「我也不知道」",
            "说“我帮您问一下主管哦”",
            CSV_FILE,
            3,
            "buyer1#1",
            "buyer1",
            AGENT,
            t(10, 0, 7),
            "这个我也不知道呢",
            (2, 7),
            None,
            True,
        ),
        Violation(
            "W002",
            "negative-wording",
            Severity.WARNING,
            1,
            "否定词「不知道」",
            None,
            CSV_FILE,
            3,
            "buyer1#1",
            "buyer1",
            AGENT,
            t(10, 0, 7),
            "这个我也不知道呢",
            (4, 7),
            None,
            True,
        ),
        Violation(
            "P002",
            "buyer-info-leak",
            Severity.ERROR,
            6,
            f"泄露买家信息 {PHONE}",
            None,
            CSV_FILE,
            5,
            "buyer1#1",
            "buyer1",
            AGENT,
            t(10, 1, 0),
            f"您的电话{PHONE}，地址{ADDRESS}对吗",
            (4, 15),
            None,
            True,
        ),
        Violation(
            "W001",
            "forbidden-phrase",
            Severity.ERROR,
            2,
            "禁用语「不行」",
            None,
            CSV_FILE,
            8,
            "@tb_buyer2#1",
            "@tb_buyer2",
            AGENT,
            t(11, 0, 0),
            "=不行的亲\n真的不行",
            (1, 3),
            None,
            True,
        ),
        Violation(
            "W001",
            "forbidden-phrase",
            Severity.ERROR,
            2,
            "禁用语「不行」",
            None,
            CSV_FILE,
            8,
            "@tb_buyer2#1",
            "@tb_buyer2",
            AGENT,
            t(11, 0, 0),
            "=不行的亲\n真的不行",
            (8, 10),
            None,
            False,
        ),
        Violation(
            "T001",
            "first-response-6s",
            Severity.WARNING,
            1,
            "首次响应超过6秒（从未应答）",
            None,
            CSV_FILE,
            9,
            "buyer4#1",
            "buyer4",
            None,
            None,
            "",
            None,
            None,
            True,
        ),
        Violation(
            "S001",
            "emoticon-ratio",
            Severity.INFO,
            1,
            "表情比例 10% 低于 30%,\n请多用表情",
            "加上 /:^_^",
            TXT_FILE,
            1,
            "tb_buyer01#1",
            "tb_buyer01",
            AGENT,
            t(9, 3, 7),
            "",
            None,
            "美动态旗舰店",
            True,
        ),
    ]

    def session(
        sid: str, file: str, line: int, agent: str | None, score: int, found: list[Violation]
    ) -> SessionResult:
        return SessionResult(
            sid,
            sid.split("#")[0],
            None,
            agent,
            t(10, 0, 0),
            t(10, 5, 0),
            file,
            line,
            4,
            2,
            2,
            (AgentStats(agent, 2, 1),) if agent else (),
            3.0 if agent else None,
            agent,
            bool(agent),
            tuple(found),
            100 - score,
            score,
        )

    sessions = [
        session("buyer1#1", CSV_FILE, 2, AGENT, 91, v[0:3]),
        session("@tb_buyer2#1", CSV_FILE, 7, AGENT, 98, v[3:5]),
        session("buyer3#1", CSV_FILE, 10, AGENT, 100, []),
        session("buyer4#1", CSV_FILE, 9, None, 99, v[5:6]),
        session("tb_buyer01#1", TXT_FILE, 1, AGENT, 99, v[6:7]),
    ]
    files = [
        FileStats(CSV_FILE, "csv", "utf-8", 12, 10, 2),
        FileStats(TXT_FILE, "qianniu", "gb18030", 5, 5, 0),
        FileStats(BAD_FILE, "xlsx", None, 0, 0, 0, failed=True),
    ]
    errors = [
        InputError(CSV_FILE, 6, "bad timestamp '2025-13-01 25:00:00'"),
        InputError(CSV_FILE, 11, f"unknown role for sender {PHONE}"),
        InputError(BAD_FILE, 0, "not an xlsx file (bad zip header)", kind="file"),
    ]
    return RunResult(v, errors, sessions, files, RULES, meta={"ruleset": "default"})


def empty_result() -> RunResult:
    return RunResult([], [], [], [FileStats("clean.csv", "csv", "utf-8", 3, 3, 0)], RULES)


def render(fmt: str, result: RunResult | None = None, /, **opts: bool) -> str:
    options = ReportOptions(tool_version=VERSION, **opts)
    return get_reporter(fmt).render(result or make_result(), options)


# ---------------------------------------------------------------- golden files

GOLDEN_CASES = {
    "report.txt": ("text", {}),
    "report.color.txt": ("text", {"color": True}),
    "report.statistics.txt": ("text", {"statistics": True}),
    "report.json": ("json", {}),
    "report.jsonl": ("jsonl", {}),
    "report.csv": ("csv", {}),
    "report.sarif": ("sarif", {}),
    "report.github.txt": ("github", {}),
    "report.junit.xml": ("junit", {}),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    fmt, opts = GOLDEN_CASES[name]
    got = render(fmt, **opts).encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(got)
    assert path.exists(), f"missing {path}; run with CSLINT_UPDATE_GOLDEN=1"
    assert got == path.read_bytes(), f"{name} differs; CSLINT_UPDATE_GOLDEN=1 regenerates it"


def test_every_format_has_a_golden_file() -> None:
    assert {fmt for fmt, _ in GOLDEN_CASES.values()} == set(FORMATS)


# ---------------------------------------------------------------- registry


def test_registry() -> None:
    assert FORMATS == ["text", "json", "jsonl", "csv", "sarif", "github", "junit"]
    for name, cls in REPORTERS.items():
        reporter = get_reporter(name)
        assert isinstance(reporter, cls)
        assert reporter.name == name
        assert reporter.extension.startswith(".")
        assert reporter.binary is False
    with pytest.raises(ValueError, match="unknown output format 'yaml'; choose one of text"):
        get_reporter("yaml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_run_renders(fmt: str) -> None:
    out = render(fmt, empty_result())
    assert isinstance(out, str)
    if fmt == "json":
        assert json.loads(out)["violations"] == []
    if fmt in {"jsonl", "github"}:
        assert out == ""


def test_write_is_atomic_and_utf8(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    get_reporter("csv").write(make_result(), ReportOptions(tool_version=VERSION), target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize("fmt", FORMATS)
def test_personal_data_masked_everywhere(fmt: str) -> None:
    out = render(fmt)
    assert PHONE not in out
    assert "138****5678" in out
    assert "文三路100号" not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_pii_prints_it(fmt: str) -> None:
    assert PHONE in render(fmt, show_pii=True)


def test_masking_keeps_spans_valid() -> None:
    v = make_result().violations[2]
    d = violation_dict(v, show_pii=False)
    assert len(d["text"]) == len(v.text)
    assert d["text"][4:15] == "138****5678"
    assert d["message"] == "泄露买家信息 138****5678"
    assert d["text"].startswith("您的电话") and "浙江省杭州市西湖区****" in d["text"]


# ---------------------------------------------------------------- json / jsonl

FIELDS = [
    "code", "name", "severity", "points", "message", "suggestion", "file", "line", "session",
    "buyer", "agent", "time", "text", "span", "deducted", "shop",
]  # fmt: skip


def test_json_document() -> None:
    result = make_result()
    doc = json.loads(render("json"))
    assert list(doc) == ["tool", "violations", "input_errors", "summary", "meta"]
    assert doc["tool"] == {"name": "cslint", "version": VERSION}
    assert doc["summary"] == result.summary()
    assert doc["meta"] == {"ruleset": "default"}
    assert [list(v) for v in doc["violations"]] == [FIELDS] * len(result.violations)
    first = doc["violations"][0]
    assert first["time"] == "2025-03-05 10:00:07"
    assert first["span"] == [2, 7]
    assert first["text"][2:7] == "我也不知道"
    assert doc["violations"][5]["time"] is None and doc["violations"][5]["span"] is None
    assert doc["violations"][4]["deducted"] is False
    assert doc["input_errors"][1] == {
        "file": CSV_FILE,
        "line": 11,
        "reason": "unknown role for sender 138****5678",
    }
    assert "meta" not in json.loads(render("json", empty_result()))


def test_jsonl_one_violation_per_line() -> None:
    lines = render("jsonl").splitlines()
    doc = json.loads(render("json"))
    assert [json.loads(line) for line in lines] == doc["violations"]
    assert all("\n" not in line for line in lines)


def test_json_large_run_renders_every_violation() -> None:
    """100k violations render in full (speed is measured in benchmarks/, not asserted)."""
    base = make_result()
    many = RunResult(base.violations[:1] * 100_000, [], base.sessions, base.files, RULES)
    out = render("json", many)
    assert out.count('"code": "W001"') == 100_000


# ---------------------------------------------------------------- csv


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_csv_rows_and_safety() -> None:
    rows = read_csv(render("csv"))
    assert rows[0] == FIELDS
    assert len(rows) == 1 + len(make_result().violations)
    by_field = [dict(zip(FIELDS, row, strict=True)) for row in rows[1:]]
    assert by_field[0]["span"] == "[2, 7]"
    assert by_field[0]["suggestion"] == "说“我帮您问一下主管哦”"
    assert by_field[1]["suggestion"] == ""
    assert by_field[3]["buyer"] == "'@tb_buyer2"
    assert by_field[3]["session"] == "'@tb_buyer2#1"
    assert by_field[3]["text"] == "'=不行的亲\n真的不行"
    assert by_field[4]["deducted"] == "false"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("不行=1", "不行=1"),
        ("", ""),
    ],
)
def test_neutralise_cell(cell: str, safe: str) -> None:
    assert neutralise_cell(cell) == safe


# ---------------------------------------------------------------- sarif


def sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("result", [make_result(), empty_result()], ids=["run", "empty"])
def test_sarif_valid_against_schema(result: RunResult) -> None:
    log = json.loads(render("sarif", result))
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_schema_catches_mistakes() -> None:
    """The vendored schema is strict where the official one is."""
    validator = sarif_validator()
    log = json.loads(render("sarif"))
    log["runs"][0]["results"][0]["region"] = {"startLine": 1}  # misplaced
    assert not validator.is_valid(log)
    log = json.loads(render("sarif"))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not validator.is_valid(log)
    log = json.loads(render("sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(log)
    log = json.loads(render("sarif"))
    del log["version"]
    assert not validator.is_valid(log)


def test_sarif_content() -> None:
    result = make_result()
    log = json.loads(render("sarif"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("cslint", VERSION)
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    w001 = driver["rules"][0]
    assert w001["name"] == "forbidden-phrase"
    assert w001["defaultConfiguration"]["level"] == "error"
    assert w001["properties"] == {"points": 2, "source": "000 售中话术规范 19"}
    assert w001["help"]["text"] and w001["help"]["markdown"]
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "note"
    results = run["results"]
    assert len(results) == len(result.violations)
    for res, v in zip(results, result.violations, strict=True):
        assert res["ruleId"] == v.code
        assert driver["rules"][res["ruleIndex"]]["id"] == v.code
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == max(1, v.line)
    assert results[0]["level"] == "error" and results[1]["level"] == "warning"
    assert results[6]["level"] == "note"
    uri = results[6]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "data/qianniu/%E5%B0%8F%E8%8A%B1,3%E6%9C%88.txt"
    fingerprints = [r["partialFingerprints"]["cslint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    # stable: the same run gives the same fingerprints, and --show-pii does not change them
    again = json.loads(render("sarif", show_pii=True))["runs"][0]["results"]
    assert [r["partialFingerprints"]["cslint/v1"] for r in again] == fingerprints
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 3
    assert notes[2]["level"] == "error"
    assert notes[2]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_sarif_uri_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert artifact_uri("a/b c.csv") == "a/b%20c.csv"
    assert artifact_uri(str(tmp_path / "sub" / "x.csv")) == "sub/x.csv"
    outside = Path("/elsewhere/日志.csv")
    assert artifact_uri(str(outside)) == outside.as_uri()


def test_sarif_adds_rules_missing_from_the_pack() -> None:
    result = make_result()
    result.rules = RULES[:1]
    run = json.loads(render("sarif", result))["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == ["W001", "W002", "P002", "T001", "S001"]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert not list(sarif_validator().iter_errors(json.loads(render("sarif", result))))


# ---------------------------------------------------------------- github

ANNOTATION = re.compile(r"^::(error|warning|notice)( [^:]+)?::(.*)$")


def test_github_annotations() -> None:
    lines = render("github").splitlines()
    result = make_result()
    assert len(lines) == len(result.violations) + len(result.input_errors)
    for line in lines:
        assert ANNOTATION.match(line), line
    assert lines[0].startswith(
        "::error file=data/shop a.csv,line=3,title=W001 forbidden-phrase::禁用语「我也不知道」 ("
    )
    assert lines[1].startswith("::warning ")
    assert lines[6].startswith("::notice file=data/qianniu/小花%2C3月.txt,line=1,")
    assert "10%25 低于 30%25,%0A请多用表情" in lines[6]  # data: % and LF escaped, comma kept
    assert lines[9] == "::error file=data/bad.xlsx::not an xlsx file (bad zip header)"
    assert lines[7] == "::error file=data/shop a.csv,line=6::bad timestamp '2025-13-01 25:00:00'"


def test_github_property_escaping() -> None:
    assert escape_property("a:b,c%d\ne\r") == "a%3Ab%2Cc%25d%0Ae%0D"


# ---------------------------------------------------------------- junit


def test_junit_parses_with_consistent_counts() -> None:
    root = ET.fromstring(render("junit").encode("utf-8"))
    assert root.tag == "testsuites" and root.get("name") == "cslint"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [CSV_FILE, TXT_FILE, BAD_FILE]
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in suites:
        cases = suite.findall("testcase")
        failed = [c for c in cases if c.find("failure") is not None]
        errored = [c for c in cases if c.find("error") is not None]
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == len(failed)
        assert int(suite.get("errors", "")) == len(errored)
        for key, value in (("tests", cases), ("failures", failed), ("errors", errored)):
            totals[key] += len(value)
    assert {k: int(root.get(k, "")) for k in totals} == totals
    assert totals == {"tests": 5 + 3, "failures": 4, "errors": 3}
    csv_cases = suites[0].findall("testcase")
    assert [c.get("name") for c in csv_cases[:4]] == [
        "buyer1#1", "@tb_buyer2#1", "buyer3#1", "buyer4#1"
    ]  # fmt: skip
    assert {c.get("classname") for c in csv_cases} == {CSV_FILE}
    first = csv_cases[0].findall("failure")
    assert [(f.get("message"), f.get("type")) for f in first] == [
        ("W001 forbidden-phrase", "W001"),
        ("W002 negative-wording", "W002"),
        ("P002 buyer-info-leak", "P002"),
    ]
    assert "「我也不知道」" in (first[0].text or "")
    assert csv_cases[2].find("failure") is None  # the clean session passes
    assert len(root.findall(".//failure")) == len(make_result().violations)


def test_junit_survives_control_characters() -> None:
    result = make_result()
    result.violations[0] = replace(result.violations[0], text="坏\x00字\x1b符", span=(0, 1))
    ET.fromstring(render("junit", result).encode("utf-8"))


# ---------------------------------------------------------------- text


def test_text_lines() -> None:
    out = render("text")
    lines = out.splitlines()
    assert lines[0] == f"{CSV_FILE}:3: W001 forbidden-phrase  禁用语「我也不知道」"
    assert lines[1] == f"    session buyer1#1 · 2025-03-05 10:00:07 · agent {AGENT} · -2 points"
    assert lines[2] == "    这个「我也不知道」呢"
    assert lines[3] == "    → 说“我帮您问一下主管哦”"
    assert f"{CSV_FILE}:6: bad timestamp '2025-13-01 25:00:00'" in lines
    assert f"{BAD_FILE}:0: not an xlsx file (bad zip header)" in lines
    assert "    =不行的亲⏎真的「不行」" in lines
    assert "\x1b[" not in out
    assert "Found 7 violations (13 points) in 4 of 5 sessions." in lines
    assert "3 files (1 failed) · 17 rows read = 15 messages + 2 rejected · 3 input errors" in lines
    assert "5 sessions · average score 97.40" in lines
    assert "  W001   forbidden-phrase       3       4" in lines
    assert "  total                         7      13" in lines
    assert f"{TXT_FILE}:1: S001 emoticon-ratio  表情比例 10% 低于 30%,⏎请多用表情" in lines


def test_text_color() -> None:
    out = render("text", color=True)
    assert "\x1b[1;31mW001\x1b[0m" in out
    assert "\x1b[1;4;31m我也不知道\x1b[0m" in out
    assert "「我也不知道」呢" not in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert plain.splitlines()[0] == render("text").splitlines()[0]


def test_text_statistics() -> None:
    lines = render("text", statistics=True).splitlines()
    assert lines[:5] == [
        "3  W001  forbidden-phrase   4 points",
        "1  P002  buyer-info-leak    6 points",
        "1  S001  emoticon-ratio     1 point",
        "1  T001  first-response-6s  1 point",
        "1  W002  negative-wording   1 point",
    ]
    assert lines[5] == "7 violations, 13 points · 5 sessions"
    assert not any(CSV_FILE in line for line in lines)


def test_text_clean_run() -> None:
    out = render("text", empty_result())
    assert out.splitlines()[0] == "No violations in 0 sessions."


def test_color_wanted() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert color_wanted(Tty(), {}) is True
    assert color_wanted(Tty(), {"NO_COLOR": "1"}) is False
    assert color_wanted(Tty(), {"NO_COLOR": ""}) is True  # empty means unset (no-color.org)
    assert color_wanted(io.StringIO(), {}) is False
    assert color_wanted(io.StringIO(), {"FORCE_COLOR": "1"}) is True


@pytest.mark.parametrize(
    ("text", "span", "width", "want"),
    [
        ("短句", None, 80, "短句"),
        ("一二三四五六七八九十", (3, 5), 80, "一二三「四五」六七八九十"),
        ("a\r\nb\nc", (2, 3), 80, "a⏎「⏎」b⏎c"),
        ("x" * 30 + "不行" + "y" * 30, (30, 32), 20, "…" + "x" * 9 + "「不行」" + "y" * 9 + "…"),
        ("z" * 100, None, 10, "z" * 10 + "…"),
        ("abc", (5, 9), 80, "abc「」"),
    ],
)
def test_excerpt(text: str, span: tuple[int, int] | None, width: int, want: str) -> None:
    assert excerpt(text, span, width=width) == want


def test_sarif_splice_marker_in_user_text_is_harmless() -> None:
    result = make_result()
    marker = '"__cslint_results__"'
    result.violations[0] = replace(result.violations[0], text=marker, message=marker, span=None)
    log = json.loads(render("sarif", result))
    assert len(log["runs"][0]["results"]) == len(result.violations)
    assert log["runs"][0]["results"][0]["message"]["text"].startswith(marker)


def test_text_never_prints_terminal_control_codes() -> None:
    result = make_result()
    evil = "坏\x1b]0;owned\x07人\x1b[2J"
    result.violations[0] = replace(result.violations[0], text=evil, message=evil, span=(0, 1))
    out = render("text", result)
    assert "\x1b" not in out and "\x07" not in out
    assert "「坏」\ufffd]0;owned\ufffd人\ufffd[2J" in out


def test_a_long_message_is_cut_to_a_window_around_the_span() -> None:
    from dataclasses import replace as _replace

    from cslint.reporters.common import LONG_TEXT, TEXT_WINDOW, violation_dict

    phone = "13812345678"
    text = "亲" * 2000 + "不行" + "啊" * 50 + phone + "哦" * 2000
    base = make_result().violations[0]
    v = _replace(base, text=text, span=(2000, 2002))
    d = violation_dict(v, show_pii=False)
    assert d["text_length"] == len(text) > LONG_TEXT
    start = d["text_start"]
    assert start == 2000 - TEXT_WINDOW
    assert d["text"][d["span"][0] : d["span"][1]] == "不行"
    assert len(d["text"]) == 2 + 2 * TEXT_WINDOW
    # masked as a whole before the cut: the phone number straddling the window's end is hidden
    assert "1381234" not in d["text"] and "5678" not in d["text"]
    short = violation_dict(_replace(base, text="不行", span=(0, 2)), show_pii=False)
    assert "text_start" not in short and short["text"] == "不行"


@pytest.mark.parametrize("show_pii", [False, True])
def test_violation_json_is_json_dumps(show_pii: bool) -> None:
    """The json and jsonl items are written field by field, from the dict or
    straight from the violation: byte for byte what json.dumps prints, also for
    odd values (they go through the encoder)."""
    from dataclasses import replace as _replace

    from cslint.reporters.common import format_time, violation_json, violation_json_of

    encoder = json.JSONEncoder(ensure_ascii=False, default=str)
    base = make_result().violations[0]
    odd = [
        base,
        _replace(base, suggestion=None, agent=None, time=None, span=None, shop=None),
        _replace(base, text='引号" 反斜杠\\ 换行\n \x00 \ud800 😀', message="{x}", deducted=False),
        _replace(base, text="长" * 3000, span=(1500, 1502)),
        _replace(base, points=True, line=2**70),  # type: ignore[arg-type]
        _replace(base, span=(1, 2, 3)),  # type: ignore[arg-type]
        _replace(base, time=datetime(999, 1, 2, 3, 4, 5)),
        _replace(base, line="12", agent=5),  # type: ignore[arg-type]
        _replace(base, text="电话13812345678", session="13812345678#1", buyer="13812345678"),
        _replace(base, points=1),
        _replace(base, points=True),  # equal to 1, but json writes true
    ]
    for v in odd:
        d = violation_dict(v, show_pii)
        dumped = json.dumps(d, ensure_ascii=False, default=str)
        assert violation_json(d, encoder) == dumped
        assert violation_json_of(v, show_pii, encoder) == dumped
    for when in (datetime(2025, 3, 5, 9, 3, 7, 500), datetime(999, 1, 2, 3, 4, 5)):
        assert format_time(when) == when.strftime("%Y-%m-%d %H:%M:%S")


def test_one_line_leaves_printable_text_alone_and_replaces_control_characters() -> None:
    """Printable text is handed back without a regex pass; any other goes
    through the replacement, which changes only line breaks, tabs and
    control characters (not every unprintable character: not U+3000)."""
    from cslint.reporters import common

    assert common.one_line("亲，在的 ok 😀") == "亲，在的 ok 😀"
    assert common.one_line("a\r\nb\nc\rd\te\x1b[31mf\x7f\x9b") == "a⏎b⏎c⏎d e\ufffd[31mf\ufffd\ufffd"
    assert common.one_line("全角\u3000空格\u00a0\u2028") == "全角\u3000空格\u00a0\u2028"
    for code in [*range(0x300), 0x2028, 0x3000, 0xFEFF, 0xFFFF]:
        text = f"x{chr(code)}y"
        assert common.one_line(text) == common._CONTROL.sub(common._printable, text)


@pytest.mark.parametrize("show_pii", [False, True])
def test_csv_record_written_straight_is_the_csv_writer_s(show_pii: bool) -> None:
    """A csv item is written from the violation without the dict or a csv
    writer when no cell needs quoting but the span: byte for byte the csv
    writer's record of the dict's cells, also for cells to quote, formula-like
    cells and odd values (those take the long way)."""
    from dataclasses import replace as _replace

    from cslint.reporters import csv_
    from cslint.reporters.csv_ import violation_row, violation_row_of

    base = make_result().violations[0]
    odd = [
        base,
        _replace(base, suggestion=None, agent=None, time=None, span=None, shop=None),
        _replace(base, text='逗号, 引号" 换行\n 回车\r', message="a,b", deducted=False),
        _replace(base, text='"', span=(0, 1)),
        _replace(base, buyer="x\ny", shop="a,b", agent='"客服"', suggestion="\r"),
        _replace(base, text="=SUM(A1)", message="+1", session="-s", buyer="@b", shop="\tx"),
        _replace(base, agent="=cmd", file="-f.csv", code="@C", name="\rN", line=-3, points=-1),
        _replace(base, text="长" * 3000, span=(1500, 1502)),
        _replace(base, points=True, line=2**70),
        _replace(base, span=(1, 2, 3)),  # type: ignore[arg-type]
        _replace(base, span=(1.0, 2)),  # type: ignore[arg-type]
        _replace(base, time=datetime(999, 1, 2, 3, 4, 5)),
        _replace(base, line="12", agent=5, shop=7),  # type: ignore[arg-type]
        _replace(base, deducted=1),  # type: ignore[arg-type]
        _replace(base, text="电话13812345678", session="13812345678#1", buyer="13812345678"),
    ]
    for v in odd:
        assert violation_row_of(v, show_pii) == violation_row(v, show_pii)
    # the usual violations (with a span or without) take the short way
    short = [base, odd[1], _replace(base, text="=SUM(A1)", message="+1", line=-3)]
    expected = [violation_row(v, show_pii) for v in short]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_, "violation_row", None)  # the long way would fail
        assert [violation_row_of(v, show_pii) for v in short] == expected
    item = csv_.CsvReporter().violation_item(base, ReportOptions(show_pii=show_pii))
    assert item == violation_row(base, show_pii)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 6, 7, 10])
@pytest.mark.parametrize(("separator", "terminator", "start"), [(",\n", "", "["), ("", "\n", "")])
def test_write_items_in_blocks_writes_what_one_write_per_item_would(
    monkeypatch: pytest.MonkeyPatch, count: int, separator: str, terminator: str, start: str
) -> None:
    monkeypatch.setattr(base, "WRITE_BLOCK", 3)  # blocks full, partly full, several
    items = [f"item{i}，" for i in range(count)]
    encoded = [base.encode_item(item) for item in items]
    out = io.StringIO()
    assert base.write_items(out, iter(encoded), separator, terminator, start) == count
    one_by_one = "".join(
        (start if i == 0 else separator) + item + terminator for i, item in enumerate(items)
    )
    assert out.getvalue() == one_by_one
    # a UTF-8 output takes the encoded blocks as they are, between text writes
    raw = io.BytesIO()
    utf8 = base.Utf8Output(raw)
    utf8.write("head\n")
    assert base.write_items(utf8, iter(encoded), separator, terminator, start) == count
    utf8.write("\r\ntail")
    utf8.flush()
    assert raw.getvalue() == ("head\n" + one_by_one + "\r\ntail").encode()


@pytest.mark.parametrize("text", ["힣 Hangul", "lone \ud800 surrogate"])
def test_a_block_that_may_hold_a_surrogate_is_written_as_text(text: str) -> None:
    # an encoded block holding a 0xED byte (a Hangul syllable from U+D000, or a
    # lone surrogate) goes through the text stream: written as the str would
    # be, or refused as the str would be
    item = base.encode_item(text)
    assert b"\xed" in item and base.decode_item(item) == text
    raw = io.BytesIO()
    utf8 = base.Utf8Output(raw)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            base.write_items(utf8, [item], terminator="\n")
    else:
        base.write_items(utf8, [item], terminator="\n")
        utf8.flush()
        assert raw.getvalue() == (text + "\n").encode()
