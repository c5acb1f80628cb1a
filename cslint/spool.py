"""Lines of a report kept in a bounded amount of memory.

A streaming run produces report lines (one per violation, one per input error)
faster than it may print them: violations are printed sorted by place, and the
JSON document puts the summary, known only at the end, after them. These two
classes hold the lines, in memory up to a limit and in temporary files beyond
it, so memory does not grow with the input:

- :class:`SortedSpool` hands lines back sorted by a key given with each line
  (an external merge sort: sorted runs written with :mod:`pickle`, merged with
  :func:`heapq.merge`). Keys must be picklable and mutually comparable;
- :class:`Spool` keeps lines in the order they were added.

Temporary files live in the system temporary folder (``TMPDIR``) and are
removed by :meth:`close` or when the object is collected. A spool given a
``folder`` writes named runs there instead, so that a worker process can hand
its lines to the parent (:meth:`SortedSpool.hand_over`, :meth:`SortedSpool.adopt`);
whoever made the folder removes it.
"""

from __future__ import annotations

import heapq
import itertools
import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

# Lines kept in memory before a run goes to disk; at one to two kilobytes per
# report line (Chinese text in a Python str) this is under 10 MB.
MEMORY_LINES = 5_000


class SortedSpool:
    """Lines handed back in key order (ties: the order added); iterate once."""

    def __init__(self, memory_lines: int | None = None, folder: str | None = None) -> None:
        # read at call time, so that tests can lower MEMORY_LINES
        self._limit = MEMORY_LINES if memory_lines is None else memory_lines
        self._folder = folder
        self._items: list[tuple[Any, int, str]] = []
        self._runs: list[IO[bytes]] = []
        self._run_paths: list[str] = []
        self._added = 0
        self.count = 0

    def add(self, key: Any, line: str) -> None:
        # the running number makes ties stable and spares comparing lines
        self._items.append((key, self._added, line))
        self._added += 1
        self.count += 1
        if len(self._items) >= self._limit:
            self._spill()

    def _spill(self) -> None:
        self._items.sort()
        run = self._new_run()
        pickler = pickle.Pickler(run, protocol=pickle.HIGHEST_PROTOCOL)
        for item in self._items:
            pickler.dump(item)
            pickler.clear_memo()
        run.seek(0)
        self._runs.append(run)
        self._items.clear()

    def _new_run(self) -> IO[bytes]:
        if self._folder is None:
            return tempfile.TemporaryFile("w+b")
        path = os.path.join(self._folder, f"run-{os.getpid()}-{next(_RUN_NUMBERS)}")
        self._run_paths.append(path)
        return open(path, "w+b")

    def hand_over(self) -> list[str]:
        """Write every line to runs in the spool's folder and return their paths
        for :meth:`adopt` in another process; this spool is then empty."""
        if self._folder is None:
            raise ValueError("a spool hands over its runs only when it has a folder")
        if self._items:
            self._spill()
        paths = list(self._run_paths)
        self.close()
        return paths

    def adopt(self, paths: Sequence[str], count: int) -> None:
        """Take over the ``count`` lines of runs another spool handed over.

        Keys of adopted lines must not tie with this spool's own keys: ties are
        broken by the order added, which runs from different spools do not share.
        """
        for path in paths:
            self._runs.append(open(path, "rb"))  # noqa: SIM115 - closed by close()
        self.count += count

    def __iter__(self) -> Iterator[str]:
        self._items.sort()
        runs = [_read_run(run) for run in self._runs]
        for _, _, line in heapq.merge(*runs, iter(self._items)):
            yield line

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs.clear()
        self._run_paths.clear()
        self._items.clear()


_RUN_NUMBERS = itertools.count()


def _read_run(run: IO[bytes]) -> Iterator[tuple[Any, int, str]]:
    unpickler = pickle.Unpickler(run)
    while True:
        try:
            yield unpickler.load()
        except EOFError:
            return


class Spool(SortedSpool):
    """Lines in the order added (a sorted spool whose keys are all equal)."""

    def add_line(self, line: str) -> None:
        self.add(0, line)
