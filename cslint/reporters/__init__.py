"""Output formats, one module each, found by name.

>>> get_reporter("json").render(result, ReportOptions())  # doctest: +SKIP

Adding a format is a module with a :class:`Reporter` subclass and a line in
``REPORTERS``; the CLI lists ``FORMATS`` for ``--format``.
"""

from __future__ import annotations

from cslint.reporters.base import Reporter, ReportOptions, color_wanted
from cslint.reporters.csv_ import CsvReporter
from cslint.reporters.github import GithubReporter
from cslint.reporters.json_ import JsonReporter
from cslint.reporters.jsonl import JsonlReporter
from cslint.reporters.junit import JunitReporter
from cslint.reporters.sarif import SarifReporter
from cslint.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls
    for cls in (
        TextReporter,
        JsonReporter,
        JsonlReporter,
        CsvReporter,
        SarifReporter,
        GithubReporter,
        JunitReporter,
    )
}
FORMATS: list[str] = list(REPORTERS)


def get_reporter(name: str) -> Reporter:
    """A reporter for format ``name``; ``ValueError`` naming the choices if unknown."""
    try:
        return REPORTERS[name]()
    except KeyError:
        raise ValueError(
            f"unknown output format {name!r}; choose one of {', '.join(FORMATS)}"
        ) from None


__all__ = ["FORMATS", "REPORTERS", "ReportOptions", "Reporter", "color_wanted", "get_reporter"]
