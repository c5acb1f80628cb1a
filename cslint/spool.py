"""Lines of a report, and other records of a run, kept in a bounded amount of memory.

A streaming run produces report lines (one per violation, one per input error)
faster than it may print them: violations are printed sorted by place, and the
JSON document puts the summary, known only at the end, after them. These two
classes hold the lines, in memory up to a limit and in temporary files beyond
it, so memory does not grow with the input:

- :class:`SortedSpool` hands lines back sorted by a key given with each line
  (an external merge sort: sorted runs written with :mod:`pickle`, merged a
  batch at a time). Keys must be picklable and mutually comparable;
- :class:`Spool` keeps items in the order they were added: a streaming run
  also keeps its per-session records and its run-level rules' observations
  in spools, since both grow with the input (any picklable item will do).

Both can be iterated more than once.

Temporary files live in the system temporary folder (``TMPDIR``) and are
removed by :meth:`close` or when the object is collected. A spool given a
``folder`` writes named runs there instead, so that a worker process can hand
its lines to the parent (:meth:`SortedSpool.hand_over`, :meth:`SortedSpool.adopt`);
whoever made the folder removes it.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")

# Lines kept in memory before a run goes to disk; at under a kilobyte per
# report line (its UTF-8 bytes and its key) this is a few MB.
MEMORY_LINES = 5_000
# Records of a run (a few hundred bytes each: a session's deductions, a rule's
# observation) kept in memory before a run goes to disk: a few MB per spool.
MEMORY_RECORDS = 10_000
# Items per pickle in a run on disk: one pickle per item costs a pickler each.
CHUNK = 256


class BaseSpool(Generic[T]):
    """What both spools share: items in memory up to a limit, runs on disk
    beyond it, handed over to (and adopted by) another process's spool."""

    def __init__(self, memory_lines: int | None, folder: str | None, records: bool) -> None:
        # the defaults are read at call time, so that tests can lower them
        if memory_lines is None:
            memory_lines = MEMORY_RECORDS if records else MEMORY_LINES
        self._limit = memory_lines
        self._folder = folder
        self._runs: list[IO[bytes]] = []
        self._sources: list[int] = []  # per run: 0 for this spool's own, then one per adopt()
        self._run_paths: list[str] = []
        self._adopted = 0

    @property
    def count(self) -> int:
        """Items added here and adopted from other spools."""
        return self._own_count() + self._adopted

    def _own_count(self) -> int:
        raise NotImplementedError

    def _in_memory(self) -> int:
        raise NotImplementedError

    def _spill(self) -> None:
        raise NotImplementedError

    def _write_run(self, items: Sequence[Any]) -> None:
        """``items`` as a new run: self-contained pickles of :data:`CHUNK` items."""
        # Each pickle is read with a fresh unpickler. (One Pickler with
        # clear_memo() between pickles is wrong: the reading Unpickler keeps its
        # memo, and from protocol 4 on a memo slot is numbered by the
        # unpickler's memo size, so an object occurring twice in one pickle was
        # read back as an object of an earlier one.)
        run = self._new_run()
        for start in range(0, len(items), CHUNK):
            pickle.dump(items[start : start + CHUNK], run, protocol=pickle.HIGHEST_PROTOCOL)
        run.seek(0)
        self._runs.append(run)
        self._sources.append(0)

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
        if self._in_memory():
            self._spill()
        paths = list(self._run_paths)
        self.close()
        return paths

    def adopt(self, paths: Sequence[str], count: int) -> None:
        """Take over the ``count`` lines of runs another spool of this class
        handed over.

        Ties are broken by the spool a line comes from (this one's own first,
        then in the order adopted), then by the order it was added there.
        """
        source = max(self._sources, default=0) + 1
        for path in paths:
            self._runs.append(open(path, "rb"))  # noqa: SIM115 - closed by close()
            self._sources.append(source)
        self._adopted += count

    def _rewound(self) -> tuple[list[IO[bytes]], list[IO[bytes]]]:
        """The runs, rewound: this spool's own in the order written, and the
        adopted ones in the order adopted."""
        for run in self._runs:
            run.seek(0)
        pairs = list(zip(self._runs, self._sources, strict=True))
        own = [run for run, source in pairs if not source]
        adopted = [run for run, source in pairs if source]
        return own, adopted

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs.clear()
        self._sources.clear()
        self._run_paths.clear()


