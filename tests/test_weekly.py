"""The managers' table, checked against figures computed by hand.

Two shops, three agents, six sessions in ISO weeks 10 and 11 of 2025:

====  ==========  =======  =================  ====================  =====  =========
sess  start       primary  agent msgs (emo)   first response        score  last word
====  ==========  =======  =================  ====================  =====  =========
s1    03-03 10:00 A        A 4 (2)            A 3.0 s               97     yes
s2    03-05 14:00 A        A 3 (0), B 1 (1)   B 8.0 s               99     no
s3    03-07 09:00 B        B 5 (1)            B 6.0 s (= limit)     98     yes
s4    03-09 23:59 none     —                  —                     99     no
s5    03-10 00:00 A        A 2 (1)            A 4.0 s               100    yes
s6    03-04 11:00 C (二店)  C 2 (0)           C 10.0 s              100    no
====  ==========  =======  =================  ====================  =====  =========

Violations: s1 W001 (A, 2) and W002 (A, 1); s2 T001 (A, 1); s3 W001 (B, 2) and a
repeat W001 (B, not deducted); s4 T001 (no agent, 1).
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cslint.model import (
    AgentStats,
    FileStats,
    RuleInfo,
    RunResult,
    SessionResult,
    Severity,
    Violation,
)
from cslint.output import OutputError
from cslint.reporters.common import display_width
from cslint.weekly import (
    FIXED_COLUMNS,
    format_table,
    period_key,
    summarize,
    weekly_csv,
    weekly_report,
    weekly_table,
    write_weekly,
)

SHOP = "美动态旗舰店"
A = f"{SHOP}:小花"
B = f"{SHOP}:小明"
C = "二店:小红"
RULES = [
    RuleInfo("W001", "forbidden-phrase", Severity.ERROR, 2, "禁用语", "", ""),
    RuleInfo("W002", "negative-wording", Severity.WARNING, 1, "否定词", "", ""),
    RuleInfo("T001", "first-response-6s", Severity.WARNING, 1, "首次响应", "", ""),
    RuleInfo("P002", "buyer-info-leak", Severity.ERROR, 6, "泄露", "", ""),
]
COLUMNS = [
    "shop", "agent", "week", "sessions", "agent_messages", "violations", "points", "avg_score",
    "first_response_median_s", "first_response_within_6s_pct", "emoticon_ratio", "last_word_pct",
    "W001", "W002", "T001", "P002",
]  # fmt: skip
NAN = math.nan


def violation(
    code: str, sid: str, agent: str | None, points: int, deducted: bool = True
) -> Violation:
    return Violation(
        code, code.lower(), Severity.WARNING, points, "msg", None, "chat.csv", 2, sid, "b",
        agent, None, "", None, SHOP, deducted,
    )  # fmt: skip


def session(
    sid: str,
    start: datetime,
    agent: str | None,
    agents: list[tuple[str, int, int]],
    response: tuple[str, float] | None,
    score: int,
    last_word: bool,
    shop: str | None = SHOP,
) -> SessionResult:
    return SessionResult(
        id=sid,
        buyer="b",
        shop=shop,
        agent=agent,
        start=start,
        end=start,
        file="chat.csv",
        line=2,
        messages=10,
        agent_messages=sum(n for _, n, _ in agents),
        buyer_messages=3,
        agents=tuple(AgentStats(a, n, e) for a, n, e in agents),
        first_response_s=response[1] if response else None,
        first_responder=response[0] if response else None,
        agent_last_word=last_word,
        violations=(),
        deductions=100 - score,
        score=score,
    )


def make_result() -> RunResult:
    sessions = [
        session("s1", datetime(2025, 3, 3, 10), A, [(A, 4, 2)], (A, 3.0), 97, True),
        session("s2", datetime(2025, 3, 5, 14), A, [(A, 3, 0), (B, 1, 1)], (B, 8.0), 99, False),
        session("s3", datetime(2025, 3, 7, 9), B, [(B, 5, 1)], (B, 6.0), 98, True),
        session("s4", datetime(2025, 3, 9, 23, 59, 59), None, [], None, 99, False),
        session("s5", datetime(2025, 3, 10, 0, 0, 1), A, [(A, 2, 1)], (A, 4.0), 100, True),
        session("s6", datetime(2025, 3, 4, 11), C, [(C, 2, 0)], (C, 10.0), 100, False, "二店"),
    ]
    violations = [
        violation("W001", "s1", A, 2),
        violation("W002", "s1", A, 1),
        violation("T001", "s2", A, 1),
        violation("W001", "s3", B, 2),
        violation("W001", "s3", B, 2, deducted=False),
        violation("T001", "s4", None, 1),
    ]
    files = [FileStats("chat.csv", "csv", "utf-8", 40, 40, 0)]
    return RunResult(violations, [], sessions, files, RULES)


EXPECTED_WEEKS = [
    ["二店", C, "2025-W10", 1, 2, 0, 0, 100.0, 10.0, 0.0, 0.0, 0.0, 0, 0, 0, 0],
    [SHOP, "(none)", "2025-W10", 1, 0, 1, 1, 99.0, NAN, NAN, NAN, 0.0, 0, 0, 1, 0],
    [SHOP, B, "2025-W10", 1, 6, 2, 2, 98.0, 7.0, 50.0, 0.33, 100.0, 2, 0, 0, 0],
    [SHOP, A, "2025-W10", 2, 7, 3, 4, 98.0, 3.0, 100.0, 0.29, 50.0, 1, 1, 1, 0],
    [SHOP, A, "2025-W11", 1, 2, 0, 0, 100.0, 4.0, 100.0, 0.5, 100.0, 0, 0, 0, 0],
]


def rows(df: pd.DataFrame) -> list[list[Any]]:
    return [list(r) for r in df.itertuples(index=False, name=None)]


def same(got: list[list[Any]], want: list[list[Any]]) -> bool:
    def eq(a: Any, b: Any) -> bool:
        if isinstance(b, float) and math.isnan(b):
            return isinstance(a, float) and math.isnan(a)
        return bool(a == b)

    return len(got) == len(want) and all(
        len(g) == len(w) and all(eq(a, b) for a, b in zip(g, w, strict=True))
        for g, w in zip(got, want, strict=True)
    )


def test_weekly_table_hand_computed() -> None:
    df = weekly_table(make_result())
    assert list(df.columns) == COLUMNS
    assert same(rows(df), EXPECTED_WEEKS), df.to_string()
    assert df["sessions"].dtype == "int64" and df["W001"].dtype == "int64"
    assert df["avg_score"].dtype == "float64"


def test_first_columns_are_the_contract() -> None:
    df = weekly_table(make_result())
    assert list(df.columns[:12]) == ["shop", "agent", "week", *FIXED_COLUMNS]


def test_counts_reconcile_with_the_run() -> None:
    result = make_result()
    df = weekly_table(result)
    assert df["sessions"].sum() == len(result.sessions)
    assert df["violations"].sum() == len(result.violations)
    assert df["points"].sum() == result.summary()["points"]
    assert df[["W001", "W002", "T001", "P002"]].sum().to_dict() == {
        "W001": 3, "W002": 1, "T001": 2, "P002": 0
    }  # fmt: skip


def test_threshold_comes_from_t001() -> None:
    df = weekly_table(make_result(), first_response_s=5)
    b = df[df["agent"] == B].iloc[0]
    assert b["first_response_within_6s_pct"] == 0.0  # 8 s and 6 s are both over 5 s
    a = df[(df["agent"] == A) & (df["week"] == "2025-W11")].iloc[0]
    assert a["first_response_within_6s_pct"] == 100.0


def test_month_period() -> None:
    df = weekly_table(make_result(), period="month")
    assert list(df.columns[:3]) == ["shop", "agent", "month"]
    a = df[df["agent"] == A]
    assert same(
        rows(a),
        [[SHOP, A, "2025-03", 3, 9, 3, 4, 98.67, 3.5, 100.0, 0.33, 66.67, 1, 1, 1, 0]],
    )


def test_day_period() -> None:
    df = weekly_table(make_result(), period="day")
    assert df[df["agent"] == "(none)"]["day"].tolist() == ["2025-03-09"]
    assert df[df["agent"] == A]["day"].tolist() == ["2025-03-03", "2025-03-05", "2025-03-10"]


@pytest.mark.parametrize(
    ("when", "period", "key"),
    [
        (datetime(2024, 12, 30), "week", "2025-W01"),  # Monday of week 1 of 2025
        (datetime(2024, 12, 29), "week", "2024-W52"),
        (datetime(2021, 1, 3), "week", "2020-W53"),  # Sunday still in 2020's week 53
        (datetime(2025, 3, 9, 23, 59, 59), "week", "2025-W10"),
        (datetime(2025, 3, 10), "week", "2025-W11"),
        (datetime(2025, 3, 5), "day", "2025-03-05"),
        (datetime(2025, 3, 5), "month", "2025-03"),
        (datetime(2025, 3, 5), "all", "all"),
    ],
)
def test_period_key(when: datetime, period: str, key: str) -> None:
    assert period_key(when, period) == key


def test_unknown_period() -> None:
    with pytest.raises(ValueError, match="unknown period 'year'"):
        weekly_table(make_result(), period="year")


def test_empty_run() -> None:
    df = weekly_table(RunResult([], [], [], [], RULES))
    assert list(df.columns) == COLUMNS
    assert len(df) == 0
    assert format_table(df).endswith("(no sessions)\n")


def test_shop_none_and_rule_outside_pack() -> None:
    result = make_result()
    result.sessions[5] = session(
        "s6", datetime(2025, 3, 4, 11), C, [(C, 2, 0)], None, 100, False, None
    )
    result.violations.append(violation("X999", "s6", C, 3))
    df = weekly_table(result)
    assert list(df.columns[-1:]) == ["X999"]
    row = df[df["agent"] == C].iloc[0]
    assert row["shop"] == "(none)" and row["X999"] == 1 and row["points"] == 3
    assert math.isnan(row["first_response_median_s"])


def test_whole_run_summary() -> None:
    summary = weekly_table(make_result(), period="all")
    a = summary[summary["agent"] == A]
    assert list(summary.columns[:3]) == ["shop", "agent", "period"]
    assert same(rows(a), [[SHOP, A, "all", 3, 9, 3, 4, 98.67, 3.5, 100.0, 0.33, 66.67, 1, 1, 1, 0]])
    approx = summarize(weekly_table(make_result()))
    a2 = approx[approx["agent"] == A].iloc[0]
    assert (a2["sessions"], a2["points"], a2["avg_score"], a2["last_word_pct"]) == (
        3, 4, 98.67, 66.67
    )  # fmt: skip
    assert math.isnan(a2["first_response_median_s"])  # medians do not add up


# ---------------------------------------------------------------- files


def test_csv_for_excel(tmp_path: Path) -> None:
    path = tmp_path / "weekly.csv"
    write_weekly(weekly_table(make_result()), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0] == COLUMNS
    none_row = [SHOP, "(none)", "2025-W10", "1", "0", "1", "1", "99.0", "", "", "", "0.0"]
    assert table[2] == [*none_row, "0", "0", "1", "0"]
    assert table[3][10] == "0.33"


def test_csv_neutralises_formulas() -> None:
    result = make_result()
    result.sessions[5] = session(
        "s6", datetime(2025, 3, 4, 11), '=HYPERLINK("x")', [], None, 100, False, "+shop"
    )
    text = weekly_csv(weekly_table(result))
    assert "'+shop,'=HYPERLINK" in text.replace('"', "")
    for row in csv.reader(io.StringIO(text[1:], newline="")):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_xlsx_summary_and_one_sheet_per_week(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    result = make_result()
    result.sessions[5] = session(
        "s6", datetime(2025, 3, 4, 11), "=1+1", [], None, 100, False, "二店"
    )
    path = tmp_path / "weekly.xlsx"
    weekly_report(result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "2025-W10", "2025-W11"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert list(summary[0]) == [*COLUMNS[:2], "period", *COLUMNS[3:]]
    a = next(r for r in summary if r[1] == A)
    assert a[:12] == (SHOP, A, "all", 3, 9, 3, 4, 98.67, 3.5, 100.0, 0.33, 66.67)
    week11 = list(book["2025-W11"].iter_rows(values_only=True))
    assert len(week11) == 2 and week11[1][:4] == (SHOP, A, "2025-W11", 1)
    none_row = next(r for r in book["2025-W10"].iter_rows(values_only=True) if r[1] == "(none)")
    assert none_row[8] is None  # NaN written as an empty cell
    formula = next(c for c in book["2025-W10"]["B"] if c.value == "=1+1")
    assert formula.data_type == "s"  # kept as text, never evaluated


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"unknown report type '\.pdf'"):
        write_weekly(weekly_table(make_result()), tmp_path / "weekly.pdf")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_weekly(weekly_table(make_result()), tmp_path / "nope" / "weekly.csv")


# ---------------------------------------------------------------- terminal


def test_format_table_aligns_chinese() -> None:
    text = format_table(weekly_table(make_result()))
    lines = text.splitlines()
    assert lines[0].split() == [c for c in COLUMNS if c != "P002"]  # all-zero rule hidden
    assert len({display_width(line) for line in lines}) == 1  # every line equally wide
    assert "  -  " in lines[2]  # NaN
    assert " 0.33 " in lines[3]
    full = format_table(weekly_table(make_result()), hide_zero_rules=False)
    assert full.splitlines()[0].split()[-1] == "P002"


# ---------------------------------------------------------------- html


def html_page(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "report.html"
    weekly_report(make_result(), path)
    return path, path.read_text(encoding="utf-8")


def test_html_is_self_contained(tmp_path: Path) -> None:
    _, page = html_page(tmp_path)
    root = ET.fromstring(page.split("\n", 1)[1])  # well-formed after the doctype
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}svg")) == 4
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "src=" not in page and "url(" not in page
    external = [u for u in page.split('"') if u.startswith(("http:", "https:", "//"))]
    assert set(external) == {"http://www.w3.org/2000/svg"}  # the SVG namespace only
    assert A in page and "W001 forbidden-phrase" in page
    assert page.count("<tr>") == 1 + len(EXPECTED_WEEKS)


def test_html_escapes_names(tmp_path: Path) -> None:
    result = make_result()
    result.sessions[5] = session("s6", datetime(2025, 3, 4, 11), "<b>&x", [], None, 100, False)
    path = tmp_path / "report.html"
    weekly_report(result, path)
    page = path.read_text(encoding="utf-8")
    assert "<b>&x" not in page and "&lt;b&gt;&amp;x" in page
    ET.fromstring(page.split("\n", 1)[1])


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


@pytest.mark.skipif(_browser() is None, reason="no headless Chromium installed")
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    """The page renders in a real browser: the DOM Chromium builds has the charts.

    ``apt-get install chromium`` enables this test; ``--screenshot`` with the
    same flags gives a picture to look at.
    """
    path, _ = html_page(tmp_path)
    browser = _browser()
    assert browser is not None
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dom.count("<svg") == 4 and "<polyline" in dom and A in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1200,1600", path.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", ["weekly.csv", "weekly.table.txt"])
def test_golden(name: str) -> None:
    """``CSLINT_UPDATE_GOLDEN=1`` regenerates (see tests/golden/README.md)."""
    df = weekly_table(make_result())
    got = (weekly_csv(df) if name.endswith(".csv") else format_table(df)).encode("utf-8")
    path = Path(__file__).parent / "golden" / name
    if os.environ.get("CSLINT_UPDATE_GOLDEN") == "1":
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{name} differs; CSLINT_UPDATE_GOLDEN=1 regenerates it"
