"""``--jobs N`` for the runs made in memory: check sessions in N processes,
with output identical to one.

Workers are forked after the sessions are built (:func:`cslint.forked.run_forked`),
so they inherit the session list and the compiled engine: no message is
pickled on the way in, and only the small per-session outcomes come back.
The sessions are cut into contiguous ranges, dealt to the workers in turn
(more ranges than workers keeps both cores busy when sessions differ in
cost), and the outcomes are joined in range order, so the run sees them in
exactly the order ``--jobs 1`` produces them.

Where ``fork`` is not available (Windows, macOS' default), or the input is
small enough that starting workers (each loads jieba's dictionary on first
use) would cost more than it saves, the sessions are checked in this process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cslint.engine import Engine, SessionOutcome
from cslint.forked import can_fork, run_forked
from cslint.model import Session

# Below this many sessions a second process does not pay for its start-up.
MIN_SESSIONS_PER_JOB = 2000


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def effective_jobs(jobs: int, sessions: int) -> int:
    """How many processes to use for ``sessions`` sessions when asked for ``jobs``."""
    if jobs <= 1 or not can_fork():
        return 1
    return max(1, min(jobs, sessions // MIN_SESSIONS_PER_JOB))


def check_sessions(engine: Engine, sessions: Sequence[Session], jobs: int) -> list[SessionOutcome]:
    """Every session's outcome, in session order, using up to ``jobs`` processes."""
    workers = effective_jobs(jobs, len(sessions))
    if workers == 1:
        return [engine.check_session(s) for s in sessions]
    size = -(-len(sessions) // (workers * 8))
    ranges = [(i, min(i + size, len(sessions))) for i in range(0, len(sessions), size)]

    def work(number: int) -> list[list[SessionOutcome]]:
        # ranges number, number + workers, …: inherited with the fork, never pickled
        return [
            [engine.check_session(s) for s in sessions[start:end]]
            for start, end in ranges[number::workers]
        ]

    dealt = run_forked(work, workers)
    outcomes: list[SessionOutcome] = []
    for n in range(len(ranges)):
        outcomes.extend(dealt[n % workers][n // workers])
    return outcomes
