"""The managers' table: one row per shop × agent × week (or day, month).

This is the only module that imports pandas (the CLI imports it lazily, for
``cslint report`` alone), so ``cslint check`` never pays pandas' start-up.

Figures per shop × agent × period (a session belongs to the period of its
start time, ISO weeks as ``2025-W10``):

- ``sessions``: sessions whose primary agent is the agent;
- ``agent_messages``: the agent's messages in any session (AgentStats);
- ``violations`` / ``points``: violations attributed to the agent, and the
  points of those that were deducted;
- ``avg_score`` and ``last_word_pct``: over the agent's primary sessions;
- ``first_response_median_s`` and ``first_response_within_6s_pct``: over the
  sessions the agent answered first (the threshold is T001's parameter);
- ``emoticon_ratio``: the agent's messages with an emoticon / all its messages;
- then one column per rule code of the active ruleset: violation counts.

Floats are rounded to 2 decimals; a figure with nothing to average is NaN
(empty in CSV and Excel, ``-`` on the terminal). Sessions without any agent
message count under agent ``(none)``, sessions without a shop under ``(none)``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cslint.model import RunResult
from cslint.output import OutputError, write_atomic
from cslint.reporters.common import display_width, pad
from cslint.reporters.csv_ import render_csv

NONE = "(none)"
PERIODS = ("day", "week", "month", "all")
FIXED_COLUMNS = (
    "sessions",
    "agent_messages",
    "violations",
    "points",
    "avg_score",
    "first_response_median_s",
    "first_response_within_6s_pct",
    "emoticon_ratio",
    "last_word_pct",
)
INT_COLUMNS = ("sessions", "agent_messages", "violations", "points")
FLOAT_COLUMNS = tuple(c for c in FIXED_COLUMNS if c not in INT_COLUMNS)


def period_column(period: str) -> str:
    """The name of the period column: ``week`` for weekly tables, ``day``, ``month``,
    and ``period`` for the whole-run summary (``period="all"``)."""
    _check_period(period)
    return "period" if period == "all" else period


def period_key(when: datetime, period: str) -> str:
    """``2025-03-05`` (day), ``2025-W10`` (ISO week), ``2025-03`` (month) or ``all``.

    ISO weeks belong to the year of their Thursday: 2024-12-30 is ``2025-W01``.
    """
    if period == "day":
        return when.strftime("%Y-%m-%d")
    if period == "week":
        iso = when.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return when.strftime("%Y-%m")
    _check_period(period)
    return "all"


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")


def rule_codes(result: RunResult) -> list[str]:
    """The rule columns: every code of the active ruleset in its order, then any
    other code a violation carries."""
    codes = list(dict.fromkeys(r.code for r in result.rules))
    extra = sorted({v.code for v in result.violations} - set(codes))
    return codes + extra


def weekly_table(
    result: RunResult, period: str = "week", first_response_s: float = 6
) -> pd.DataFrame:
    """The manager table for ``result``, one row per shop × agent × period.

    ``first_response_s`` is T001's threshold (6 s by default); the column keeps
    its name ``first_response_within_6s_pct`` whatever the threshold.
    """
    pcol = period_column(period)
    keys = ["shop", "agent", pcol]
    codes = rule_codes(result)
    sessions = {s.id: s for s in result.sessions}

    session_rows: list[dict[str, Any]] = []
    response_rows: list[dict[str, Any]] = []
    message_rows: list[dict[str, Any]] = []
    for s in result.sessions:
        shop = s.shop or NONE
        when = period_key(s.start, period)
        session_rows.append(
            {
                "shop": shop,
                "agent": s.agent or NONE,
                pcol: when,
                "score": float(s.score),
                "last_word": 100.0 if s.agent_last_word else 0.0,
            }
        )
        if s.first_responder is not None and s.first_response_s is not None:
            response_rows.append(
                {
                    "shop": shop,
                    "agent": s.first_responder,
                    pcol: when,
                    "response_s": float(s.first_response_s),
                    "within": 100.0 if s.first_response_s <= first_response_s else 0.0,
                }
            )
        for a in s.agents:
            message_rows.append(
                {
                    "shop": shop,
                    "agent": a.agent,
                    pcol: when,
                    "messages": a.messages,
                    "emoticons": a.emoticon_messages,
                }
            )
    violation_rows: list[dict[str, Any]] = []
    for v in result.violations:
        session = sessions.get(v.session)
        if session is not None:
            # the session decides the row, so its figures and violations stay together
            shop, when = session.shop or NONE, period_key(session.start, period)
        else:  # a violation outside any session (a phrase library): its own time
            shop = v.shop or NONE
            when = period_key(v.time, period) if v.time is not None else NONE
        violation_rows.append(
            {
                "shop": shop,
                "agent": v.agent or NONE,
                pcol: when,
                "code": v.code,
                "points": v.points if v.deducted else 0,
            }
        )

    def frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=[*keys, *columns])

    by_session = (
        frame(session_rows, ["score", "last_word"])
        .groupby(keys)
        .agg(
            sessions=("score", "size"),
            avg_score=("score", "mean"),
            last_word_pct=("last_word", "mean"),
        )
    )
    by_response = (
        frame(response_rows, ["response_s", "within"])
        .groupby(keys)
        .agg(
            first_response_median_s=("response_s", "median"),
            first_response_within_6s_pct=("within", "mean"),
        )
    )
    by_messages = (
        frame(message_rows, ["messages", "emoticons"])
        .groupby(keys)
        .agg(agent_messages=("messages", "sum"), emoticons=("emoticons", "sum"))
    )
    violations = frame(violation_rows, ["code", "points"])
    by_violation = violations.groupby(keys).agg(
        violations=("code", "size"), points=("points", "sum")
    )
    by_code = pd.crosstab(
        [violations["shop"], violations["agent"], violations[pcol]], violations["code"]
    ).reindex(columns=codes, fill_value=0)

    table = pd.concat([by_session, by_response, by_messages, by_violation, by_code], axis=1)
    for column in (*INT_COLUMNS, "emoticons", *codes):
        if column not in table:
            table[column] = 0
        table[column] = table[column].fillna(0).astype("int64")
    for column in FLOAT_COLUMNS:
        if column not in table:
            table[column] = math.nan
    messages = table["agent_messages"].where(table["agent_messages"] > 0)
    table["emoticon_ratio"] = table["emoticons"] / messages
    table[list(FLOAT_COLUMNS)] = table[list(FLOAT_COLUMNS)].astype("float64").round(2)

    table = table.reset_index()
    table.columns = pd.Index([*keys, *table.columns[len(keys) :]])
    table = table[[*keys, *FIXED_COLUMNS, *codes]]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Whole-run totals per shop × agent from a period table (the Excel summary sheet).

    Counts add up; ``avg_score`` and ``last_word_pct`` are weighted by sessions and
    ``emoticon_ratio`` by messages, which is exact up to the table's rounding.
    Medians do not add up, so the first-response columns are NaN here: pass
    ``weekly_table(result, "all")`` to :func:`write_weekly` for exact figures.
    """
    pcol = str(df.columns[2])
    codes = [str(c) for c in df.columns[3 + len(FIXED_COLUMNS) :]]
    work = df.copy()
    work["_score"] = work["avg_score"].fillna(0) * work["sessions"]
    work["_last"] = work["last_word_pct"].fillna(0) * work["sessions"]
    work["_emo"] = work["emoticon_ratio"].fillna(0) * work["agent_messages"]
    sums = work.groupby(["shop", "agent"])[[*INT_COLUMNS, *codes, "_score", "_last", "_emo"]].sum()
    sessions = sums["sessions"].where(sums["sessions"] > 0)
    messages = sums["agent_messages"].where(sums["agent_messages"] > 0)
    sums["avg_score"] = (sums["_score"] / sessions).round(2)
    sums["last_word_pct"] = (sums["_last"] / sessions).round(2)
    sums["emoticon_ratio"] = (sums["_emo"] / messages).round(2)
    sums["first_response_median_s"] = math.nan
    sums["first_response_within_6s_pct"] = math.nan
    out = sums.reset_index()
    out.insert(2, pcol, "all")
    return out[[*df.columns]].reset_index(drop=True)


