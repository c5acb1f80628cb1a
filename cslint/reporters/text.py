"""``text``: for people at a terminal, in the style of flake8 and ruff.

Each violation starts with ``FILE:LINE: CODE name  message`` (so editors and
``grep`` find it), then indented lines with the session, time and agent, the
offending text with the span marked (``「…」``, or red underline in colour) and
``→ suggestion``. Input errors read ``FILE:LINE: reason``. A summary follows
with the reconciled counts and a per-rule table; ``--statistics`` prints only
that table and the counts, as ``ruff --statistics`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any, ClassVar, TextIO

from cslint.model import InputError, RunResult, Severity, Violation
from cslint.reporters.base import ReportOptions, StreamingReporter, write_items
from cslint.reporters.common import (
    display_width,
    excerpt,
    format_time,
    masked,
    masked_str,
    one_line,
    pad,
    points_label,
)

_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_GREEN = "32"
_SPAN = "1;4;31"  # bold red underline
_SEVERITY = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}


class _Painter:
    """Wraps text in ANSI codes, or leaves it alone when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.color and text else text


def violation_lines(v: Violation, show_pii: bool, color: bool = False) -> list[str]:
    """The lines that describe one violation (also the details of a JUnit failure)."""
    paint = _Painter(color)
    head = (
        f"{paint(f'{one_line(v.file)}:{v.line}:', _BOLD)} "
        f"{paint(v.code, _SEVERITY.get(v.severity, _BOLD))} {v.name}  "
        f"{one_line(masked_str(v.message, show_pii))}"
    )
    where = [f"session {masked_str(v.session, show_pii)}"]
    if v.time is not None:
        where.append(str(format_time(v.time)))
    if v.agent:
        where.append(f"agent {v.agent}")
    where.append(f"-{points_label(v.points)}" if v.deducted else "0 points (repeat in session)")
    lines = [head, "    " + paint(one_line(" · ".join(where)), _DIM)]
    if v.text:
        mark = (f"\x1b[{_SPAN}m", _RESET) if color else ("「", "」")
        lines.append("    " + excerpt(masked_str(v.text, show_pii), v.span, mark=mark))
    suggestion = masked(v.suggestion, show_pii)
    if suggestion:
        lines.append("    " + paint(f"→ {one_line(suggestion)}", _GREEN))
    return lines


def input_error_line(e: InputError, show_pii: bool, color: bool = False) -> str:
    """``FILE:LINE: reason``, as compilers print errors."""
    paint = _Painter(color)
    return f"{paint(f'{one_line(e.file)}:{e.line}:', _BOLD)} {one_line(masked_str(e.reason, show_pii))}"


def _rule_names(result: RunResult) -> dict[str, str]:
    names = {r.code: r.name for r in result.rules}
    for code, name in result.tally().names.items():
        names.setdefault(code, name)
    return names


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows aligned into columns (display width aware); ``right`` columns right-aligned."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(pad(cell, widths[i], right=i in right) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def _counts_line(summary: dict[str, Any]) -> str:
    files = f"{summary['files']} files"
    if summary["files_failed"]:
        files += f" ({summary['files_failed']} failed)"
    return (
        f"{files} · {summary['rows_read']} rows read = {summary['messages']} messages"
        f" + {summary['rejected']} rejected · {summary['input_errors']} input errors"
    )


class TextReporter(StreamingReporter):
    """Human-readable report, optionally coloured."""

    name: ClassVar[str] = "text"
    extension: ClassVar[str] = ".txt"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        return "\n".join(violation_lines(v, options.show_pii, options.color))

    def error_item(self, e: InputError, options: ReportOptions) -> str:
        return input_error_line(e, options.show_pii, options.color)

    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        summary = result.summary()
        paint = _Painter(options.color)
        if options.statistics:
            lines = self._statistics(result, summary)
        else:
            if write_items(out, chain(violations, errors), terminator="\n"):
                out.write("\n")
            lines = self._summary(result, summary, paint)
        out.write("\n".join(lines) + "\n")

    def _statistics(self, result: RunResult, summary: dict[str, Any]) -> list[str]:
        names = _rule_names(result)
        by_rule: dict[str, int] = summary["by_rule"]
        points: dict[str, int] = summary["points_by_rule"]
        order = sorted(by_rule, key=lambda code: (-by_rule[code], code))
        digits = max((len(str(p)) for p in points.values()), default=1)
        rows = []
        for code in order:
            n = points.get(code, 0)
            unit = "point" if n == 1 else "points"
            rows.append([str(by_rule[code]), code, names.get(code, ""), f"{n:>{digits}} {unit}"])
        lines = _table(rows, right={0}) if rows else []
        lines.append(
            f"{summary['violations']} violations, {summary['points']} points"
            f" · {summary['sessions']} sessions"
        )
        lines.append(_counts_line(summary))
        return lines

    def _summary(self, result: RunResult, summary: dict[str, Any], paint: _Painter) -> list[str]:
        n = summary["violations"]
        if n:
            flagged = result.tally().flagged_sessions
            head = (
                f"Found {n} violation{'s' if n != 1 else ''} ({summary['points']} points)"
                f" in {flagged} of {summary['sessions']} sessions."
            )
            head = paint(head, _BOLD)
        else:
            head = paint(f"No violations in {summary['sessions']} sessions.", _GREEN)
        score = summary["average_score"]
        lines = [
            head,
            _counts_line(summary),
            f"{summary['sessions']} sessions · average score "
            + ("-" if score is None else f"{score:.2f}"),
        ]
        by_rule: dict[str, int] = summary["by_rule"]
        if by_rule:
            names = _rule_names(result)
            points: dict[str, int] = summary["points_by_rule"]
            rows = [["code", "name", "count", "points"]]
            rows += [
                [code, names.get(code, ""), str(count), str(points.get(code, 0))]
                for code, count in by_rule.items()
            ]
            rows.append(["total", "", str(n), str(summary["points"])])
            lines.append("")
            lines.extend("  " + row for row in _table(rows, right={2, 3}))
        return lines
