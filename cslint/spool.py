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
removed by :meth:`close` or when the object is collected.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any

# Lines kept in memory before a run goes to disk; at one to two kilobytes per
# report line (Chinese text in a Python str) this is under 10 MB.
MEMORY_LINES = 5_000


class SortedSpool:
    """Lines handed back in key order (ties: the order added); iterate once."""

    def __init__(self, memory_lines: int = MEMORY_LINES) -> None:
        self._limit = memory_lines
        self._items: list[tuple[Any, int, str]] = []
        self._runs: list[IO[bytes]] = []
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
        run = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - open until the merge, closed by close()
        pickler = pickle.Pickler(run, protocol=pickle.HIGHEST_PROTOCOL)
        for item in self._items:
            pickler.dump(item)
            pickler.clear_memo()
        run.seek(0)
        self._runs.append(run)
        self._items.clear()

    def __iter__(self) -> Iterator[str]:
        self._items.sort()
        runs = [_read_run(run) for run in self._runs]
        for _, _, line in heapq.merge(*runs, iter(self._items)):
            yield line

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs.clear()
        self._items.clear()


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
