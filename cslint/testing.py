"""``cslint test``: run labelled transcripts and report how the rules did.

The cases and the runner are :mod:`cslint.corpus` (docs/corpus-format.md);
this module collects the files, runs every case that can be run, and prints:

1. a per-rule table: in how many cases the code was expected, found, missed
   (expected, not found) and unexpected (found, not expected), with
   precision = (found − unexpected) / found and recall = (expected − missed)
   / expected, over the cases whose scope includes the code;
2. each failing case as ``FILE:LINE: name`` with the expected and the found
   codes (and the codes found outside the case's scope, for context);
3. the corpus files or cases that could not be used (``FILE:LINE: reason``);
4. a last line ``N passed, N failed`` and nothing after it.

Exit status (decided by the CLI): 0 when every case passed, 1 when a case
failed, 2 when a corpus file, a case's config or a case's transcript is
broken (the other cases still run; a broken case counts as failed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cslint.config import Config
from cslint.corpus import (
    Case,
    CaseResult,
    CorpusReport,
    CorpusRunner,
    RuleTally,
    find_corpus_files,
    load_cases,
)
from cslint.errors import ConfigError


@dataclass
class CorpusRun:
    """The outcome of ``cslint test``."""

    report: CorpusReport
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # broken files, cases, transcripts
    active: frozenset[str] = frozenset()  # codes of the rules the base config runs

    @property
    def broken(self) -> bool:
        return bool(self.errors)

    @property
    def exit_code(self) -> int:
        if self.broken:
            return 2
        return 1 if self.report.failed else 0


def default_paths() -> list[Path]:
    """The project's labelled corpus (bundled with the package)."""
    from cslint.ruleset import data_dir

    return [data_dir("corpora")]


def _display(path: Path) -> Path:
    from cslint.api import display_name

    return Path(display_name(path))


def run_tests(paths: Sequence[str | Path], config: Config) -> CorpusRun:
    """Load every case under ``paths`` and run it with ``config`` as the base config."""
    from cslint.ruleset import load_pack

    run = CorpusRun(CorpusReport())
    files: list[Path] = []
    for p in paths:
        try:
            files.extend(find_corpus_files([p]))
        except ConfigError as exc:
            run.errors.append(str(exc))
    cases: list[Case] = []
    for f in files:
        shown = _display(f)
        run.files.append(str(shown))
        try:
            cases.extend(load_cases(shown))
        except ConfigError as exc:
            run.errors.append(str(exc))
    try:
        run.active = frozenset(r.code for r in load_pack(config).rules)
    except ConfigError as exc:
        run.errors.append(str(exc))
        return run
    runner = CorpusRunner(config)
    for case in cases:
        try:
            result = runner.run_case(case)
        except ConfigError as exc:
            run.errors.append(f"{case.where}: case {case.name!r}: {exc}")
            result = CaseResult(
                case=case, found=frozenset(), all_found=(), input_errors=(str(exc),)
            )
        else:
            for error in result.input_errors:
                run.errors.append(
                    f"{case.where}: case {case.name!r}: the transcript is broken: {error}"
                )
        run.report.results.append(result)
    return run


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _codes(codes: frozenset[str] | Sequence[str]) -> str:
    return ", ".join(sorted(codes)) or "(none)"


def tally_rows(tally: dict[str, RuleTally]) -> list[list[str]]:
    rows = [["rule", "expected", "found", "missed", "unexpected", "precision", "recall"]]
    total = RuleTally()
    for code, t in tally.items():
        rows.append(
            [
                code,
                str(t.expected),
                str(t.found),
                str(t.missed),
                str(t.unexpected),
                _ratio(t.precision),
                _ratio(t.recall),
            ]
        )
        total.expected += t.expected
        total.found += t.found
        total.missed += t.missed
        total.unexpected += t.unexpected
    rows.append(
        [
            "all",
            str(total.expected),
            str(total.found),
            str(total.missed),
            str(total.unexpected),
            _ratio(total.precision),
            _ratio(total.recall),
        ]
    )
    return rows


def _table(rows: list[list[str]]) -> list[str]:
    from cslint.reporters.common import display_width, pad

    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def failure_lines(result: CaseResult, active: frozenset[str]) -> list[str]:
    case = result.case
    lines = [f"{case.where}: {case.name}"]
    lines.append(f"    expected: {_codes(case.expect)}")
    lines.append(f"    found:    {_codes(result.found)}")
    if result.missed:
        inactive = sorted(c for c in result.missed if active and c not in active)
        note = f"  (not an active rule: {', '.join(inactive)})" if inactive else ""
        lines.append(f"    missed:   {_codes(result.missed)}{note}")
    if result.unexpected:
        lines.append(f"    unexpected: {_codes(result.unexpected)}")
    outside = sorted(set(result.all_found) - result.found)
    if outside:
        lines.append(f"    (also found, outside the case's scope: {', '.join(outside)})")
    for error in result.input_errors:
        lines.append(f"    broken: {error}")
    return lines


def render(run: CorpusRun, *, verbose: bool = False) -> str:
    """The whole ``cslint test`` report; its last line is ``N passed, N failed``."""
    report = run.report
    n_cases = len(report.results)
    lines = [
        f"{len(run.files)} corpus file{'s' if len(run.files) != 1 else ''}, {n_cases} case{'s' if n_cases != 1 else ''}"
    ]
    tally = report.tally()
    if tally:
        lines += [
            "",
            "Cases per rule (precision = share of found that was expected, recall = share of expected that was found):",
        ]
        lines.extend("  " + row for row in _table(tally_rows(tally)))
    if verbose and report.results:
        lines.append("")
        for r in report.results:
            lines.append(f"{'PASS' if r.passed else 'FAIL'}  {r.case.where}: {r.case.name}")
    failed = [r for r in report.results if not r.passed]
    if failed:
        lines += ["", "Failed cases:"]
        for r in failed:
            lines.extend(failure_lines(r, run.active))
    if run.errors:
        lines += ["", "Broken corpus files or cases:"]
        lines.extend(run.errors)
    lines += ["", f"{report.passed} passed, {report.failed} failed"]
    return "\n".join(lines) + "\n"
