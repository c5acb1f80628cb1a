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
from typing import Any, ClassVar

from cslint.model import RunResult
from cslint.reporters.base import Reporter, ReportOptions
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


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document with a BOM, CRLF line ends (RFC 4180) and safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return BOM + buffer.getvalue()


class CsvReporter(Reporter):
    """One row per violation, the fields of the JSON violation object as columns."""

    name: ClassVar[str] = "csv"
    extension: ClassVar[str] = ".csv"

    def render(self, result: RunResult, options: ReportOptions) -> str:
        rows = (
            [d[field] for field in VIOLATION_FIELDS]
            for d in (violation_dict(v, options.show_pii) for v in result.violations)
        )
        return render_csv(VIOLATION_FIELDS, rows)
