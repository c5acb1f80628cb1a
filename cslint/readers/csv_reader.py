"""Canonical CSV: one message per row under a header row (FORMATS.md §1).

Decisions:

- The header is the first non-blank row (normally line 1). Its delimiter is
  sniffed among ``,``, TAB and ``;`` (the one under which the header names
  most required columns; ties go to ``,``), so Excel's tab-separated "Unicode
  text" export reads too.
- A header that lacks a required column, names a field twice, is malformed or
  has undecodable bytes is a file-level error (at the header's line) and
  ``rows_read`` is 0: the data rows are not counted, since none of them could
  be read. One error per file instead of one per row.
- A row's line is the physical line where it starts; quoted cells may span
  lines (the csv module counts the lines it consumes). Blank lines and rows
  whose cells are all blank (Excel's trailing ``,,,,``) are not rows.
- Rows are parsed with ``strict=True``. A malformed quote (``"a"b``) rejects
  the row and parsing goes on at the next line.
- An unbalanced quote (a quoted field that never closes) would swallow the
  rows after it into one cell, up to the next stray quote. So while a quoted
  field runs on over a line end, every next line is looked at: a line that
  reads on its own as a complete row (at least as many cells as the header,
  its last cell possibly opening a quote of its own, and a time cell shaped
  like ``YYYY-M-D H:MM``, possible or not) is taken as the next row. The row
  with the open quote is rejected (``unbalanced quote: a quoted field opened
  on line N runs into the next row``) and parsing restarts at that line, so
  no good row is lost and the work stays linear. (A message that quotes a
  whole CSV row on a line of its own is read this way too: rejected, an
  accepted loss.)
- A quoted field still open at the end of the file, with no row-like line
  after it, rejects the row where it opened; parsing restarts on the line
  after that row's first line. (After 100 such restarts the rest of the file
  becomes one rejected row, to bound the work on hostile input.)
- A row with fewer cells than the header, or with non-blank cells beyond it,
  is rejected (``too few fields`` / ``too many fields``); extra blank cells at
  the end are accepted.
- A row that touches a line with undecodable bytes is rejected with the
  decoder's reason; otherwise the cells go through
  :class:`~cslint.readers.columns.RowConverter`.
- ``csv.field_size_limit`` is raised to 2**31-1 so a multi-megabyte message
  (a pasted log, a 4-million-character spam) is one cell, not an error.

Streaming (:func:`stream_csv`): ``csv.reader`` reads the decoded chunks of
lines directly (``itertools.chain``: no Python code per line), and a row's
lines are ``reader.line_num`` apart. Only a record that runs over a line end
(a quoted field) is looked at again: its lines after the first are probed
in order, as above, when the record is complete, and at each chunk boundary
while it is still open, so an unbalanced quote never holds more than a chunk
past the row-like line that ends it. The chunks since the current record
began are kept, so that parsing can restart on any of its lines. Memory is
thus bounded by the chunk size and the longest record; a quoted field that
never closes, with no row-like line after it, is a record that runs to the
end of the file (the csv module holds it whole in any case).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING

from cslint.model import InputError, Message
from cslint.readers.columns import (
    FIELDS,
    REQUIRED,
    FileProblem,
    Header,
    RowConverter,
    RowCounts,
    missing_reason,
    resolve_header,
)
from cslint.readers.encoding import Chunk
from cslint.share import SKIPPED, Skipped

if TYPE_CHECKING:
    from _csv import Reader

csv.field_size_limit(2**31 - 1)

_DELIMITERS = (",", "\t", ";")
# A time cell as exports write it, possible or not (2024-02-30 is still a row's time).
_TIME_SHAPE = re.compile(r"\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d{1,2}", re.ASCII)
_MAX_RESTARTS = 100


class _RowStart(Exception):
    """A line inside a quoted field reads as a row: the quote before it never closed."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Probe:
    """Tells a line that is a complete row from the inside of a multi-line cell."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.width = 0
        self.time = -1  # the time column, once the header is known

    def is_row(self, line: str) -> bool:
        if self.time < 0 or line.count(self.delimiter) < self.width - 1 or not line.strip():
            return False
        body = line.rstrip("\n")
        cells: list[str] = []
        for candidate in (body, body + '"'):  # a row whose last cell opens a quote is a row
            try:
                cells = next(csv.reader([candidate], delimiter=self.delimiter, strict=True), [])
                break
            except csv.Error:
                continue
        return len(cells) >= self.width and _TIME_SHAPE.match(cells[self.time]) is not None


class _Feed:
    """The chunks of a file for ``csv.reader``, kept from the one where the current record began.

    The reader loop sets ``row_start`` (the first line of the record the csv
    reader reads next). Asked for a chunk in the middle of a record, the feed
    first probes the record's lines so far and raises :class:`_RowStart` at
    the first that reads as a row.
    """

    def __init__(self, chunks: Iterator[Chunk], probe: _Probe) -> None:
        self._chunks = chunks
        self._kept: list[Chunk] = []
        self._replay: list[str] | None = None  # lines to hand out before the next chunk
        self._next_line = 1  # the first line of the next chunk
        self._probed = 0  # lines up to this one are known not to read as rows
        self.probe = probe
        self.row_start = 1
        self.bad: dict[int, str] = {}  # bad lines of the kept chunks

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> list[str]:
        if self._replay is not None:
            lines, self._replay = self._replay, None
            return lines
        if self.row_start < self._next_line:  # the record runs on into the next chunk
            found = self.scan(self.row_start + 1, self._next_line - 1)
            if found:
                raise _RowStart(found)
        return self._pull().lines

    def _pull(self) -> Chunk:
        chunk = next(self._chunks)  # StopIteration: the end of the file
        row_start = self.row_start
        kept = self._kept
        while kept and kept[0].first + len(kept[0].lines) <= row_start:
            del kept[0]
        if self.bad:
            for line in [n for n in self.bad if n < row_start]:
                del self.bad[line]
        kept.append(chunk)
        self.bad.update(chunk.bad)
        self._next_line = chunk.first + len(chunk.lines)
        return chunk

    def first_line(self) -> str:
        """The file's first non-blank line, without its line end (empty if none).

        Called before reading; the chunks it reads are kept for the reader.
        """
        while True:
            try:
                chunk = self._pull()
            except StopIteration:
                return ""
            for line in chunk.lines:
                if line.strip():
                    return line.rstrip("\n")

    def reader(self, line: int) -> Reader:
        """A csv reader over the file from ``line`` on (a line of a kept chunk, or the next one)."""
        self._replay = self._lines(line, self._next_line - 1)
        return csv.reader(chain.from_iterable(self), delimiter=self.probe.delimiter, strict=True)

    def _lines(self, first: int, last: int) -> list[str]:
        """Lines ``first`` to ``last`` of the kept chunks."""
        lines: list[str] = []
        for chunk in self._kept:
            end = chunk.first + len(chunk.lines)
            if end > first and chunk.first <= last:
                lines.extend(
                    chunk.lines[max(first, chunk.first) - chunk.first : last + 1 - chunk.first]
                )
        return lines

    def scan(self, first: int, last: int) -> int:
        """The first of lines ``first`` to ``last`` that reads as a row, else 0."""
        probe = self.probe
        if probe.time < 0:  # no header yet: nothing reads as a row
            return 0
        first = max(first, self._probed + 1)
        for number, line in enumerate(self._lines(first, last), first):
            if probe.is_row(line):
                self._probed = number - 1
                return number
        self._probed = max(self._probed, last)
        return 0


def first_line(text: str) -> str:
    """The first non-blank line of ``text`` (empty if there is none)."""
    for line in text.split("\n"):
        if line.strip():
            return line
    return ""


def sniff_delimiter(line: str) -> tuple[str, Header | None]:
    """The delimiter under which ``line`` names most required columns, and that header."""
    best: tuple[int, str, Header | None] = (-1, ",", None)
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter, strict=True), [])
        except csv.Error:
            continue
        header = resolve_header(cells)
        found = sum(1 for f in REQUIRED if f in header.index)
        if found > best[0]:
            best = (found, delimiter, header)
    return best[1], best[2]


def _rejected(
    converter: RowConverter, file: str, line: int, reason: str, counts: RowCounts
) -> InputError | Skipped:
    """A row rejected before it reached the converter (it names no buyer yet), counted."""
    kept = converter.unattributed(reason)
    if isinstance(kept, Skipped):
        return kept
    counts.rejected += 1
    return InputError(file, line, kept)


def _bad_reason(bad_lines: Mapping[int, str], start: int, end: int) -> str | None:
    for line in range(start, end + 1):
        reason = bad_lines.get(line)
        if reason is not None:
            return reason
    return None


def stream_csv(
    chunks: Iterator[Chunk], file: str, converter: RowConverter, counts: RowCounts
) -> Iterator[Message | InputError | Skipped]:
    """Messages and rejected rows of a decoded CSV, in file order, counted in ``counts``
    as they are yielded; raises :class:`FileProblem`."""
    probe = _Probe(",")
    feed = _Feed(chunks, probe)
    probe.delimiter, _ = sniff_delimiter(feed.first_line())
    bad = feed.bad
    convert = converter.convert_owned
    # Another worker's row is skipped before any other work (half the rows with
    # two workers; owns remembers its answer per buyer cell).
    shared = converter.share is not None
    owns = converter.owns
    header: Header | None = None
    width = 0
    # The columns of the fields, in RowConverter.convert's order (-1: absent).
    time_i = buyer_i = sender_i = text_i = role_i = session_i = shop_i = -1

    reader = feed.reader(1)
    base = 0  # physical line before the reader's first line
    start = 1  # the first line of the next record
    restarts = 0
    while True:
        restart = 0  # a line to parse again from: the record before it has an unbalanced quote
        try:
            for cells in reader:
                end = base + reader.line_num
                if end != start and (restart := feed.scan(start + 1, end)):
                    break
                row = start
                start = feed.row_start = end + 1
                first = cells[0] if cells else ""
                if (not first or first[0].isspace()) and not "".join(cells).strip():
                    continue  # a blank line, or a row of blank cells
                if header is None:
                    reason = _bad_reason(bad, row, end)
                    if reason is not None:
                        raise FileProblem(f"{reason} in the header row", row)
                    header = resolve_header(cells)
                    if header.duplicate:
                        raise FileProblem(header.duplicate, row)
                    if header.missing:
                        raise FileProblem(missing_reason(header.missing), row)
                    width = header.width  # covers every known column
                    time_i, buyer_i, sender_i, text_i, role_i, session_i, shop_i = (
                        header.index.get(f, -1) for f in FIELDS
                    )
                    probe.width, probe.time = width, time_i
                    continue
                reason = _bad_reason(bad, row, end) if bad else None
                if reason is None:
                    n = len(cells)
                    if n < width:
                        reason = f"too few fields ({n}, the header has {width})"
                    elif n > width and any(c.strip() for c in cells[width:]):
                        reason = f"too many fields ({n}, the header has {width})"
                    else:
                        if shared and not owns(cells[buyer_i]):
                            yield SKIPPED
                            continue
                        result = convert(
                            row,
                            cells[time_i],
                            cells[buyer_i],
                            cells[sender_i],
                            cells[text_i],
                            cells[role_i] if role_i >= 0 else None,
                            cells[session_i] if session_i >= 0 else None,
                            cells[shop_i] if shop_i >= 0 else None,
                        )
                        if not isinstance(result, str):
                            counts.messages += 1
                            yield result
                            continue
                        counts.rejected += 1
                        yield InputError(file, row, result)
                        continue
                yield _rejected(converter, file, row, reason, counts)
            else:
                break
        except _RowStart as found:
            restart = found.line
        except csv.Error as exc:
            end = base + reader.line_num
            if end != start:
                restart = feed.scan(start + 1, end)
            if not restart:
                if header is None:
                    raise FileProblem(f"malformed header row: {exc}", start) from None
                if "unexpected end of data" not in str(exc):  # raised only at the end of the file
                    yield _rejected(converter, file, start, f"malformed CSV row: {exc}", counts)
                    start = feed.row_start = end + 1
                    continue
                # A quoted field that never closes: reject its row, restart after its first line.
                restarts += 1
                if restarts > _MAX_RESTARTS:
                    reason = f"too many unbalanced quotes: lines {start}-{end} not read"
                    yield _rejected(converter, file, start, reason, counts)
                    break
                reason = f"unbalanced quote: a quoted field opened on line {start} is never closed"
                yield _rejected(converter, file, start, reason, counts)
                reader, base = feed.reader(start + 1), start
                start = feed.row_start = start + 1
                continue
        reason = f"unbalanced quote: a quoted field opened on line {start} runs into the next row"
        yield _rejected(converter, file, start, reason, counts)
        reader, base = feed.reader(restart), restart - 1
        start = feed.row_start = restart
    if header is None:
        raise FileProblem("no header row (expected columns: " + ", ".join(REQUIRED) + ")", 1)
