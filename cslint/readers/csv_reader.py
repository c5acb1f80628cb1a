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
  the row and parsing goes on at the next line. A quoted field still open at
  the end of the file (an unbalanced quote) rejects the row where it opened;
  parsing restarts on the line after that row's first line, so the good rows
  after a stray quote are kept. (After 100 such restarts the rest of the file
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
_MAX_RESTARTS = 100


def _lines(text: str, pos: list[int]) -> Iterator[str]:
    """The lines of ``text`` from ``pos[0]`` on, each with its ``\\n``; ``pos[0]`` follows."""
    find, end_of_text, start = text.find, len(text), pos[0]
    while start < end_of_text:
        end = find("\n", start) + 1 or end_of_text
        pos[0] = end
        yield text[start:end]
        start = end


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
    reader = csv.reader(_lines(text, pos), delimiter=delimiter, strict=True)
    base = 0  # physical line before the reader's first line
    prev = 0  # reader.line_num after the previous row
    restarts = 0
    while True:
        row_pos = pos[0]
        start = base + prev + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
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
            reader = csv.reader(_lines(text, pos), delimiter=delimiter, strict=True)
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