# ---------------------------------------------------------------- writing


def _records(df: pd.DataFrame) -> list[list[Any]]:
    """Rows as plain Python values (int, float, str), NaN as ``None``."""
    rows: list[list[Any]] = []
    for row in df.itertuples(index=False, name=None):
        out: list[Any] = []
        for value in row:
            if hasattr(value, "item"):  # numpy scalar
                value = value.item()
            if isinstance(value, float) and math.isnan(value):
                value = None
            out.append(value)
        rows.append(out)
    return rows


def weekly_csv(df: pd.DataFrame) -> str:
    """The table as CSV for Excel: BOM, formula-like cells neutralised, NaN empty."""
    return render_csv([str(c) for c in df.columns], _records(df))


def weekly_xlsx(df: pd.DataFrame, summary: pd.DataFrame | None = None) -> bytes:
    """An Excel workbook: a ``Summary`` sheet (whole run per shop × agent), then one
    sheet per period. Needs the optional ``openpyxl`` (``pip install 'cslint[excel]'``)."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError as exc:  # pragma: no cover - openpyxl is in the test extra
        raise OutputError("writing .xlsx needs openpyxl: pip install 'cslint[excel]'") from exc
    if summary is None:
        summary = summarize(df)
    pcol = str(df.columns[2])
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)  # start without the default empty sheet
    sheets: list[tuple[str, pd.DataFrame]] = [("Summary", summary)]
    for key, part in df.groupby(pcol, sort=True):
        sheets.append((_sheet_title(str(key)), part))
    for title, part in sheets:
        sheet = workbook.create_sheet(title)
        header = [str(c) for c in part.columns]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(_records(part), start=2):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                elif isinstance(value, float):
                    cell.number_format = "0.00"
        sheet.freeze_panes = "D2"
        sheet.auto_filter.ref = sheet.dimensions
        for c, name in enumerate(header, start=1):
            width = max(
                [display_width(name), *(display_width(str(v)) for v in part.iloc[:, c - 1])]
            )
            sheet.column_dimensions[get_column_letter(c)].width = min(40, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(key: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in key)
    return cleaned[:31] or "_"


def write_weekly(
    df: pd.DataFrame,
    path: Path,
    *,
    summary: pd.DataFrame | None = None,
    rule_names: Mapping[str, str] | None = None,
) -> None:
    """Write the table to ``path`` by its extension, atomically.

    ``.csv``: UTF-8 with BOM for Excel, formula-like cells neutralised.
    ``.xlsx``: a summary sheet plus one sheet per period (``summary`` defaults to
    :func:`summarize`; pass ``weekly_table(result, "all")`` for exact medians).
    ``.html``: a self-contained page with charts (:mod:`cslint.weekly_html`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, weekly_csv(df))
    elif suffix == ".xlsx":
        write_atomic(path, weekly_xlsx(df, summary))
    elif suffix in (".html", ".htm"):
        from cslint.weekly_html import render_html

        pcol = str(df.columns[2])
        codes = [str(c) for c in df.columns[3 + len(FIXED_COLUMNS) :]]
        write_atomic(
            path,
            render_html(
                [str(c) for c in df.columns],
                _records(df),
                period_column=pcol,
                codes=codes,
                rule_names=rule_names or {},
            ),
        )
    else:
        raise OutputError(
            f"cannot write {path}: unknown report type {path.suffix or '(none)'!r};"
            " use .csv, .xlsx or .html"
        )


