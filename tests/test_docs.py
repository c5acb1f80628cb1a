"""The docs that are generated from code must match it."""

from __future__ import annotations

from pathlib import Path

from cslint.docgen import render

ROOT = Path(__file__).resolve().parent.parent


def test_rule_reference_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/rules.md is stale: run `python -m cslint.docgen > docs/rules.md`"
    )
