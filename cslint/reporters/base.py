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
from typing import BinaryIO, ClassVar, TextIO

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
    (:mod:`cslint.spool`), so its memory does not grow with the input. Spooled
    items are kept encoded (:func:`encode_item`): they are written as they are.
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
        violations: Iterable[bytes],
        errors: Iterable[bytes],
        options: ReportOptions,
    ) -> None:
        """Write the document: ``violations`` and ``errors`` are the rendered items,
        encoded (:func:`encode_item`), in order; ``result`` gives the summary
        (its own lists may be empty)."""

    def render(self, result: RunResult, options: ReportOptions) -> str:
        buffer = io.StringIO()
        errors = (self.error_item(e, options) for e in result.input_errors)
        self.write_document(
            buffer,
            result,
            (encode_item(self.violation_item(v, options)) for v in result.violations),
            (encode_item(item) for item in errors if item is not None),
            options,
        )
        return buffer.getvalue()


def encode_item(item: str) -> bytes:
    """A rendered item as a streaming run spools it: UTF-8, a lone surrogate
    kept as it is (as pickling the ``str`` would), so that writing the item
    fails, or not, as writing the ``str`` would (see :func:`write_items`).

    Half the memory of the ``str`` for Chinese text, and the parent process
    of a run with ``--jobs`` neither decodes the workers' items nor encodes
    them again to write them."""
    return item.encode("utf-8", "surrogatepass")


def decode_item(data: bytes) -> str:
    """The ``str`` of :func:`encode_item`'s bytes."""
    return data.decode("utf-8", "surrogatepass")


class Utf8Output(io.TextIOWrapper):
    """A UTF-8 text stream over a binary file, without newline translation, that
    also takes encoded items as they are (:meth:`write_encoded`)."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(raw, encoding="utf-8", newline="")

    def write_encoded(self, data: bytes) -> None:
        """Write UTF-8 ``data`` (of :func:`encode_item`, whose ``str`` has no lone
        surrogate) after what was written before."""
        self.flush()
        self.buffer.write(data)


# Items joined into one write by write_items: a write per item costs more than
# the item's own encoding, and a block of this many is still small (about 1 MB).
WRITE_BLOCK = 1024


def write_items(
    out: TextIO, items: Iterable[bytes], separator: str = "", terminator: str = "", start: str = ""
) -> int:
    """Write the encoded ``items`` (:func:`encode_item`), each followed by
    ``terminator``, with ``separator`` between two items and ``start`` before
    the first (nothing if there is no item); the number of items written.

    Items are written in blocks of :data:`WRITE_BLOCK` joined together:
    one write per block, not one or two per item. A :class:`Utf8Output` takes
    a block as it is; any other stream, or a block that may hold a lone
    surrogate, gets it decoded (a surrogate then fails the write as before).
    """
    joiner = (terminator + separator).encode()
    end = terminator.encode()
    write_encoded = out.write_encoded if isinstance(out, Utf8Output) else None
    iterator = iter(items)
    count = 0
    while block := list(islice(iterator, WRITE_BLOCK)):
        out.write(separator if count else start)
        data = joiner.join(block) + end
        # b"\xed" leads every encoded surrogate (and Hangul syllables from U+D000)
        if write_encoded is not None and b"\xed" not in data:
            write_encoded(data)
        else:
            out.write(decode_item(data))
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