def weekly_report(
    result: RunResult, path: Path, period: str = "week", first_response_s: float = 6
) -> pd.DataFrame:
    """Build the table for ``result`` and write it to ``path`` (.csv, .xlsx, .html).

    What ``cslint report -o FILE`` calls: the Excel summary sheet gets exact
    whole-run figures and the HTML charts the rule names. Returns the table.
    """
    df = weekly_table(result, period, first_response_s)
    summary = None
    if Path(path).suffix.lower() == ".xlsx":
        summary = weekly_table(result, "all", first_response_s)
    write_weekly(df, path, summary=summary, rule_names={r.code: r.name for r in result.rules})
    return df


# ---------------------------------------------------------------- terminal


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def format_table(df: pd.DataFrame, *, hide_zero_rules: bool = True) -> str:
    """The table as aligned text for the terminal (CJK characters count double).

    With ``hide_zero_rules`` the rule columns that are zero on every row are
    left out, so the table fits a terminal; the files keep every column.
    """
    columns: list[Hashable] = list(df.columns)
    if hide_zero_rules:
        fixed = 3 + len(FIXED_COLUMNS)
        columns = columns[:fixed] + [c for c in columns[fixed:] if df[c].sum() != 0]
    view = df[columns]
    header = [str(c) for c in columns]
    rows = [[_cell(v) for v in row] for row in _records(view)]
    if not rows:
        return "  ".join(header) + "\n(no sessions)\n"
    numeric = {i for i, c in enumerate(columns) if pd.api.types.is_numeric_dtype(view[c])}
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


__all__ = [
    "FIXED_COLUMNS",
    "NONE",
    "format_table",
    "period_key",
    "summarize",
    "weekly_csv",
    "weekly_report",
    "weekly_table",
    "weekly_xlsx",
    "write_weekly",
]
