"""``json``: one document with the violations, input errors, summary and metadata.

Built piece by piece (one ``json.dumps`` per violation, joined once) so a run
with 100k+ violations renders in linear time; the document is still one valid,
readable JSON value with one violation per line.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from cslint.model import RunResult
from cslint.reporters.base import Reporter, ReportOptions
from cslint.reporters.common import input_error_dict, violation_dict


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _array(items: list[str]) -> str:
    if not items:
        return "[]"
    return "[\n    " + ",\n    ".join(items) + "\n  ]"


def _block(value: Any) -> str:
    """``value`` pretty-printed, indented to sit at the document's second level."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")


class JsonReporter(Reporter):
    """``{"tool", "violations", "input_errors", "summary"[, "meta"]}``."""

    name: ClassVar[str] = "json"
    extension: ClassVar[str] = ".json"

    def render(self, result: RunResult, options: ReportOptions) -> str:
        tool = {"name": "cslint", "version": options.tool_version}
        violations = [_dumps(violation_dict(v, options.show_pii)) for v in result.violations]
        errors = [_dumps(input_error_dict(e, options.show_pii)) for e in result.input_errors]
        parts = [
            f'"tool": {_dumps(tool)}',
            f'"violations": {_array(violations)}',
            f'"input_errors": {_array(errors)}',
            f'"summary": {_block(result.summary())}',
        ]
        if result.meta:
            parts.append(f'"meta": {_block(result.meta)}')
        return "{\n  " + ",\n  ".join(parts) + "\n}\n"
