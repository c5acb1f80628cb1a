"""Readers: chat exports on disk -> :class:`~cslint.model.Message` records.

:func:`stream_file` reads one file (csv, jsonl, Qianniu text, xlsx) lazily:
iterating the :class:`FileStream` yields its messages and rejected rows in
file order, with memory bounded by a chunk of the file and its longest row
(see the reader modules for the exceptions). :func:`read_file` collects a
stream and fills in shops the file does not give
(:func:`~cslint.readers.columns.fill_shops`, which needs the whole file).

Neither raises for anything the file's owner can cause: missing files,
directories, permission problems, bad bytes and bad rows all become
:class:`~cslint.model.InputError` records. The counts always reconcile:
``rows_read == messages + rejected`` and every rejected row has exactly one
``kind="row"`` error. A file-level problem (``kind="file"``) marks the file
failed; :func:`read_file` then gives no rows.

File-level decisions:

- the format is ``options.input_format`` if given, else the extension, else
  sniffed (see :mod:`cslint.readers.discover`); a file of no known format is
  ``unknown file format`` (``not a Qianniu/Wangwang chat export …`` for a
  ``.txt``);
- a file of zero bytes, or whose text is only whitespace, is
  ``empty file`` (failed): an export with nothing in it is a mistake worth
  seeing, not a quiet zero. A CSV with a header and no rows is not an error;
- encodings: :mod:`cslint.readers.encoding`; rows: the reader modules.

A bug inside cslint while reading a file is reported as a file-level
``internal error …`` instead of stopping the whole run (one bad file never
stops the others); the tests make sure no input reaches that branch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from cslint.model import FileStats, InputError, Message
from cslint.readers.columns import FileProblem, RowConverter, RowCounts, fill_shops
from cslint.readers.csv_reader import stream_csv
from cslint.readers.discover import (
    BY_EXTENSION,
    KNOWN_EXTENSIONS,
    ZIP_MAGIC,
    discover,
    sniff_format,
    sniff_text,
)
from cslint.readers.encoding import UndecodableError, plan_text, text_chunks
from cslint.readers.jsonl_reader import stream_jsonl
from cslint.readers.qianniu import NOT_QIANNIU, stream_qianniu
from cslint.readers.roles import RoleResolver
from cslint.readers.xlsx_reader import stream_xlsx
from cslint.share import SKIPPED, Share, Skipped

__all__ = [
    "FORMATS",
    "KNOWN_EXTENSIONS",
    "FileRead",
    "FileStream",
    "ReadOptions",
    "discover",
    "read_file",
    "sniff_format",
    "stream_file",
]

FORMATS = ("csv", "jsonl", "qianniu", "xlsx")
UNKNOWN_FORMAT = "unknown file format (expected a .csv, .jsonl, .xlsx or Qianniu .txt export)"
INTERNAL_ERROR = "internal error while reading"


@dataclass(frozen=True)
class ReadOptions:
    """How to read chat exports."""

    shop_names: tuple[str, ...] = ()  # configured shop main-account names (=> agent)
    bot_names: tuple[str, ...] = ("服务助手",)  # nick equal to / ending with => agent
    input_format: str | None = None  # "csv"|"jsonl"|"qianniu"|"xlsx": overrides detection

    def __post_init__(self) -> None:
        if self.input_format is not None and self.input_format not in FORMATS:
            raise ValueError(
                f"unknown input format {self.input_format!r} (expected one of {', '.join(FORMATS)})"
            )


@dataclass
class FileRead:
    """What reading one file gave."""

    stats: FileStats  # rows_read == messages + rejected, always
    messages: list[Message]
    errors: list[InputError] = field(default_factory=list)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


class FileStream:
    """One chat export, read lazily.

    Iterating yields :class:`~cslint.model.Message` and
    :class:`~cslint.model.InputError` records in file order: each row exactly
    once, as a message or a ``kind="row"`` error; a file-level problem is one
    ``kind="file"`` error, after which nothing more comes. Messages are *not*
    shop-filled (:func:`read_file` does that). A stream can be iterated once.

    :attr:`stats` is known once the iteration is exhausted (before, it raises
    ``RuntimeError``) and reconciles: ``rows_read == messages + rejected``,
    counting the rows yielded. A failed file has its ``kind="file"`` error
    and ``failed=True``; its counts are 0, except when the problem is found
    after rows were yielded (a corrupt part deep in a workbook, a read error,
    the file changing under the reader): they are then the rows yielded
    before it.
    """

    def __init__(
        self, path: Path, options: ReadOptions, display: str, share: Share | None = None
    ) -> None:
        self.display = display
        self._share = share
        self._path = Path(path)
        self._options = options
        self._format: str | None = options.input_format
        self._encoding: str | None = None
        self._stats: FileStats | None = None
        self._started = False

    def __iter__(self) -> Iterator[Message | InputError | Skipped]:
        if self._started:
            raise RuntimeError(f"{self.display}: a FileStream can be iterated once")
        self._started = True
        return self._items()

    @property
    def stats(self) -> FileStats:
        if self._stats is None:
            raise RuntimeError(f"{self.display}: the stats are known once the stream is exhausted")
        return self._stats

    def _items(self) -> Iterator[Message | InputError | Skipped]:
        counts = RowCounts()
        failure: InputError | None = None
        try:
            # The readers count what they yield (the CSV reader in its own loop): no
            # layer of Python code per row here.
            yield from self._rows(counts)
        except FileProblem as exc:
            failure = InputError(self.display, exc.line, exc.reason, "file")
        except UndecodableError as exc:
            self._encoding = None
            failure = InputError(self.display, 0, exc.reason, "file")
        except OSError as exc:
            failure = InputError(self.display, 0, f"cannot read file: {_os_reason(exc)}", "file")
        except (MemoryError, RecursionError) as exc:
            reason = f"file too large or too deeply nested ({type(exc).__name__})"
            failure = InputError(self.display, 0, reason, "file")
        except Exception as exc:  # a cslint bug: report it, keep the run going
            reason = f"{INTERNAL_ERROR} (please report): {type(exc).__name__}: {exc}"
            failure = InputError(self.display, 0, reason, "file")
        fmt = self._format or "unknown"
        messages, rejected = counts.messages, counts.rejected
        rows_read = messages + rejected
        failed = failure is not None
        self._stats = FileStats(
            self.display, fmt, self._encoding, rows_read, messages, rejected, failed
        )
        if failure is not None and (self._share is None or self._share.first):
            yield failure

    def _rows(self, counts: RowCounts) -> Iterator[Message | InputError | Skipped]:
        """The file's rows, counted in ``counts`` as they are yielded; raises for a
        file-level problem."""
        path = self._path
        if path.is_dir():
            raise FileProblem("is a directory")
        if not path.exists():
            raise FileProblem("no such file or directory")
        if not path.is_file():
            raise FileProblem("not a regular file")
        roles = RoleResolver(self._options.shop_names, self._options.bot_names)
        if self._format is None:
            self._format = BY_EXTENSION.get(path.suffix.lower())
        if self._format is None:
            with path.open("rb") as fh:
                if fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
                    self._format = "xlsx"
        if self._format == "xlsx":
            if path.stat().st_size == 0:
                raise FileProblem("empty file")
            return _counted(stream_xlsx(path, self.display, roles, self._share), counts)
        plan = plan_text(path)
        if plan is None:
            raise FileProblem("empty file")
        self._encoding = plan.encoding
        if plan.blank:
            raise FileProblem("empty file")
        if self._format is None:
            self._format = sniff_text(plan.head)
            if self._format is None:
                txt = path.suffix.lower() == ".txt"
                raise FileProblem(NOT_QIANNIU if txt else UNKNOWN_FORMAT)
        if self._format == "qianniu":
            rows = stream_qianniu(lambda: text_chunks(path, plan), self.display, roles)
            return _counted(rows if self._share is None else _shared(rows, self._share), counts)
        converter = RowConverter(roles, self.display, share=self._share)
        if self._format == "csv":
            return stream_csv(text_chunks(path, plan), self.display, converter, counts)
        return _counted(stream_jsonl(text_chunks(path, plan), self.display, converter), counts)


def _counted(
    rows: Iterator[Message | InputError | Skipped], counts: RowCounts
) -> Iterator[Message | InputError | Skipped]:
    """The rows of a reader that does not count them, counted in ``counts``."""
    for item in rows:
        if type(item) is Message:
            counts.messages += 1
        elif item is not SKIPPED:  # another worker's row is counted there
            counts.rejected += 1
        yield item


def _shared(
    rows: Iterator[Message | InputError], share: Share
) -> Iterator[Message | InputError | Skipped]:
    """``share`` of the rows of a reader that converts every row (Qianniu
    exports): messages by their buyer, rejected rows to the first worker."""
    for item in rows:
        if type(item) is Message:
            yield item if share.owns(item.buyer) else SKIPPED
        else:
            yield item if share.first else SKIPPED


def stream_file(
    path: Path, options: ReadOptions, display_name: str | None = None, share: Share | None = None
) -> FileStream:
    """One chat export as a :class:`FileStream`; nothing is read before it is iterated.

    With ``share``, the stream yields :data:`~cslint.share.SKIPPED` for the rows
    of other workers and counts only its own (:mod:`cslint.share`).
    """
    return FileStream(path, options, str(path) if display_name is None else display_name, share)


def read_file(path: Path, options: ReadOptions, display_name: str | None = None) -> FileRead:
    """Read one chat export whole; never raises for a problem with the file itself."""
    stream = stream_file(path, options, display_name)
    messages: list[Message] = []
    errors: list[InputError] = []
    for item in stream:
        if type(item) is Message:
            messages.append(item)
        else:
            assert isinstance(item, InputError)
            errors.append(item)
    stats = stream.stats
    if stats.failed:
        return FileRead(without_rows(stats), [], [e for e in errors if e.kind == "file"])
    return FileRead(stats, fill_shops(messages), errors)


def without_rows(stats: FileStats) -> FileStats:
    """The counts of a file that failed, as a whole read reports them: all or
    nothing, so the rows read before the failure (and their errors) are dropped."""
    return replace(stats, rows_read=0, messages=0, rejected=0)
