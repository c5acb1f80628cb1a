"""Excel workbooks (``.xlsx``) with the canonical columns (FORMATS.md §3).

Decisions:

- openpyxl is optional (the ``excel`` extra) and imported only here, lazily;
  without it the file is a file-level error telling how to install it.
- The workbook is opened read-only with cached formula values. Every sheet is
  looked at; a sheet counts when its first non-empty row names all required
  columns (aliases as in CSV). Other sheets (a summary, a pivot) are skipped
  silently. No counting sheet at all is a file-level error naming what the
  first non-empty sheet lacks.
- A row's line is its row number in the sheet. With one counting sheet,
  messages and errors carry the file's name; with several, ``book.xlsx[Sheet2]``
  so that ``file:line`` stays unique (the file's stats keep the plain name).
- Empty rows are not rows; cells beyond the header are ignored (Excel keeps
  stray formatting there). Time cells may be datetimes, Excel serial numbers
  or text; other cells become text (numbers without a spurious ``.0``).
- Anything openpyxl cannot open or read (not a zip, a zip of something else,
  a corrupt part) is a file-level error without a traceback. ``read_file``
  drops what was read of the workbook before; a stream has handed those rows
  out already (see :class:`cslint.readers.FileStream`).
- Streaming (:func:`stream_xlsx`): openpyxl's read-only mode parses a sheet
  as it goes, so rows are handed out as read, ``_BATCH`` at a time (openpyxl's
  warnings are silenced while it reads, not while the rows are used).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from cslint.model import InputError, Message
from cslint.readers.columns import (
    FileProblem,
    Header,
    RowConverter,
    missing_reason,
    resolve_header,
)
from cslint.readers.roles import RoleResolver
from cslint.share import Share, Skipped

NEEDS_EXTRA = "reading .xlsx needs the excel extra: pip install 'cslint[excel]'"
_BATCH = 1000  # rows read at a time


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header_of(sheet: Any) -> tuple[int, Header] | None:
    """Row number and header of the sheet's first non-empty row."""
    for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
        if not _blank(cells):
            header = resolve_header(cells)
            if header.duplicate:
                raise FileProblem(f"sheet '{sheet.title}': {header.duplicate}", number)
            return number, header
    return None


@contextmanager
def _quiet(what: str) -> Iterator[None]:
    """openpyxl at work: its warnings silenced (styles, data validation...), its errors a FileProblem."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        except FileProblem:
            raise
        except Exception as exc:  # openpyxl raises many types on foreign files
            raise FileProblem(f"{what} ({_short(exc)})") from None


def stream_xlsx(
    path: Path, file: str, roles: RoleResolver, share: Share | None = None
) -> Iterator[Message | InputError | Skipped]:
    """Messages and rejected rows of a workbook, sheet by sheet; raises :class:`FileProblem`."""
    try:
        import openpyxl
    except ImportError:
        raise FileProblem(NEEDS_EXTRA) from None
    # A file object, not the path: openpyxl refuses a workbook named ``.txt`` by its name.
    with path.open("rb") as fh:
        with _quiet("not a valid .xlsx workbook"):
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        try:
            yield from _stream_book(book, file, roles, share)
        finally:
            book.close()


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _counting_sheets(book: Any) -> list[tuple[Any, int, Header]]:
    """The sheets whose first non-empty row names all required columns, with that row."""
    sheets: list[tuple[Any, int, Header]] = []
    first_missing: tuple[str, list[str]] | None = None
    for sheet in book.worksheets:
        if not hasattr(sheet, "iter_rows"):  # a chartsheet
            continue
        found = _header_of(sheet)
        if found is None:
            continue
        number, header = found
        if header.missing:
            if first_missing is None:
                first_missing = (sheet.title, header.missing)
            continue
        sheets.append((sheet, number, header))
    if not sheets:
        if first_missing is None:
            raise FileProblem("empty workbook (no sheet has any data)")
        title, missing = first_missing
        raise FileProblem(f"sheet '{title}': {missing_reason(missing)}", 1)
    return sheets


def _stream_book(
    book: Any, file: str, roles: RoleResolver, share: Share | None
) -> Iterator[Message | InputError | Skipped]:
    corrupt = "corrupt .xlsx workbook"
    with _quiet(corrupt):
        sheets = _counting_sheets(book)
    for sheet, header_row, header in sheets:
        name = file if len(sheets) == 1 else f"{file}[{sheet.title}]"
        converter = RowConverter(roles, name, excel=True, share=share)
        index = header.index
        cols = [
            index.get(f) for f in ("time", "buyer", "sender", "text", "role", "session", "shop")
        ]
        rows = enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1)
        while True:
            with _quiet(corrupt):
                batch = list(islice(rows, _BATCH))
            if not batch:
                break
            for number, cells in batch:
                if _blank(cells):
                    continue
                n = len(cells)
                values = [cells[i] if i is not None and i < n else None for i in cols]
                result = converter.convert(number, *values)
                if isinstance(result, str):
                    yield InputError(name, number, result)
                else:
                    yield result
