"""``json``: one document with the violations, input errors, summary and metadata.

Written piece by piece (one ``json.dumps`` per violation) so a run with a
million violations streams in linear time and bounded memory; the document is
still one valid, readable JSON value with one violation per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar, TextIO

from cslint.model import InputError, RunResult, Violation
from cslint.reporters.base import ReportOptions, StreamingReporter, write_items
from cslint.reporters.common import input_error_dict, violation_json_of

# json.dumps(value, ensure_ascii=False, default=str), built once (dumps builds
# an encoder on every call when given options)
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
_dumps = _ENCODER.encode


def _write_array(out: TextIO, items: Iterable[bytes]) -> None:
    """``[]``, or the items one per line at the document's third level."""
    if write_items(out, items, ",\n    ", start="[\n    "):
        out.write("\n  ]")
    else:
        out.write("[]")


def _block(value: Any) -> str:
    """``value`` pretty-printed, indented to sit at the document's second level."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")


class JsonReporter(StreamingReporter):
    """``{"tool", "violations", "input_errors", "summary"[, "meta"]}``."""

    name: ClassVar[str] = "json"
    extension: ClassVar[str] = ".json"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        return violation_json_of(v, options.show_pii, _ENCODER)

    def error_item(self, e: InputError, options: ReportOptions) -> str:
        return _dumps(input_error_dict(e, options.show_pii))

    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        tool = {"name": "cslint", "version": options.tool_version}
        out.write(f'{{\n  "tool": {_dumps(tool)},\n  "violations": ')
        _write_array(out, violations)
        out.write(',\n  "input_errors": ')
        _write_array(out, errors)
        out.write(f',\n  "summary": {_block(result.summary())}')
        if result.meta:
            out.write(f',\n  "meta": {_block(result.meta)}')
        out.write("\n}\n")
