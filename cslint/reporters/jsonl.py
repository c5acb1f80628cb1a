"""``jsonl``: one violation object per line, nothing else (easy to stream and ``jq``)."""

from __future__ import annotations

import json
from typing import ClassVar

from cslint.model import RunResult
from cslint.reporters.base import Reporter, ReportOptions
from cslint.reporters.common import violation_dict


class JsonlReporter(Reporter):
    """One JSON object per violation, one per line."""

    name: ClassVar[str] = "jsonl"
    extension: ClassVar[str] = ".jsonl"

    def render(self, result: RunResult, options: ReportOptions) -> str:
        lines = [
            json.dumps(violation_dict(v, options.show_pii), ensure_ascii=False)
            for v in result.violations
        ]
        return "".join(line + "\n" for line in lines)
