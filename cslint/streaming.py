"""``cslint check`` in memory that does not grow with the input.

The in-memory run (:func:`cslint.api.check_paths`) reads every message, then
builds every session, then checks them; a week of a large shop's chats does
not fit that way. A streaming run does the same work as the messages go by:

1. readers yield rows one at a time (:func:`cslint.readers.stream_file`);
2. :class:`~cslint.session_stream.SessionStream` hands back each session once
   it can no longer change;
3. the engine checks it at once; its violations are scored and rendered by
   the reporter right away and kept, as text, in a :class:`~cslint.spool.SortedSpool`
   (on disk past a limit); what the summary needs is counted
   (:class:`~cslint.model.Totals`);
4. at the end, run-level rules (F003 returning buyer, P002 data leak) turn the
   sessions' observations into violations, which are scored with their
   sessions' points; the reporter writes the document from the spools.

The result is the in-memory run's, byte for byte: same violations, same order
(by place; ties in session order), same summary. Scoring a session before the
run-level rules have spoken is safe because a rule's points are capped per
rule (:mod:`cslint.scoring`): the late violations only change their own
rules' ``deducted`` flags and the session's total.

What stays in memory: the open sessions (about two session gaps of input per
file), the engine's bounded caches, up to :data:`~cslint.spool.MEMORY_LINES`
report lines, one small record per session (its deductions, for the late
violations) and the run-level rules' observations. When the input is not in
time order across files, :class:`~cslint.session_stream.OutOfOrder` is raised
before anything is written, and the caller checks it in memory instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cslint.api import display_name, read_options, run_meta
from cslint.config import Config
from cslint.engine import Engine
from cslint.model import FileStats, InputError, Message, RunResult, Session, Totals, Violation
from cslint.readers import discover, stream_file
from cslint.reporters.base import ReportOptions, StreamingReporter
from cslint.rules.base import Rule
from cslint.ruleset import RulePack, load_pack
from cslint.scoring import score_session
from cslint.session_stream import SessionStream
from cslint.spool import SortedSpool, Spool

# Ties between violations at the same place are broken in session order,
# (start, shop, buyer, id), as the in-memory run sorts its sessions.
_SessionKey = tuple[datetime, str, str, str]
# A run-level violation naming a session the run never saw sorts after the rest.
_UNKNOWN_SESSION: _SessionKey = (datetime.max, "", "", "")


@dataclass(slots=True)
class _Checked:
    """What the end of the run needs of a checked session."""

    key: _SessionKey
    deductions: int
    reported: int  # violations already scored and spooled
    held: list[Violation]  # violations of run-level rules, scored at the end


@dataclass
class StreamedRun:
    """A finished streaming run: the result (its lists empty, ``totals`` set)
    and the rendered report items, to be written with ``reporter.write_document``."""

    result: RunResult
    violations: SortedSpool
    errors: Spool
    plain_errors: Spool | None  # ``FILE:LINE: reason`` of every input error, if asked for

    def close(self) -> None:
        _close_spools(self.violations, self.errors, self.plain_errors)


def _close_spools(*spools: SortedSpool | None) -> None:
    for spool in spools:
        if spool is not None:
            spool.close()


class _Run:
    def __init__(
        self,
        pack: RulePack,
        gap_s: int,
        reporter: StreamingReporter,
        options: ReportOptions,
        plain_errors: bool,
    ) -> None:
        self.engine = Engine(pack)
        self.sessions = SessionStream(gap_s)
        self.reporter = reporter
        self.options = options
        self.plain_errors = Spool() if plain_errors else None
        self.totals = Totals()
        self.violations = SortedSpool()
        self.errors = Spool()
        self.checked: dict[tuple[str | None, str], _Checked] = {}
        self.observed: dict[str, list[Any]] = {}
        self.max_deductions = {r.code: r.spec.max_deductions for r in self.engine.rules}
        self.run_level = {r.code for r in self.engine.rules if type(r).finish is not Rule.finish}

    def error(self, e: InputError) -> None:
        self.totals.input_errors += 1
        item = self.reporter.error_item(e, self.options)
        if item is not None:
            self.errors.add_line(item)
        if self.plain_errors is not None:
            self.plain_errors.add_line(str(e))

    def read(self, path: Path, options: Any) -> FileStats:
        stream = stream_file(path, options, display_name(path))
        add, check, error = self.sessions.add, self.check, self.error
        for item in stream:
            if type(item) is Message:
                for session in add(item):
                    check(session)
            else:
                assert isinstance(item, InputError)
                error(item)
        self.sessions.end_file()
        stats: FileStats = stream.stats
        return stats

    def check(self, session: Session) -> None:
        outcome = self.engine.check_session(session)
        key: _SessionKey = (session.start, session.shop or "", session.buyer, session.id)
        found = outcome.violations
        held = [v for v in found if v.code in self.run_level]
        if held:
            found = [v for v in found if v.code not in self.run_level]
        scored, deductions = score_session(found, self.max_deductions)
        for n, v in enumerate(scored):
            self.report(v, key, n)
        self.checked[(session.shop, session.id)] = _Checked(key, deductions, len(scored), held)
        totals = self.totals
        totals.sessions += 1
        totals.score_sum += max(0, 100 - deductions)
        if scored:
            totals.flagged_sessions += 1
        for code, seen in outcome.observations.items():
            self.observed.setdefault(code, []).append(seen)

    def report(self, v: Violation, session: _SessionKey, n: int) -> None:
        place = (v.file, v.line, v.span or (0, 0), v.code, session, n)
        self.violations.add(place, self.reporter.violation_item(v, self.options))
        self.totals.add_violation(v)

    def finish(self) -> None:
        """Run-level violations, scored with the points their sessions already lost."""
        late: dict[tuple[str | None, str], list[Violation]] = {}
        for where, checked in self.checked.items():
            if checked.held:
                late[where] = list(checked.held)
        for rule in self.engine.rules:
            for v in rule.finish(self.observed.get(rule.code, [])):
                late.setdefault((v.shop, v.session), []).append(v)
        totals = self.totals
        for where, found in late.items():
            if where not in self.checked:
                for n, v in enumerate(found):
                    self.report(v, _UNKNOWN_SESSION, n)
                continue
            checked = self.checked[where]
            scored, deductions = score_session(found, self.max_deductions)
            for n, v in enumerate(scored, checked.reported):
                self.report(v, checked.key, n)
            before = max(0, 100 - checked.deductions)
            totals.score_sum += max(0, 100 - checked.deductions - deductions) - before
            if scored and not checked.reported:
                totals.flagged_sessions += 1


def stream_check(
    paths: Sequence[str | Path],
    config: Config,
    reporter: StreamingReporter,
    options: ReportOptions,
    *,
    input_format: str | None = None,
    pack: RulePack | None = None,
    plain_errors: bool = False,
) -> StreamedRun:
    """Check the exports under ``paths`` as a stream; raises ``OutOfOrder`` (see the module doc).

    ``plain_errors`` also keeps every input error as ``FILE:LINE: reason`` (for stderr).
    """
    pack = pack if pack is not None else load_pack(config)
    run = _Run(pack, config.session_gap_s, reporter, options, plain_errors)
    files, discover_errors = discover(paths)
    try:
        for e in discover_errors:
            run.error(e)
        read = read_options(config, input_format)
        stats = [run.read(path, read) for path in files]
        for session in run.sessions.close():
            run.check(session)
        run.finish()
    except BaseException:
        _close_spools(run.violations, run.errors, run.plain_errors)
        raise
    result = RunResult(
        violations=[],
        input_errors=[],
        sessions=[],
        files=stats,
        rules=pack.infos(),
        meta=run_meta(config),
        totals=run.totals,
    )
    return StreamedRun(result, run.violations, run.errors, run.plain_errors)
