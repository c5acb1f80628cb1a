"""``github``: GitHub Actions workflow commands, shown as annotations on the run.

``::error file=F,line=L,title=CODE name::message (text)``, with ``warning``
and ``notice`` for the other severities. Values are escaped as the Actions
runner expects: ``%``, CR and LF everywhere, and ``:`` and ``,`` in
properties. A line of 0 (a whole-file problem) is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import ClassVar, TextIO

from cslint.model import InputError, RunResult, Severity, Violation
from cslint.reporters.base import ReportOptions, StreamingReporter, write_items
from cslint.reporters.common import excerpt, masked, masked_str

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message (after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``file=…``, ``title=…``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str | int) -> str:
    """``::kind key=value,…::message`` with everything escaped."""
    props = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in properties.items() if value != ""
    )
    head = f"{kind} {props}" if props else kind
    return f"::{head}::{escape_data(message)}"


def _annotation(v: Violation, show_pii: bool) -> str:
    message = masked_str(v.message, show_pii)
    text = masked_str(v.text, show_pii)
    if text:
        message += f" ({excerpt(text, v.span, width=120)})"
    suggestion = masked(v.suggestion, show_pii)
    if suggestion:
        message += f" → {suggestion}"
    return command(
        _COMMAND.get(v.severity, "warning"),
        message,
        file=v.file,
        line=v.line if v.line > 0 else "",
        title=f"{v.code} {v.name}",
    )


class GithubReporter(StreamingReporter):
    """One workflow command per violation and per input error."""

    name: ClassVar[str] = "github"
    extension: ClassVar[str] = ".txt"

    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        return _annotation(v, options.show_pii)

    def error_item(self, e: InputError, options: ReportOptions) -> str:
        return command(
            "error",
            masked_str(e.reason, options.show_pii),
            file=e.file,
            line=e.line if e.line > 0 else "",
        )

    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        write_items(out, chain(violations, errors), terminator="\n")
