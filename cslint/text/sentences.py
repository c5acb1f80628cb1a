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
* A piece longer than :data:`MAX_SENTENCE` (512) characters is cut into
  sentences of at most that many, each cut placed after the last whitespace
  or comma (``, ， 、 : ：``) in the final quarter of the allowance, else
  exactly at the limit. Every per-sentence step (the phrase automaton, ruleset
  patterns, jieba) then works on bounded pieces, so a hostile message — four
  million characters without a full stop — costs time in proportion to its
  length: a ruleset pattern is at most quadratic in what it searches
  (:func:`cslint.ruleset._check_pattern`), and what it searches is one
  sentence. Chat sentences are far shorter; a phrase that straddles a cut in
  such a piece is not found, an accepted loss on text no agent types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["LINE_BREAKS", "MAX_SENTENCE", "TERMINATORS", "split_sentences"]

#: Characters that end a line (those of :meth:`str.splitlines`).
LINE_BREAKS: Final = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: Characters that end a sentence, line breaks included.
TERMINATORS: Final = "。！？!?；;…~～〜" + LINE_BREAKS

# A piece without its surrounding whitespace: it starts and ends on a visible character.
_PIECE: Final = re.compile(rf"[^\s{TERMINATORS}](?:[^{TERMINATORS}]*[^\s{TERMINATORS}])?")
# A URL ends on a letter, digit or URL symbol: "…?id=1!" keeps its "!" as a terminator.
_URL: Final = re.compile(r"(?:https?://|www\.)[!-~]*[A-Za-z0-9/#=&_%+\-]", re.IGNORECASE)
_NUMERAL: Final = "0-9０-９零一二两三四五六七八九十"
# The tilde first, then a look behind it: the regex engine skips to tildes
# instead of trying the lookbehind at every position.
_RANGE: Final = re.compile(f"[~～](?<=[{_NUMERAL}][~～])(?=[{_NUMERAL}])")
_FILLER: Final = "\ue000"  # private use: neither a terminator nor whitespace
_SPLITS_OR_TRIMS: Final = re.compile(rf"[\s{TERMINATORS}]")
_TERMINATOR: Final = re.compile(f"[{TERMINATORS}]")
#: The longest sentence, in characters; longer pieces are cut (see the module docstring).
MAX_SENTENCE: Final = 512
_CUT_AFTER: Final = frozenset(",，、:：")


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
    hidden: list[tuple[int, int]] = []  # spans filled in before looking for pieces
    if skip:
        # Only an emoticon holding whitespace or a terminator needs the filler:
        # _PIECE sees any other character the way it sees the filler.
        hidden += [(a, b) for a, b in skip if _SPLITS_OR_TRIMS.search(text, a, b)]
    if "://" in text or "www." in text or "WWW." in text:
        hidden += [m.span() for m in _URL.finditer(text)]
    if "~" in text or "～" in text:
        hidden += [m.span() for m in _RANGE.finditer(text)]
    masked = _mask(text, hidden) if hidden else text
    if _TERMINATOR.search(masked) is None:
        # Most messages: one piece at most, the text stripped (\s and
        # str.strip() agree on what is whitespace).
        start = len(masked) - len(masked.lstrip())
        end = len(masked.rstrip())
        spans = [(start, end)] if start < end else []
    else:
        spans = [m.span() for m in _PIECE.finditer(masked)]
    if len(text) <= MAX_SENTENCE:
        return spans
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start <= MAX_SENTENCE:
            out.append((start, end))
        else:
            out.extend(_cut(masked, start, end))
    return out


def _cut(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` (a trimmed piece) as trimmed pieces of at most ``MAX_SENTENCE``."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = limit
        for i in range(limit, limit - MAX_SENTENCE // 4, -1):
            before = masked[i - 1]
            if before in _CUT_AFTER or before.isspace():
                cut = i
                break
        stop = cut
        while stop > start and masked[stop - 1].isspace():
            stop -= 1
        if stop > start:
            pieces.append((start, stop))
        start = cut
        while start < end and masked[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces
