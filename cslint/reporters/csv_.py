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
from cslint.reporters.common import (
    LONG_TEXT,
    VIOLATION_FIELDS,
    format_time,
    mask_function,
    neutralise_cell,
    violation_dict,
)

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


def violation_row(v: Violation, show_pii: bool) -> str:
    """The violation's CSV record: ``csv_row`` of its :func:`violation_dict`
    fields in :data:`VIOLATION_FIELDS` order."""
    d = violation_dict(v, show_pii)
    return csv_row([d[field] for field in VIOLATION_FIELDS])


def _ints(span: tuple[int, int]) -> bool:
    return type(span[0]) is int and type(span[1]) is int


def violation_row_of(v: Violation, show_pii: bool) -> str:
    """:func:`violation_row`, written straight from ``v``: no dict, no cell
    conversions, no csv writer (a fifth of the time: a csv report writes
    every violation this way). Only a record whose cells need no quoting is
    written here; any other, a text to cut and a value of an unexpected type
    take the long way."""
    span = v.span
    deducted = v.deducted
    points = v.points
    line = v.line
    if (
        len(v.text) > LONG_TEXT
        or type(deducted) is not bool
        or type(points) is not int
        or type(line) is not int
        or (span is not None and (len(span) != 2 or not _ints(span)))
    ):
        return violation_row(v, show_pii)
    mask = mask_function(show_pii)
    text = mask(v.text)  # masked first, as violation_dict does
    suggestion = v.suggestion
    agent = v.agent
    time = format_time(v.time)
    shop = v.shop
    cell = neutralise_cell
    try:
        record = ",".join(
            (
                cell(v.code),
                cell(v.name),
                cell(str(v.severity)),
                str(points),
                cell(mask(v.message)),
                "" if suggestion is None else cell(mask(suggestion)),
                cell(v.file),
                str(line),
                cell(mask(v.session)),
                cell(mask(v.buyer)),
                "" if agent is None else cell(agent),
                "" if time is None else cell(time),
                cell(text),
                "" if span is None else f'"[{span[0]}, {span[1]}]"',  # quoted: a comma
                "true" if deducted else "false",
                "" if shop is None else cell(shop),
            )
        )
    except (TypeError, AttributeError):  # a value that is no str where one is expected
        return violation_row(v, show_pii)
    # the csv writer quotes a cell holding a comma, a quote or a line break:
    # none may but the span's, whose comma and quotes are counted here
    quoted = span is not None
    if (
        record.count(",") != len(VIOLATION_FIELDS) - 1 + quoted
        or record.count('"') != 2 * quoted
        or "\r" in record
        or "\n" in record
    ):
        return violation_row(v, show_pii)
    return record + "\r\n"


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document with a BOM, CRLF line ends (RFC 4180) and safe cells."""
    return BOM + csv_row(header) + "".join(csv_row(row) for row in rows)


class CsvReporter(StreamingReporter):
    """One row per violation, the fields of the JSON violation object as columns."""

    name: ClassVar[str] = "csv"
    extension: ClassVar[str] = ".csv"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        return violation_row_of(v, options.show_pii)

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