class SortedSpool(BaseSpool[T]):
    """Lines (or other items) handed back in key order (ties: the order added)."""

    def __init__(
        self, memory_lines: int | None = None, folder: str | None = None, *, records: bool = False
    ) -> None:
        super().__init__(memory_lines, folder, records)
        self._items: list[tuple[Any, T]] = []
        self._added = 0

    def add(self, key: Any, line: T) -> None:
        items = self._items
        items.append((key, line))
        self._added += 1
        if len(items) >= self._limit:
            self._spill()

    def _own_count(self) -> int:
        return self._added

    def _in_memory(self) -> int:
        return len(self._items)

    def _sort_items(self) -> None:
        # by key alone: the sort is stable, so equal keys keep the order added
        # (and lines, which may not be comparable, are never compared)
        self._items.sort(key=_KEY)

    def _spill(self) -> None:
        self._sort_items()
        self._write_run(self._items)
        self._items.clear()

    def __iter__(self) -> Iterator[T]:
        # Each run is sorted, equal keys in the order added. Merged with equal
        # keys taken from the runs in this order: this spool's runs in the
        # order written, the lines in memory, then the adopted runs in the
        # order adopted; so no running number nor source is kept with a line.
        self._sort_items()
        own, adopted = self._rewound()
        runs = [*map(_read_chunks, own), iter([self._items[:]]), *map(_read_chunks, adopted)]
        # map(itemgetter) and chain rather than generators: no Python frame per line
        return map(_LINE, itertools.chain.from_iterable(_merged_batches(runs)))

    def close(self) -> None:
        super().close()
        self._items.clear()


class Spool(BaseSpool[T]):
    """Items in the order added (as a sorted spool whose keys are all equal
    would give them back, without keys, sorting or merging)."""

    def __init__(
        self, memory_lines: int | None = None, folder: str | None = None, *, records: bool = False
    ) -> None:
        super().__init__(memory_lines, folder, records)
        self._items: list[T] = []
        self._spilled = 0

    def append(self, item: T) -> None:
        items = self._items
        items.append(item)
        if len(items) >= self._limit:
            self._spill()

    def _own_count(self) -> int:
        return self._spilled + len(self._items)

    def _in_memory(self) -> int:
        return len(self._items)

    def _spill(self) -> None:
        self._write_run(self._items)
        self._spilled += len(self._items)
        self._items.clear()

    def __iter__(self) -> Iterator[T]:
        # this spool's runs (in the order written), the items in memory, then
        # each adopted spool's runs, in the order adopted
        own, adopted = self._rewound()
        for run in own:
            yield from _read_run(run)
        yield from self._items
        for run in adopted:
            yield from _read_run(run)

    def close(self) -> None:
        super().close()
        self._items.clear()


_RUN_NUMBERS = itertools.count()
_KEY = operator.itemgetter(0)
_LINE = operator.itemgetter(1)


def _merged_batches(runs: list[Iterator[list[Any]]]) -> Iterator[list[Any]]:
    """The ``(key, line)`` items of ``runs`` (each run a series of chunks, sorted
    as a whole) sorted by key, equal keys in the order of ``runs``, in batches.

    A merge a batch at a time, not an item at a time: every run holds a
    chunk or more; all the items whose key is below the least of the runs'
    last keys are final, and are sorted together, the runs' parts one after
    another (a stable sort, which merges sorted parts in C, where every step
    of :func:`heapq.merge` is Python code: reading back the 40k lines of a
    200k-message report takes 35 ms instead of 46). A run whose last key is
    that least key then reads its next chunk.
    """
    buffers: list[list[Any]] = []
    feeds: list[Iterator[list[Any]] | None] = []  # None: the run is read to its end
    for run in runs:
        chunk = next(run, None)
        buffers.append(chunk or [])
        feeds.append(run if chunk else None)
    while True:
        open_runs = [i for i, feed in enumerate(feeds) if feed is not None]
        if not open_runs:
            rest = [item for buffer in buffers for item in buffer]
            rest.sort(key=_KEY)
            yield rest
            return
        # an open run's buffer is never empty; what it has still to read sorts after it
        bound = min(buffers[i][-1][0] for i in open_runs)
        batch = []
        for buffer in buffers:
            below = bisect.bisect_left(buffer, bound, key=_KEY)
            if below:
                batch += buffer[:below]
                del buffer[:below]
        batch.sort(key=_KEY)
        yield batch
        for i in open_runs:
            feed = feeds[i]
            assert feed is not None
            if buffers[i][-1][0] == bound:  # (all its items: equal keys wait for the rest)
                chunk = next(feed, None)
                if chunk is None:
                    feeds[i] = None
                else:
                    buffers[i] += chunk


def _read_chunks(run: IO[bytes]) -> Iterator[list[Any]]:
    while True:
        try:
            yield pickle.load(run)
        except EOFError:
            return


def _read_run(run: IO[bytes]) -> Iterator[Any]:
    while True:
        try:
            chunk = pickle.load(run)
        except EOFError:
            return
        yield from chunk
