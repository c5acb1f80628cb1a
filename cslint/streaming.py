"""``cslint check`` in memory that does not grow with the input.

The in-memory run (:func:`cslint.api.check_paths`) reads every message, then
builds every session, then checks them; a week of a large shop's chats does
not fit that way. A streaming run does the same work as the messages go by:

1. readers yield rows one at a time (:func:`cslint.readers.stream_file`);
2. :class:`~cslint.session_stream.SessionStream` hands back each session once
   it can no longer change;
3. the engine checks it at once; its violations are scored and rendered by
   the reporter right away and kept, as UTF-8 text, in a :class:`~cslint.spool.SortedSpool`
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

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cslint.api import display_name, read_options, run_meta
from cslint.config import Config
from cslint.engine import Engine
from cslint.model import FileStats, InputError, Message, RunResult, Session, Totals, Violation
from cslint.readers import discover, stream_file, without_rows
from cslint.readers.columns import fill_shops
from cslint.reporters.base import ReportOptions, StreamingReporter, encode_item
from cslint.rules.base import TEXT_CACHE_SIZE, Rule
from cslint.ruleset import RulePack, load_pack
from cslint.scoring import score_session
from cslint.session_stream import OutOfOrder, SessionStream
from cslint.sessionize import sessionize
from cslint.share import SKIPPED, Share
from cslint.spool import BaseSpool, SortedSpool, Spool

# Ties between violations at the same place are broken in session order,
# (start, shop, buyer, id), as the in-memory run sorts its sessions.
_SessionKey = tuple[datetime, str, str, str]
# Input that cannot stream is checked in this many parts by buyer, each held in
# memory in turn (Job._check_whole), and each part keeps this many messages in
# memory while the input is read.
WHOLE_BUCKETS = 16
BUCKET_MEMORY = 2_000
# A run-level violation naming a session the run never saw sorts after the rest.
_UNKNOWN_SESSION: _SessionKey = (datetime.max, "", "", "")


# What the end of the run needs of a checked session, kept in a spool (one per
# session, so on disk past a limit): (where, key, deductions, reported, held).
# ``where`` is (shop, id), as run-level violations name the session; ``reported``
# counts the violations already scored and spooled; ``held`` are violations of
# rules that also judge the whole run, scored at the end. A plain tuple: it
# pickles five times faster than a dataclass, and the parent reads every one.
_Checked = tuple[tuple[str | None, str], _SessionKey, int, int, list[Violation] | None]


@dataclass
class Part:
    """A worker's share of a run: what the parent needs to finish it
    (run-level rules, late scoring) and the paths of its spooled report lines."""

    files: list[FileStats]
    totals: Totals
    explicit_ids: set[str]  # the session ids read from the input (not derived)
    finished: set[str]  # the rules the worker finished for its buyers (finish_buyers)
    checked: _Handed
    observed: dict[str, _Handed]
    violations: _Handed
    errors: _Handed
    plain_errors: _Handed | None


_Handed = tuple[list[str], int]  # a spool's runs, handed to the parent, and its item count


def _handed(spool: BaseSpool[Any]) -> _Handed:
    count = spool.count
    return spool.hand_over(), count


@dataclass
class StreamedRun:
    """A finished streaming run: the result (its lists empty, ``totals`` set)
    and the rendered report items, to be written with ``reporter.write_document``."""

    result: RunResult
    violations: SortedSpool[bytes]
    errors: SortedSpool[bytes]
    plain_errors: (
        SortedSpool[str] | None
    )  # ``FILE:LINE: reason`` of every input error, if asked for
    folder: str | None = None  # the workers' spool runs (a run with --jobs), removed by close

    def close(self) -> None:
        _close_spools(self.violations, self.errors, self.plain_errors)
        _remove(self.folder)


def _close_spools(*spools: BaseSpool[Any] | None) -> None:
    for spool in spools:
        if spool is not None:
            spool.close()


class RunInProgress:
    """A streaming run as it goes: the engine, the open sessions, the spooled
    report lines and what the end of the run needs of every checked session."""

    def __init__(
        self,
        pack: RulePack,
        gap_s: int,
        reporter: StreamingReporter,
        options: ReportOptions,
        plain_errors: bool,
        *,
        share: Share | None = None,
        folder: str | None = None,
    ) -> None:
        # a worker sees about 1/N of the distinct texts: a cache as large as one
        # process's would only hold N times the memory
        self.engine = Engine(pack, TEXT_CACHE_SIZE // (share.of if share is not None else 1))
        self.sessions = SessionStream(gap_s)
        self.reporter = reporter
        self.options = options
        self.share = share
        # the errors of finding the files: every worker finds them, the first reports them
        self.reports_discovery = share is None or share.first
        # input errors sorted by their place in the input, (file number, item number
        # in the file): a worker reports only its own rows' (cslint.share)
        self.errors: SortedSpool[bytes] = SortedSpool(folder=folder)
        self.plain_errors: SortedSpool[str] | None = (
            SortedSpool(folder=folder) if plain_errors else None
        )
        self.totals = Totals()
        self.whole_explicit_ids: set[str] = set()  # of the sessions a Job.whole run built
        self.folder = folder
        self.violations: SortedSpool[bytes] = SortedSpool(folder=folder)
        self.checked: Spool[_Checked] = Spool(folder=folder, records=True)
        self.observed: dict[str, Spool[Any]] = {}
        self.max_deductions = {r.code: r.spec.max_deductions for r in self.engine.rules}
        # violations of rules that also judge the whole run are scored at the end
        # (the bundled run-level rules only observe: then nothing is held)
        self.run_level_checks = {
            r.code
            for r in self.engine.rules
            if type(r).finish is not Rule.finish and type(r).check is not Rule.check
        }
        self.finished: set[str] = set()  # rules finished already (finish_buyers)

    def error(self, e: InputError, place: tuple[int, int]) -> None:
        self.totals.input_errors += 1
        item = self.reporter.error_item(e, self.options)
        if item is not None:
            self.errors.add(place, encode_item(item))
        if self.plain_errors is not None:
            self.plain_errors.add(place, str(e))

    def read(self, path: Path, options: Any, number: int) -> FileStats:
        """Read file ``number`` of the run (this worker's rows of it)."""
        stream = stream_file(path, options, display_name(path), self.share)
        add, check, error = self.sessions.add, self.check, self.error
        for n, item in enumerate(stream):
            if type(item) is Message:
                for session in add(item):
                    check(session)
            elif item is not SKIPPED:
                assert isinstance(item, InputError)
                error(item, (number, n))
        self.sessions.end_file()
        stats: FileStats = stream.stats
        return stats

    def check(self, session: Session) -> None:
        _, found, observations = self.engine.judge(session)
        key: _SessionKey = (session.start, session.shop or "", session.buyer, session.id)
        held: list[Violation] | None = None
        if self.run_level_checks:
            held = [v for v in found if v.code in self.run_level_checks] or None
            if held:
                found = [v for v in found if v.code not in self.run_level_checks]
        scored, deductions = score_session(found, self.max_deductions)
        for n, v in enumerate(scored):
            self.report(v, key, n)
        where = (session.shop, session.id)
        self.checked.append((where, key, deductions, len(scored), held))
        totals = self.totals
        totals.sessions += 1
        totals.score_sum += max(0, 100 - deductions)
        if scored:
            totals.flagged_sessions += 1
        for code, seen in observations.items():
            self._observations(code).append(seen)

    def _observations(self, code: str) -> Spool[Any]:
        spool = self.observed.get(code)
        if spool is None:
            spool = self.observed[code] = Spool(folder=self.folder, records=True)
        return spool

    def report(self, v: Violation, session: _SessionKey, n: int) -> None:
        place = (v.file, v.line, v.span or (0, 0), v.code, session, n)
        self.violations.add(place, encode_item(self.reporter.violation_item(v, self.options)))
        self.totals.add_violation(v)

    def hand_over(self, stats: list[FileStats]) -> Part:
        """What a worker's run hands to the parent's (see :meth:`take`)."""
        assert self.share is not None
        return Part(
            stats,
            self.totals,
            self.sessions.explicit_ids | self.whole_explicit_ids,
            self.finished,
            _handed(self.checked),
            {code: _handed(spool) for code, spool in self.observed.items()},
            _handed(self.violations),
            _handed(self.errors),
            _handed(self.plain_errors) if self.plain_errors is not None else None,
        )

    def take(self, part: Part) -> None:
        """Add a worker's checked sessions, counts and report lines to this run's.

        Workers check disjoint sets of sessions, so the place keys of their
        violations never tie and the merged order is the one-process order.
        """
        self.totals.merge(part.totals)
        self.finished |= part.finished
        self.checked.adopt(*part.checked)
        for code, seen in part.observed.items():
            self._observations(code).adopt(*seen)
        self.violations.adopt(*part.violations)
        self.errors.adopt(*part.errors)
        if self.plain_errors is not None and part.plain_errors is not None:
            self.plain_errors.adopt(*part.plain_errors)

    def close_spools(self) -> None:
        """Close every spool (the report's lines too: call on failure only)."""
        _close_spools(self.violations, self.errors, self.plain_errors)
        self._close_records()

    def _close_records(self) -> None:
        _close_spools(self.checked, *self.observed.values())

    def finish_buyers(self) -> None:
        """In a worker of a parallel run: finish the rules that need only one
        buyer's sessions (:attr:`~cslint.rules.base.Rule.finishes_per_buyer`),
        all of whose sessions for this worker's buyers are here, so that the
        parent's :meth:`finish` has only the rest to do (F003 in the bundled
        rules: most of the serial end of the run).

        Scoring in two passes gives the one-pass result because points are
        capped per rule; rules whose violations are held (they also check
        sessions) are left to the last pass, which scores them all together.
        """
        rules = [
            r
            for r in self.engine.rules
            if r.finishes_per_buyer and r.code not in self.run_level_checks
        ]
        self._finish(rules, last=False)

    def finish(self) -> None:
        """Run-level violations, scored with the points their sessions already lost."""
        self._finish([r for r in self.engine.rules if r.code not in self.finished], last=True)
        self._close_records()

    def _finish(self, rules: Sequence[Rule], *, last: bool) -> None:
        late: dict[tuple[str | None, str], list[Violation]] = {}
        for rule in rules:
            observed = self.observed.pop(rule.code, None)
            for v in rule.finish(observed if observed is not None else ()):
                late.setdefault((v.shop, v.session), []).append(v)
            if observed is not None:
                observed.close()
            self.finished.add(rule.code)
        if late or (last and self.run_level_checks):
            self._score_late(late, last=last)

    def _score_late(
        self, late: dict[tuple[str | None, str], list[Violation]], *, last: bool
    ) -> None:
        """Score the late violations (and, in the last pass, the held ones)
        with their sessions: one pass over the sessions' records (on disk past
        a limit) joins them with the late violations, which are few. A pass
        that is not the last writes the records anew, with what it scored."""
        totals = self.totals
        rewritten: Spool[_Checked] | None = None
        if not last:
            rewritten = Spool(folder=self.folder, records=True)
        for record in self.checked:
            where, key, deductions, reported, held = record
            found = late.pop(where, [])
            if last and held:
                found = held + found
            if found:
                scored, more = score_session(found, self.max_deductions)
                for n, v in enumerate(scored, reported):
                    self.report(v, key, n)
                before = max(0, 100 - deductions)
                totals.score_sum += max(0, 100 - deductions - more) - before
                if scored and not reported:
                    totals.flagged_sessions += 1
                record = (where, key, deductions + more, reported + len(scored), held)
            if rewritten is not None:
                rewritten.append(record)
        if rewritten is not None:
            self.checked.close()
            self.checked = rewritten
        for found in late.values():  # a run-level rule named a session the run never saw
            for n, v in enumerate(found):
                self.report(v, _UNKNOWN_SESSION, n)


@dataclass(frozen=True)
class Job:
    """The inputs of a streaming run, from which each process makes its :class:`RunInProgress`."""

    pack: RulePack
    gap_s: int
    reporter: StreamingReporter
    options: ReportOptions
    plain_errors: bool
    files: list[Path]
    discover_errors: list[InputError]
    read: Any  # ReadOptions
    # read and sessionize in memory (input that cannot stream), then check
    whole: bool = False

    def new_run(self, share: Share | None = None, folder: str | None = None) -> RunInProgress:
        return RunInProgress(
            self.pack,
            self.gap_s,
            self.reporter,
            self.options,
            self.plain_errors,
            share=share,
            folder=folder,
        )

    def check_all(self, run: RunInProgress) -> list[FileStats]:
        """Read every file into ``run`` and check every session (of its share);
        the files' counts. Run-level rules are left to :meth:`RunInProgress.finish`."""
        try:
            if run.reports_discovery:
                for n, e in enumerate(self.discover_errors):
                    run.error(e, (-1, n))
            if self.whole:
                return self._check_whole(run)
            stats = [run.read(path, self.read, n) for n, path in enumerate(self.files)]
            for session in run.sessions.close():
                run.check(session)
        except BaseException:
            run.close_spools()
            raise
        return stats

    def _check_whole(self, run: RunInProgress) -> list[FileStats]:
        """Check input that cannot stream as the in-memory run would: rows read as
        :func:`cslint.readers.read_file` reads them (shops filled per file, a
        failed file's rows dropped), sessions built by :func:`cslint.sessionize.sessionize`.

        Shops are filled per buyer and sessions are built per buyer, so the
        run's messages are first spooled to :data:`WHOLE_BUCKETS` buckets by
        buyer (on disk past a few thousand) and each bucket is then sessionized
        and checked alone: memory holds one bucket's messages, not the input's.
        An explicit session id whose rows name buyers of two buckets (or of two
        workers' shares, see :mod:`cslint.stream_parallel`) is out of order.
        """
        share_of = run.share.of if run.share is not None else 1
        buckets: list[Spool[tuple[int, Message]]] = [
            Spool(BUCKET_MEMORY, folder=run.folder) for _ in range(WHOLE_BUCKETS)
        ]
        stats: list[FileStats] = []
        failed: set[int] = set()
        try:
            for number, path in enumerate(self.files):
                stream = stream_file(path, self.read, display_name(path), run.share)
                errors: list[tuple[int, InputError]] = []
                for n, item in enumerate(stream):
                    if type(item) is Message:
                        buckets[hash(item.buyer) // share_of % WHOLE_BUCKETS].append((number, item))
                    elif item is not SKIPPED:
                        assert isinstance(item, InputError)
                        errors.append((n, item))
                counts = stream.stats
                if counts.failed:  # as read_file does
                    counts = without_rows(counts)
                    failed.add(number)
                    errors = [(n, e) for n, e in errors if e.kind == "file"]
                for n, e in errors:
                    run.error(e, (number, n))
                stats.append(counts)
            for bucket in buckets:
                self._check_bucket(run, bucket, failed)
                bucket.close()  # its runs on disk go as soon as it is checked
        finally:  # on failure, check_all closes the run's spools
            for bucket in buckets:
                bucket.close()
        return stats

    def _check_bucket(
        self, run: RunInProgress, bucket: Spool[tuple[int, Message]], failed: set[int]
    ) -> None:
        messages: list[Message] = []
        file: list[Message] = []  # one file's messages, shops filled together
        current = -1
        for number, m in bucket:  # in the order read
            if number != current:
                messages.extend(fill_shops(file))
                file, current = [], number
            if number not in failed:
                file.append(m)
        messages.extend(fill_shops(file))
        sessions = sessionize(messages, self.gap_s)
        del messages, file  # the sessions hold them now
        explicit = {s.id for s in sessions if s.messages[0].session is not None}
        shared = explicit & run.whole_explicit_ids
        if shared:
            raise OutOfOrder(f"session {min(shared)!r} has rows of more than one buyer")
        run.whole_explicit_ids |= explicit
        for session in sessions:
            run.check(session)


def stream_check(
    paths: Sequence[str | Path],
    config: Config,
    reporter: StreamingReporter,
    options: ReportOptions,
    *,
    input_format: str | None = None,
    pack: RulePack | None = None,
    plain_errors: bool = False,
    jobs: int = 1,
    whole: bool = False,
) -> StreamedRun:
    """Check the exports under ``paths`` as a stream; raises ``OutOfOrder`` (see the module doc).

    ``plain_errors`` also keeps every input error as ``FILE:LINE: reason`` (for stderr).
    ``jobs`` > 1 checks the buyers' sessions in that many forked processes
    (:mod:`cslint.stream_parallel`) when the input is large enough; the report is the same.
    ``whole`` reads and sessionizes the input in memory first, for input that
    cannot stream: the messages are held (each worker its share), but the
    report is still spooled.
    """
    from cslint.stream_parallel import run_in_workers, workers_for

    pack = pack if pack is not None else load_pack(config)
    files, discover_errors = discover(paths)
    read = read_options(config, input_format)
    job = Job(
        pack,
        config.session_gap_s,
        reporter,
        options,
        plain_errors,
        files,
        discover_errors,
        read,
        whole,
    )
    workers = workers_for(jobs, files)
    folder: str | None = None
    if workers > 1:
        run, stats, folder = run_in_workers(job, workers)
    else:
        run = job.new_run()
        stats = job.check_all(run)
    try:
        run.finish()
    except BaseException:
        run.close_spools()
        _remove(folder)
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
    return StreamedRun(result, run.violations, run.errors, run.plain_errors, folder)


def _remove(folder: str | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
