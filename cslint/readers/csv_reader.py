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
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping

from cslint.model import InputError, Message
from cslint.readers.columns import (
    REQUIRED,
    FileProblem,
    Header,
    RowConverter,
    fill_shops,
    missing_reason,
    resolve_header,
)

csv.field_size_limit(2**31 - 1)

_DELIMITERS = (",", "\t", ";")
# A time cell as exports write it, possible or not (2024-02-30 is still a row's time).
_TIME_SHAPE = re.compile(r"\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d{1,2}", re.ASCII)
_MAX_RESTARTS = 100


def _lines(text: str, pos: list[int], probe: _Probe | None = None) -> Iterator[str]:
    """The lines of ``text`` from ``pos[0]`` on, each with its ``\\n``; ``pos[0]`` follows.

    With a ``probe``, a line asked for in the middle of a record (a quoted field
    running over a line end) that looks like a row of its own raises
    :class:`_RowStart` instead of being handed to the csv module.
    """
    find, end_of_text, start = text.find, len(text), pos[0]
    while start < end_of_text:
        end = find("\n", start) + 1 or end_of_text
        if probe is not None:
            if probe.inside and probe.is_row(text[start:end]):
                raise _RowStart(start)
            probe.inside = True
        pos[0] = end
        yield text[start:end]
        start = end


class _RowStart(Exception):
    """A line inside a quoted field reads as a row: the quote before it never closed."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


class _Probe:
    """Tells a line that is a complete row from the inside of a multi-line cell."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.width = 0
        self.time = -1  # the time column, once the header is known
        self.inside = False  # the reader is in the middle of a record

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


def first_line(text: str) -> str:
    """The first non-blank line of ``text`` (empty if there is none)."""
    for line in _lines(text, [0]):
        if line.strip():
            return line.rstrip("\n")
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


def _bad_reason(bad_lines: Mapping[int, str], start: int, end: int) -> str | None:
    for line in range(start, end + 1):
        reason = bad_lines.get(line)
        if reason is not None:
            return reason
    return None


def read_csv(
    text: str, bad_lines: Mapping[int, str], file: str, converter: RowConverter
) -> tuple[list[Message], list[InputError]]:
    """Messages and rejected rows of a decoded CSV; raises :class:`FileProblem`."""
    delimiter, _ = sniff_delimiter(first_line(text))
    messages: list[Message] = []
    errors: list[InputError] = []
    header: Header | None = None
    width = 0
    index: dict[str, int] = {}

    pos = [0]  # where reading is in text
    probe = _Probe(delimiter)
    reader = csv.reader(_lines(text, pos, probe), delimiter=delimiter, strict=True)
    base = 0  # physical line before the reader's first line
    prev = 0  # reader.line_num after the previous row
    restarts = 0
    while True:
        row_pos = pos[0]
        start = base + prev + 1
        probe.inside = False
        try:
            cells = next(reader)
        except StopIteration:
            break
        except _RowStart as found:
            errors.append(
                InputError(
                    file,
                    start,
                    f"unbalanced quote: a quoted field opened on line {start} runs into the next row",
                )
            )
            pos[0] = found.pos
            base, prev = start + text.count("\n", row_pos, found.pos) - 1, 0
            reader = csv.reader(_lines(text, pos, probe), delimiter=delimiter, strict=True)
            continue
        except csv.Error as exc:
            if header is None:
                raise FileProblem(f"malformed header row: {exc}", start) from None
            if pos[0] < len(text) or "unexpected end of data" not in str(exc):
                errors.append(InputError(file, start, f"malformed CSV row: {exc}"))
                prev = reader.line_num
                continue
            # A quoted field that never closes: reject its row, restart after its first line.
            restarts += 1
            nl = text.find("\n", row_pos)
            if restarts > _MAX_RESTARTS:
                last = base + reader.line_num
                errors.append(
                    InputError(
                        file,
                        start,
                        f"too many unbalanced quotes: lines {start}-{last} not read",
                    )
                )
                break
            errors.append(
                InputError(
                    file,
                    start,
                    f"unbalanced quote: a quoted field opened on line {start} is never closed",
                )
            )
            if nl < 0:
                break
            pos[0] = nl + 1
            reader = csv.reader(_lines(text, pos, probe), delimiter=delimiter, strict=True)
            base, prev = start, 0
            continue
        end = base + reader.line_num
        prev = reader.line_num
        if not "".join(cells).strip():
            continue
        if header is None:
            reason = _bad_reason(bad_lines, start, end)
            if reason is not None:
                raise FileProblem(f"{reason} in the header row", start)
            header = resolve_header(cells)
            if header.duplicate:
                raise FileProblem(header.duplicate, start)
            if header.missing:
                raise FileProblem(missing_reason(header.missing), start)
            index, width = header.index, header.width  # width covers every known column
            probe.width, probe.time = width, index["time"]
            continue
        reason = _bad_reason(bad_lines, start, end) if bad_lines else None
        if reason is None:
            n = len(cells)
            if n < width:
                reason = f"too few fields ({n}, the header has {width})"
            elif n > width and any(c.strip() for c in cells[width:]):
                reason = f"too many fields ({n}, the header has {width})"
        if reason is None:
            result = converter.convert(
                start,
                cells[index["time"]],
                cells[index["buyer"]],
                cells[index["sender"]],
                cells[index["text"]],
                cells[index["role"]] if "role" in index else None,
                cells[index["session"]] if "session" in index else None,
                cells[index["shop"]] if "shop" in index else None,
            )
            if isinstance(result, Message):
                messages.append(result)
                continue
            reason = result
        errors.append(InputError(file, start, reason))
    if header is None:
        raise FileProblem("no header row (expected columns: " + ", ".join(REQUIRED) + ")", 1)
    return fill_shops(messages), errors
