"""``csv``: one row per violation, for Excel.

UTF-8 with a BOM (without it Excel on Chinese Windows reads the file as GBK and
garbles every Chinese character); the BOM is part of the rendered document so
it survives whichever way the document is written. Text cells that Excel
would run as a formula are neutralised with a leading ``'``. ``span`` is
written as ``[start, end]`` (``3-8`` would turn into a date), ``None`` as an
empty cell, booleans as ``true``/``false``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, TextIO

from cslint.model import RunResult, Violation
from cslint.reporters.base import ReportOptions, StreamingReporter, write_items
from cslint.reporters.common import VIOLATION_FIELDS, neutralise_cell, violation_dict

BOM = "\ufeff"


def csv_cell(value: Any) -> str | int | float:
    """One value as a safe CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return neutralise_cell(str(value))


def csv_row(values: Sequence[Any]) -> str:
    """One CSV record of safe cells, with its CRLF line end (RFC 4180)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(value) for value in values])
    return buffer.getvalue()


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document with a BOM, CRLF line ends (RFC 4180) and safe cells."""
    return BOM + csv_row(header) + "".join(csv_row(row) for row in rows)


class CsvReporter(StreamingReporter):
    """One row per violation, the fields of the JSON violation object as columns."""

    name: ClassVar[str] = "csv"
    extension: ClassVar[str] = ".csv"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        d = violation_dict(v, options.show_pii)
        return csv_row([d[field] for field in VIOLATION_FIELDS])

    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        out.write(BOM + csv_row(VIOLATION_FIELDS))
        write_items(out, violations)
