"""``--jobs N`` for a streaming check: N forked workers, one share of the buyers each.

Every worker reads every file, and converts, sessionizes and checks only its
own rows: those naming a buyer of its share, and for the first worker the
rows that name no buyer (:mod:`cslint.share`). Sessions are per buyer, and so
are the shop placements and the returning-buyer rule's history, so a worker
sees everything its sessions depend on. Each worker renders its violations
and input errors into sorted spool runs in a shared temporary folder, keyed
by their place, and hands back its counts, its per-session records and its
run-level observations (spooled there too); the parent merges them and
finishes the run (run-level rules, late scoring) as one process would.

Input that cannot stream raises :class:`~cslint.session_stream.OutOfOrder` in
a worker (the others are stopped), or in the parent when one explicit
session id turns up in two workers (its rows name different buyers); the
caller then checks the input in memory, as without ``--jobs``.

Where ``fork`` is not available, or the input is small enough that a second
process would not pay for itself, one process does the work.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from cslint.forked import can_fork, run_forked
from cslint.model import FileStats
from cslint.session_stream import OutOfOrder
from cslint.share import Share
from cslint.streaming import Job, Part, RunInProgress

# Below this much input per worker, a worker's start-up (its own caches and
# jieba's dictionary, filled again) costs more than it saves: about 20,000
# messages of canonical CSV.
MIN_BYTES_PER_JOB = 2_000_000


def workers_for(jobs: int, files: Sequence[Path]) -> int:
    """How many processes check ``files`` when ``jobs`` are allowed."""
    if jobs <= 1 or not can_fork():
        return 1
    size = 0
    for path in files:
        with contextlib.suppress(OSError):  # reported by the reader
            size += path.stat().st_size
    return max(1, min(jobs, size // MIN_BYTES_PER_JOB))


def _work(job: Job, share: Share, folder: str) -> Part:
    """In a worker: check this share (raises ``OutOfOrder``, which stops the run)."""
    run = job.new_run(share, folder)
    stats = job.check_all(run)
    run.finish_buyers()
    return run.hand_over(stats)


def run_in_workers(job: Job, workers: int) -> tuple[RunInProgress, list[FileStats], str]:
    """Check ``job`` in ``workers`` processes (:func:`cslint.forked.run_forked`):
    the merged run (to be finished), the files' counts and the folder holding
    the spool runs (the caller removes it)."""
    folder = tempfile.mkdtemp(prefix="cslint-")
    try:
        # forked: the job is inherited, never pickled
        parts = run_forked(lambda number: _work(job, Share(number, workers), folder), workers)
        _refuse_shared_sessions(parts)
        run = job.new_run()
        for part in parts:
            run.take(part)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return run, _add_counts([part.files for part in parts]), folder


def _add_counts(shares: Sequence[list[FileStats]]) -> list[FileStats]:
    """Each file's counts over the workers (each counted its own rows)."""
    files = []
    for counts in zip(*shares, strict=True):
        first = counts[0]
        files.append(
            FileStats(
                first.file,
                first.format,
                first.encoding,
                sum(c.rows_read for c in counts),
                sum(c.messages for c in counts),
                sum(c.rejected for c in counts),
                any(c.failed for c in counts),
            )
        )
    return files


def _refuse_shared_sessions(parts: Iterable[Part]) -> None:
    """An explicit session id checked by two workers has rows of two buyers:
    one process would have made one session of it."""
    seen: set[str] = set()
    for part in parts:
        shared = part.explicit_ids & seen
        if shared:
            raise OutOfOrder(f"session {min(shared)!r} has rows of more than one buyer")
        seen |= part.explicit_ids
