"""Points and session scores (RULES.md, "Points").

A session loses a rule's points at most ``max_deductions`` times (default
once) however often the rule is broken; every occurrence is still reported,
with ``deducted`` telling which ones cost points. Score = max(0, 100 − total).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from cslint.model import Violation

_EPOCH = datetime.min


def score_session(
    violations: Sequence[Violation], max_deductions: Mapping[str, int]
) -> tuple[list[Violation], int]:
    """The violations with ``deducted`` set (in time order within a rule), and the total deduction."""
    ordered = sorted(violations, key=lambda v: (v.time or _EPOCH, v.line, v.span or (0, 0), v.code))
    used: dict[str, int] = {}
    out: list[Violation] = []
    total = 0
    for v in ordered:
        n = used.get(v.code, 0)
        deducted = n < max_deductions.get(v.code, 1)
        used[v.code] = n + 1
        if deducted:
            total += v.points
        out.append(v if v.deducted == deducted else replace(v, deducted=deducted))
    return out, total
