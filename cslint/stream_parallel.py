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
import multiprocessing
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from cslint.model import FileStats
from cslint.session_stream import OutOfOrder
from cslint.share import Share
from cslint.streaming import Job, Part, RunInProgress

# Below this much input per worker, a worker's start-up (its own caches and
# jieba's dictionary, filled again) costs more than it saves: about 20,000
# messages of canonical CSV.
MIN_BYTES_PER_JOB = 2_000_000

# set in the parent just before the workers are forked; they inherit it
_WORK: tuple[Job, int, str] | None = None


def workers_for(jobs: int, files: Sequence[Path]) -> int:
    """How many processes check ``files`` when ``jobs`` are allowed."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    size = 0
    for path in files:
        with contextlib.suppress(OSError):  # reported by the reader
            size += path.stat().st_size
    return max(1, min(jobs, size // MIN_BYTES_PER_JOB))


class WorkerFailed(Exception):
    """A worker ended without handing back its part (killed, out of memory)."""


def _work(number: int) -> Part | str:
    """In a worker: check this share; the part, or why the input cannot stream."""
    assert _WORK is not None
    job, workers, folder = _WORK
    run = job.new_run(Share(number, workers), folder)
    try:
        stats = job.check_all(run)
    except OutOfOrder as exc:
        return str(exc)
    return run.hand_over(stats)


def _serve(number: int, send: Connection) -> None:
    """A worker's life: its part (or why not) down the pipe, then exit."""
    try:
        send.send(("part", _work(number)))
    except BaseException as exc:  # a cslint bug: the parent re-raises it
        try:
            send.send(("error", exc))
        except Exception:  # not picklable
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def run_in_workers(job: Job, workers: int) -> tuple[RunInProgress, list[FileStats], str]:
    """Check ``job`` in ``workers`` processes: the merged run (to be finished),
    the files' counts and the folder holding the spool runs (the caller removes it).

    Plain processes and pipes rather than a ``Pool``: a pool waits forever
    for the task of a worker that was killed; here its pipe closes and the
    run stops with :class:`WorkerFailed`. On any failure the other workers are
    stopped at once.
    """
    global _WORK
    folder = tempfile.mkdtemp(prefix="cslint-")
    _WORK = (job, workers, folder)
    context = multiprocessing.get_context("fork")
    processes: list[BaseProcess] = []
    waiting: dict[Connection, int] = {}
    parts: dict[int, Part] = {}
    try:
        for number in range(workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_serve, args=(number, send), daemon=True)
            process.start()
            send.close()  # the worker's end: EOF here once the worker is gone
            processes.append(process)
            waiting[receive] = number
        while waiting:
            for ready in wait(list(waiting)):
                assert isinstance(ready, Connection)
                number = waiting.pop(ready)
                parts[number] = _received(ready, processes[number])
        _refuse_shared_sessions(parts.values())
        run = job.new_run()
        for number in sorted(parts):
            run.take(parts[number])
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        _WORK = None
        for worker in processes:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        for connection in waiting:
            connection.close()
    return run, _add_counts([part.files for part in parts.values()]), folder


def _received(connection: Connection, process: BaseProcess) -> Part:
    try:
        kind, payload = connection.recv()
    except EOFError:
        process.join()
        raise WorkerFailed(
            f"a worker process ended without its result (exit code {process.exitcode}: "
            "killed, or out of memory?); try --jobs 1"
        ) from None
    finally:
        connection.close()
    if kind == "error":
        raise payload
    if isinstance(payload, str):
        raise OutOfOrder(payload)
    assert isinstance(payload, Part)
    return payload


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
