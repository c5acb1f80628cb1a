"""``--jobs N``: check sessions in N processes, with output identical to one.

Workers are forked after the sessions are built, so they inherit the session
list and the compiled engine and receive only ``(start, end)`` ranges: no
message is pickled on the way in, and only the small per-session outcomes
come back. Ranges are contiguous and results are joined in range order, so
the run sees outcomes in exactly the order ``--jobs 1`` produces them.

Where ``fork`` is not available (Windows, macOS' default), or the input is
small enough that starting workers (each loads jieba's dictionary on first
use) would cost more than it saves, the sessions are checked in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

from cslint.engine import Engine, SessionOutcome
from cslint.model import Session

# Below this many sessions a second process does not pay for its start-up.
MIN_SESSIONS_PER_JOB = 2000

_ENGINE: Engine | None = None
_SESSIONS: Sequence[Session] = ()


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_range(bounds: tuple[int, int]) -> list[SessionOutcome]:
    assert _ENGINE is not None
    start, end = bounds
    return [_ENGINE.check_session(s) for s in _SESSIONS[start:end]]


def effective_jobs(jobs: int, sessions: int) -> int:
    """How many processes to use for ``sessions`` sessions when asked for ``jobs``."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, sessions // MIN_SESSIONS_PER_JOB))


def check_sessions(engine: Engine, sessions: Sequence[Session], jobs: int) -> list[SessionOutcome]:
    """Every session's outcome, in session order, using up to ``jobs`` processes."""
    workers = effective_jobs(jobs, len(sessions))
    if workers == 1:
        return [engine.check_session(s) for s in sessions]
    global _ENGINE, _SESSIONS
    _ENGINE, _SESSIONS = engine, sessions
    # more chunks than workers keeps both cores busy when sessions differ in cost
    chunks = workers * 8
    size = -(-len(sessions) // chunks)
    ranges = [(i, min(i + size, len(sessions))) for i in range(0, len(sessions), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_check_range, ranges, chunksize=1)
    finally:
        _ENGINE, _SESSIONS = None, ()
    return [outcome for part in parts for outcome in part]
