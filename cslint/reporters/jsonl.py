"""``jsonl``: one violation object per line, nothing else (easy to stream and ``jq``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar, TextIO

from cslint.model import RunResult, Violation
from cslint.reporters.base import ReportOptions, StreamingReporter, write_items
from cslint.reporters.common import violation_json_of

_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps(value, ensure_ascii=False)


class JsonlReporter(StreamingReporter):
    """One JSON object per violation, one per line."""

    name: ClassVar[str] = "jsonl"
    extension: ClassVar[str] = ".jsonl"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        return violation_json_of(v, options.show_pii, _ENCODER)

    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        write_items(out, violations, terminator="\n")
