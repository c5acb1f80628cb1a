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
  a corrupt part) is a file-level error without a traceback, and what was read
  of the workbook before is dropped.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from cslint.model import InputError, Message
from cslint.readers.columns import (
    FileProblem,
    Header,
    RowConverter,
    fill_shops,
    missing_reason,
    resolve_header,
)
from cslint.readers.roles import RoleResolver

NEEDS_EXTRA = "reading .xlsx needs the excel extra: pip install 'cslint[excel]'"


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


def read_xlsx(path: Path, file: str, roles: RoleResolver) -> tuple[list[Message], list[InputError]]:
    """Messages and rejected rows of a workbook; raises :class:`FileProblem`."""
    try:
        import openpyxl
    except ImportError:
        raise FileProblem(NEEDS_EXTRA) from None
    # A file object, not the path: openpyxl refuses a workbook named ``.txt`` by its name.
    with path.open("rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles, data validation...
        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types on foreign files
            raise FileProblem(f"not a valid .xlsx workbook ({_short(exc)})") from None
        try:
            return _read_book(book, file, roles)
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(f"corrupt .xlsx workbook ({_short(exc)})") from None
        finally:
            book.close()


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _read_book(book: Any, file: str, roles: RoleResolver) -> tuple[list[Message], list[InputError]]:
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

    messages: list[Message] = []
    errors: list[InputError] = []
    for sheet, header_row, header in sheets:
        name = file if len(sheets) == 1 else f"{file}[{sheet.title}]"
        converter = RowConverter(roles, name, excel=True)
        index = header.index
        cols = [
            index.get(f) for f in ("time", "buyer", "sender", "text", "role", "session", "shop")
        ]
        rows = sheet.iter_rows(min_row=header_row + 1, values_only=True)
        for number, cells in enumerate(rows, header_row + 1):
            if _blank(cells):
                continue
            n = len(cells)
            values = [cells[i] if i is not None and i < n else None for i in cols]
            result = converter.convert(number, *values)
            if isinstance(result, Message):
                messages.append(result)
            else:
                errors.append(InputError(name, number, result))
    return fill_shops(messages), errors
