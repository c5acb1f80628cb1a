"""Run ``work(0)`` … ``work(n - 1)`` in ``n`` forked processes (``--jobs``).

Workers are forked, so they inherit everything the parent built (rules,
sessions, the job) and ``work`` is never pickled; only each result comes back,
through a pipe of its own. Plain processes rather than a
``multiprocessing.Pool``: a pool waits forever for the task of a worker that
was killed (the out-of-memory killer), while here the worker's pipe closes and
the run stops with :class:`WorkerFailed`. An exception raised by ``work``
(``OutOfOrder``, or a bug) is raised again in the parent, and on any failure
the other workers are stopped at once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerFailed(Exception):
    """A worker ended without handing back its result (killed, out of memory)."""


def can_fork() -> bool:
    """Whether workers can be forked here (not on Windows, nor macOS' default)."""
    return "fork" in multiprocessing.get_all_start_methods()


def run_forked(work: Callable[[int], T], count: int) -> list[T]:
    """``[work(0), …, work(count - 1)]``, each computed in a forked process."""
    context = multiprocessing.get_context("fork")
    processes: list[BaseProcess] = []
    waiting: dict[Connection, int] = {}
    results: dict[int, T] = {}
    try:
        for number in range(count):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_serve, args=(work, number, send), daemon=True)
            process.start()
            send.close()  # the worker's end: EOF here once the worker is gone
            processes.append(process)
            waiting[receive] = number
        while waiting:
            for ready in wait(list(waiting)):
                assert isinstance(ready, Connection)
                number = waiting.pop(ready)
                results[number] = _received(ready, processes[number])
    finally:
        for worker in processes:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        for connection in waiting:
            connection.close()
    return [results[number] for number in range(count)]


def _serve(work: Callable[[int], object], number: int, send: Connection) -> None:
    """A worker's life: its result, or the exception it raised, down the pipe."""
    try:
        send.send(("result", work(number)))
    except BaseException as exc:
        try:
            send.send(("error", exc))
        except Exception:  # the exception does not pickle
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def _received(connection: Connection, process: BaseProcess) -> Any:
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
    return payload
