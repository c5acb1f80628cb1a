"""Split a message into sentences (RULES.md, "Terms": *sentence*).

A sentence is a piece of the message between terminators — ``。！？!?；;…~``,
the full-width ``～`` and the wave dash ``〜`` — or line breaks. Decisions:

* A terminator inside a ``skip`` span (an emoticon such as ``/:?`` or
  ``~\\(≧▽≦)/~``) does not split.
* A terminator inside a URL (``http://…``, ``https://…``, ``www.…``) does not
  split either, so ``item.htm?id=1`` stays in one piece.
* A ``~`` (``～``) between two numbers is a range, not a terminator:
  ``3~5天发货`` and ``三～五天`` stay one sentence.
* Spans exclude the terminators and the whitespace around the piece; pieces
  that are empty or only whitespace are dropped.
* A piece that holds only an emoticon (or only punctuation) *is* a sentence:
  the sentences cover every visible character of the message. Its normalized
  text is empty once emoticons are skipped, so W004 ("last character once
  emoticons and punctuation are stripped") simply finds nothing there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["LINE_BREAKS", "TERMINATORS", "split_sentences"]

#: Characters that end a line (those of :meth:`str.splitlines`).
LINE_BREAKS: Final = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: Characters that end a sentence, line breaks included.
TERMINATORS: Final = "。！？!?；;…~～〜" + LINE_BREAKS

# A piece without its surrounding whitespace: it starts and ends on a visible character.
_PIECE: Final = re.compile(rf"[^\s{TERMINATORS}](?:[^{TERMINATORS}]*[^\s{TERMINATORS}])?")
# A URL ends on a letter, digit or URL symbol: "…?id=1!" keeps its "!" as a terminator.
_URL: Final = re.compile(r"(?:https?://|www\.)[!-~]*[A-Za-z0-9/#=&_%+\-]", re.IGNORECASE)
_NUMERAL: Final = "0-9０-９零一二两三四五六七八九十"
_RANGE: Final = re.compile(f"(?<=[{_NUMERAL}])[~～](?=[{_NUMERAL}])")
_FILLER: Final = "\ue000"  # private use: neither a terminator nor whitespace


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with every span replaced by filler characters of the same length."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        parts.append(text[pos:start])
        parts.append(_FILLER * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def split_sentences(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Raw ``[start, end)`` spans of the sentences of ``text``, in order.

    ``skip`` holds spans (emoticons) whose characters never split a sentence.
    """
    masked = _mask(text, skip) if skip else text
    if "://" in text or "www." in text or "WWW." in text:
        masked = _mask(masked, [m.span() for m in _URL.finditer(text)])
    if "~" in text or "～" in text:
        masked = _mask(masked, [m.span() for m in _RANGE.finditer(text)])
    return [m.span() for m in _PIECE.finditer(masked)]
