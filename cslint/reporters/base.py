"""The contract every output format follows.

A reporter turns one :class:`~cslint.model.RunResult` into one document (a
``str``); the CLI decides where it goes (stdout, or a file written atomically
with :func:`cslint.output.write_atomic`). Reporters only read the result and
never see raw personal data unless ``show_pii`` asks for it: every text they
print goes through :mod:`cslint.reporters.common`.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import ClassVar, TextIO

from cslint import __version__
from cslint.model import InputError, RunResult, Violation
from cslint.output import write_atomic


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to render: what the user asked for on the command line."""

    show_pii: bool = False  # print personal data unmasked (``--show-pii``)
    color: bool = False  # ANSI colours (text only); see :func:`color_wanted`
    statistics: bool = False  # per-rule counts only (``--statistics``, text only)
    tool_version: str = __version__


class Reporter(ABC):
    """One output format. Subclasses set the class attributes and ``render``."""

    name: ClassVar[str]  # the ``--format`` value
    extension: ClassVar[str]  # usual file extension, with the dot
    binary: ClassVar[bool] = False  # all formats here are text (UTF-8)

    @abstractmethod
    def render(self, result: RunResult, options: ReportOptions) -> str:
        """The whole document for ``result``."""

    def write(self, result: RunResult, options: ReportOptions, path: Path) -> None:
        """Render and write to ``path`` atomically (raises ``OutputError``)."""
        write_atomic(path, self.render(result, options))


class StreamingReporter(Reporter):
    """A format whose document is a head, one item per violation, one item per
    input error and a tail. A streaming run renders each item as soon as it is
    found and writes the document at the end from spooled items
    (:mod:`cslint.spool`), so its memory does not grow with the input.
    """

    @abstractmethod
    def violation_item(self, v: Violation, options: ReportOptions) -> str:
        """One violation as the document shows it (it may span lines)."""

    def error_item(self, e: InputError, options: ReportOptions) -> str | None:
        """One input error as the document shows it; ``None``: not in this format."""
        return None

    @abstractmethod
    def write_document(
        self,
        out: TextIO,
        result: RunResult,
        violations: Iterable[str],
        errors: Iterable[str],
        options: ReportOptions,
    ) -> None:
        """Write the document: ``violations`` and ``errors`` are the rendered items,
        in order; ``result`` gives the summary (its own lists may be empty)."""

    def render(self, result: RunResult, options: ReportOptions) -> str:
        buffer = io.StringIO()
        errors = (self.error_item(e, options) for e in result.input_errors)
        self.write_document(
            buffer,
            result,
            (self.violation_item(v, options) for v in result.violations),
            (item for item in errors if item is not None),
            options,
        )
        return buffer.getvalue()


# Items joined into one write by write_items: a write per item costs more than
# the item's own encoding, and a block of this many is still small (about 1 MB).
WRITE_BLOCK = 1024


def write_items(
    out: TextIO, items: Iterable[str], separator: str = "", terminator: str = "", start: str = ""
) -> int:
    """Write ``items``, each followed by ``terminator``, with ``separator``
    between two items and ``start`` before the first (nothing if there is no
    item); the number of items written.

    Items are written in blocks of :data:`WRITE_BLOCK` joined together:
    one write per block, not one or two per item.
    """
    joiner = terminator + separator
    iterator = iter(items)
    count = 0
    while block := list(islice(iterator, WRITE_BLOCK)):
        out.write(separator if count else start)
        out.write(joiner.join(block) + terminator)
        count += len(block)
    return count


def color_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output to ``stream``: a terminal, and ``NO_COLOR`` unset.

    Follows https://no-color.org: ``NO_COLOR`` set to any non-empty value
    turns colour off; ``FORCE_COLOR`` (non-empty) turns it on for pipes (CI logs).
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
