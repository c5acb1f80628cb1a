"""What every reporter shares: masking, the violation record, safe cells.

Personal data leaves cslint only through here: :func:`violation_dict` and
:func:`masked` mask phone, order and ID numbers and addresses in every free
text a violation carries (the offending text, and the rule's message and
suggestion, which may quote it) unless ``show_pii``. Masking keeps lengths, so
spans stay valid in the masked text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from cslint.model import TIME_FORMAT, InputError, Severity, Violation
from cslint.pii import mask_text

# The fields of a violation in json, jsonl and csv output, in this order.
VIOLATION_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "severity",
    "points",
    "message",
    "suggestion",
    "file",
    "line",
    "session",
    "buyer",
    "agent",
    "time",
    "text",
    "span",
    "deducted",
    "shop",
)

# Cells Excel (and LibreOffice, Google Sheets) would run as a formula: a leading
# = + - @, or a leading tab / carriage return that hides one (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry at all (chat exports do contain stray ones).
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Line breaks, and control characters a terminal would act on (C0, DEL, CSI).
_CONTROL = re.compile(r"\r\n|[\x00-\x1f\x7f\x9b]")

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@lru_cache(maxsize=8192)
def _mask_cached(text: str) -> str:
    return mask_text(text)


def masked(text: str | None, show_pii: bool) -> str | None:
    """``text`` with personal data masked, unless ``show_pii``; ``None`` stays ``None``."""
    if text is None or show_pii:
        return text
    return _mask_cached(text)


def masked_str(text: str, show_pii: bool) -> str:
    """:func:`masked` for a value that is never ``None``."""
    return text if show_pii else _mask_cached(text)


def mask_function(show_pii: bool) -> Callable[[str], str]:
    """:func:`masked_str` with ``show_pii`` decided once: masking, or nothing."""
    return _unmasked if show_pii else _mask_cached


def format_time(value: datetime | None) -> str | None:
    """``YYYY-MM-DD HH:MM:SS`` or ``None``."""
    if value is None:
        return None
    if value.year >= 1000 and value.tzinfo is None:
        # the same text as strftime(TIME_FORMAT), a third of the time (every
        # violation prints its time); strftime does not pad years below 1000
        return value.isoformat(" ", "seconds")
    return value.strftime(TIME_FORMAT)


# A message longer than this is not repeated whole in every violation: a
# 4-million-character spam with a finding per sentence would print terabytes.
LONG_TEXT = 1000
# Characters kept on each side of the span of a violation in a long message.
TEXT_WINDOW = 60


def text_window(text: str, span: tuple[int, int] | None) -> tuple[int, int]:
    """The part ``[start, end)`` of ``text`` a report shows: all of it, or a
    window around ``span`` when the text is longer than :data:`LONG_TEXT`."""
    n = len(text)
    if n <= LONG_TEXT:
        return 0, n
    lo, hi = span if span is not None else (0, 0)
    return max(0, lo - TEXT_WINDOW), min(n, max(hi, lo) + TEXT_WINDOW)


def violation_dict(v: Violation, show_pii: bool) -> dict[str, Any]:
    """The violation as json/jsonl/csv print it (FORMATS.md), personal data masked.

    The buyer nick and the session id are masked too: Taobao nicks are often a
    phone number, and derived session ids may carry the nick. A message longer
    than :data:`LONG_TEXT` characters is cut to a window around the span
    (masked as a whole first, so no number is half shown at the cut): ``span``
    then indexes the window, and ``text_start`` / ``text_length`` say where the
    window lies in the message.
    """
    mask = mask_function(show_pii)
    text = mask(v.text)
    span = v.span
    start, end = text_window(text, span)
    cut = (start, end) != (0, len(text))
    if cut:
        text = text[start:end]
        if span is not None:
            span = (span[0] - start, span[1] - start)
    suggestion = v.suggestion
    d = {
        "code": v.code,
        "name": v.name,
        "severity": str(v.severity),
        "points": v.points,
        "message": mask(v.message),
        "suggestion": None if suggestion is None else mask(suggestion),
        "file": v.file,
        "line": v.line,
        "session": mask(v.session),
        "buyer": mask(v.buyer),
        "agent": v.agent,
        "time": format_time(v.time),
        "text": text,
        "span": list(span) if span is not None else None,
        "deducted": v.deducted,
        "shop": v.shop,
    }
    if cut:
        d["text_start"] = start
        d["text_length"] = len(v.text)
    return d


def _unmasked(text: str) -> str:
    return text


_encode_str = json.encoder.encode_basestring  # a str as json.dumps(ensure_ascii=False) writes it


def _str_or_null(value: Any) -> str:
    return "null" if value is None else _encode_str(value)  # TypeError if not a str


def _int(value: Any) -> str:
    if type(value) is not int:
        raise TypeError(value)
    return int.__repr__(value)


def violation_json(d: dict[str, Any], encoder: json.JSONEncoder) -> str:
    """``encoder.encode(d)`` for a :func:`violation_dict` ``d`` (``ensure_ascii=False``,
    default separators), written out field by field: three times faster than the
    encoder, and json and jsonl output print every violation. A value of
    another type than a violation's fields have (a raised ``TypeError``) and
    a cut text go through ``encoder`` itself."""
    span = d["span"]
    deducted = d["deducted"]
    if "text_start" in d or type(deducted) is not bool or (span is not None and len(span) != 2):
        return encoder.encode(d)
    s = _encode_str
    try:
        return (
            f'{{"code": {s(d["code"])}, "name": {s(d["name"])}, "severity": {s(d["severity"])}, '
            f'"points": {_int(d["points"])}, "message": {s(d["message"])}, '
            f'"suggestion": {_str_or_null(d["suggestion"])}, "file": {s(d["file"])}, '
            f'"line": {_int(d["line"])}, "session": {s(d["session"])}, "buyer": {s(d["buyer"])}, '
            f'"agent": {_str_or_null(d["agent"])}, "time": {_str_or_null(d["time"])}, '
            f'"text": {s(d["text"])}, '
            f'"span": {"null" if span is None else f"[{_int(span[0])}, {_int(span[1])}]"}, '
            f'"deducted": {"true" if deducted else "false"}, "shop": {_str_or_null(d["shop"])}}}'
        )
    except (TypeError, IndexError):
        return encoder.encode(d)


# The start of a violation's json object, up to its points, per rule: the
# same in every violation of a rule (four encodings fewer per violation, a
# tenth of its item). Bounded: a long-lived process may see many rule packs.
_JSON_HEADS: dict[tuple[str, str, Severity, int], str] = {}
_JSON_HEADS_MAX = 1024


def _json_head(code: str, name: str, severity: Severity, points: int) -> str:
    """``{"code": …, "name": …, "severity": …, "points": …, ``; ``points`` an
    ``int`` (raises ``TypeError`` for a value json would not write as text)."""
    key = (code, name, severity, points)
    head = _JSON_HEADS.get(key)
    if head is None:
        s = _encode_str
        head = (
            f'{{"code": {s(code)}, "name": {s(name)}, "severity": {s(str(severity))}, '
            f'"points": {_int(points)}, '
        )
        if len(_JSON_HEADS) < _JSON_HEADS_MAX:
            _JSON_HEADS[key] = head
    return head


def violation_json_of(v: Violation, show_pii: bool, encoder: json.JSONEncoder) -> str:
    """``violation_json(violation_dict(v, show_pii), encoder)``, written straight
    from ``v`` without the dict between (json and jsonl render every violation
    this way: the dict costs as much again as the writing). A text to cut and
    a value :func:`violation_json` would not write itself take the long way."""
    span = v.span
    deducted = v.deducted
    if (
        len(v.text) > LONG_TEXT
        or type(deducted) is not bool
        or type(v.points) is not int  # (True == 1: a bool would find an int's head)
        or (span is not None and len(span) != 2)
    ):
        return violation_json(violation_dict(v, show_pii), encoder)
    mask = mask_function(show_pii)
    # masked first, as violation_dict does (outside the try: its errors are its own)
    text = mask(v.text)
    message = mask(v.message)
    suggestion = v.suggestion
    suggestion = None if suggestion is None else mask(suggestion)
    session = mask(v.session)
    buyer = mask(v.buyer)
    time = format_time(v.time)
    s = _encode_str
    try:
        return (
            f'{_json_head(v.code, v.name, v.severity, v.points)}"message": {s(message)}, '
            f'"suggestion": {_str_or_null(suggestion)}, "file": {s(v.file)}, '
            f'"line": {_int(v.line)}, "session": {s(session)}, "buyer": {s(buyer)}, '
            f'"agent": {_str_or_null(v.agent)}, "time": {_str_or_null(time)}, '
            f'"text": {s(text)}, '
            f'"span": {"null" if span is None else f"[{_int(span[0])}, {_int(span[1])}]"}, '
            f'"deducted": {"true" if deducted else "false"}, "shop": {_str_or_null(v.shop)}}}'
        )
    except (TypeError, IndexError):
        return violation_json(violation_dict(v, show_pii), encoder)


def input_error_dict(e: InputError, show_pii: bool) -> dict[str, Any]:
    """An input error as ``{"file", "line", "reason"}``; the reason may quote a row, so masked."""
    return {"file": e.file, "line": e.line, "reason": masked_str(e.reason, show_pii)}


def neutralise_cell(value: str) -> str:
    """A CSV cell Excel will show as text, never run: formula-like cells get a leading ``'``."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids (replaced by U+FFFD)."""
    return _XML_INVALID.sub("\ufffd", text)


def sarif_level(severity: Severity | str) -> str:
    """SARIF ``level`` for a cslint severity: error, warning, note."""
    return _SARIF_LEVEL.get(Severity(severity), "warning")


def _printable(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\t":
        return " "
    return "⏎" if char in ("\r\n", "\n", "\r") else "\ufffd"


def one_line(text: str) -> str:
    """``text`` safe to print on one line: line breaks shown as ``⏎``, tabs as
    spaces, other control characters (an ANSI escape in a chat message could
    restyle or rewrite the user's terminal) as U+FFFD."""
    if text.isprintable():
        # none of them (all are unprintable): most texts, without a regex pass
        # (a third of the time of a text report's violation item)
        return text
    return _CONTROL.sub(_printable, text)


def excerpt(
    text: str,
    span: tuple[int, int] | None,
    *,
    width: int = 80,
    mark: tuple[str, str] = ("「", "」"),
) -> str:
    """One line of ``text`` around ``span``, the span wrapped in ``mark``.

    Long texts are cut to about ``width`` characters around the span, with
    ``…`` where something was left out; line breaks show as ``⏎``.
    """
    n = len(text)
    if span is None:
        if n <= width:
            return one_line(text)
        return one_line(text[:width]) + "…"
    start = min(max(span[0], 0), n)
    end = min(max(span[1], start), n)
    inner = text[start:end]
    if len(inner) > width:
        inner = inner[: width - 1] + "…"
    context = max(8, (width - (end - start)) // 2)
    lo = max(0, start - context)
    hi = min(n, end + context)
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < n else "")
    return one_line(before) + mark[0] + one_line(inner) + mark[1] + one_line(after)


def points_label(n: int) -> str:
    """``1 point``, ``2 points``."""
    return f"{n} point" if n in (1, -1) else f"{n} points"


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (right-aligned if ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill
