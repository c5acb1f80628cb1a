"""JSON Lines: one JSON object per line, keys as the CSV columns (FORMATS.md §1).

Decisions:

- Blank (whitespace-only) lines are not rows. Every other line is one row.
- A line that is not valid JSON is rejected with the parser's message and
  column (``invalid JSON: Expecting ',' delimiter (column 17)``); valid JSON
  that is not an object (an array, a number, a string) is rejected as
  ``not a JSON object``.
- Keys are matched like CSV header cells (aliases, ASCII case-insensitive);
  unknown keys are ignored; two keys for one field (``time`` and ``时间``)
  reject the row. A missing required key rejects the row
  (``missing field(s): …``): unlike CSV, JSONL has no header to blame.
- Values may be strings, numbers (``"buyer": 12345``) or null (empty);
  objects and arrays are rejected. A number is not accepted as a time
  (epoch seconds or milliseconds? cslint does not guess).
- A line with undecodable bytes is rejected with the decoder's reason.
- A value holding half of a surrogate pair (``"\\ud800"`` alone: valid JSON,
  but not text) is rejected (``field 'text' holds a lone surrogate …``);
  escaped pairs (``"\\ud83d\\ude00"``, an emoji) are ordinary characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from cslint.model import InputError, Message
from cslint.readers.columns import ALIASES, REQUIRED, RowConverter, normalize_name
from cslint.readers.encoding import Chunk
from cslint.share import Skipped

# ``\ud800`` … ``\udfff`` escapes: JSON allows one alone (half of a pair), which
# decodes to a lone surrogate, a string no encoder (nor OpenCC) accepts.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _field_of(key: str, cache: dict[str, str | None]) -> str | None:
    try:
        return cache[key]
    except KeyError:
        field = cache[key] = ALIASES.get(normalize_name(key))
        return field


def stream_jsonl(
    chunks: Iterator[Chunk], file: str, converter: RowConverter
) -> Iterator[Message | InputError | Skipped]:
    """Messages and rejected rows of a decoded JSON Lines file, in file order."""
    cache: dict[str, str | None] = {}
    for chunk in chunks:
        bad = chunk.bad
        for lineno, line in enumerate(chunk.lines, chunk.first):
            if not line.strip():
                continue
            reason = bad.get(lineno) if bad else None
            if reason is None:
                # Without its line end: the parser's column for an error at the end must not move.
                result = _convert(line.removesuffix("\n"), lineno, converter, cache)
            else:
                result = converter.unattributed(reason)
            if isinstance(result, str):
                yield InputError(file, lineno, result)
            else:
                yield result


def _convert(
    line: str, lineno: int, converter: RowConverter, cache: dict[str, str | None]
) -> Message | str | Skipped:
    """The line's message, or why it is rejected (or SKIPPED: see cslint.share)."""
    unattributed = converter.unattributed  # a reason found before the buyer is known
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return unattributed(f"invalid JSON: {exc.msg} (column {exc.colno})")
    except ValueError as exc:  # e.g. an integer too long to convert
        return unattributed(f"invalid JSON: {exc}")
    except RecursionError:
        return unattributed("invalid JSON: nested too deeply")
    if not isinstance(obj, dict):
        return unattributed("not a JSON object")
    fields: dict[str, object] = {}
    for key, value in obj.items():
        field = _field_of(key, cache)
        if field is None:
            continue
        if field in fields:
            return unattributed(f"field '{field}' given twice")
        fields[field] = value
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        return unattributed("missing field(s): " + ", ".join(missing))
    if _SURROGATE_ESCAPE.search(line):  # pairs (emoji) decode fine; only lone halves are bad
        for field, value in fields.items():
            if isinstance(value, str) and (half := _SURROGATE.search(value)) is not None:
                return unattributed(
                    f"field '{field}' holds a lone surrogate "
                    f"({ascii(half.group())[1:-1]}), which is not a character"
                )
    return converter.convert(
        lineno,
        fields["time"],
        fields["buyer"],
        fields["sender"],
        fields["text"],
        fields.get("role"),
        fields.get("session"),
        fields.get("shop"),
    )
