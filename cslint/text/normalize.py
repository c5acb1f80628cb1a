"""Normalized text with an offset map back to the raw message.

RULES.md, "Terms": *normalized text*. Phrases of a ruleset and the text of a
message meet in the same space — :func:`normalize_phrase` applies exactly the
transformation :func:`normalize` applies to a sentence — and every normalized
character remembers the raw character it came from, so reports point at the
original text.

The steps, in order, each one character for one character until the last:

1. **Emoticons skipped** — the ``skip`` spans are left out (jieba never sees
   ``/:^_^``; ``不/:^_^行`` becomes ``不行``).
2. **Width** — full-width ASCII (U+FF01–U+FF5E) and the ideographic space to
   ASCII, full-width ¥ £ ¢ to their usual form. Deliberately *not* NFKC: NFKC
   would also rewrite CJK compatibility ideographs, circled digits (① → 1),
   ``…`` (→ ``...``) and change lengths; none of that helps matching.
3. **Traditional → simplified** with OpenCC ``t2s``, on the whole slice so
   phrase-level mappings apply (``瞭解`` → ``了解`` while ``瞭`` alone stays;
   ``乾隆`` stays while ``乾淨`` → ``干净``). If the
   converted text has another length (no known case), every character is
   converted on its own so the map stays one to one. Pure ASCII is skipped.
4. **Case** — :meth:`str.lower`; the rare characters whose lower case is
   longer (``İ``) keep their case, and final sigma is folded to ``σ`` so that a
   character's lower case never depends on its neighbours.
5. **Noise** — runs of noise characters are dropped when they stand

   * between two CJK characters: any character that is not a letter or digit
     (whitespace, symbols, punctuation, ``_``, zero-width and format
     characters), except the real separators ``,`` ``，`` ``、`` and sentence
     terminators. So ``不 行`` ``不*行`` ``不.行`` ``不  行`` ``不_行`` ``不“行``
     all give ``不行``, while ``不,行`` stays.
   * between a CJK character and an ASCII letter or digit: only *joiners* —
     whitespace, zero-width characters and ``* . _ - · • ・ / |``. So ``V 信``
     and ``v.信`` give ``v信`` and ``4 天后`` gives ``4天后``, while ``10%的``
     and ``(含税)`` keep their symbols. Between two ASCII characters nothing is
     dropped (``v x``, ``3.5``, English text stay as they are).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

from cslint.text.emoticons import fold_width
from cslint.text.sentences import LINE_BREAKS, TERMINATORS

__all__ = ["CJK", "NormalizedText", "normalize", "normalize_folded", "normalize_phrase"]

#: CJK ideographs (a regex character-class body): unified, extension A–G,
#: compatibility ideographs and 〇.
CJK: Final = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

_NOISE_CJK: Final = rf"(?:[^\w,、{TERMINATORS}]|_)"
_JOINER: Final = rf"[^\S{LINE_BREAKS}]|[*._\-·•・/|\u00ad\u200b-\u200d\u2060\ufeff]"
_NOISE: Final = re.compile(
    rf"(?<=[{CJK}]){_NOISE_CJK}+(?=[{CJK}])"
    rf"|(?<=[{CJK}])(?:{_JOINER})+(?=[A-Za-z0-9])"
    rf"|(?<=[A-Za-z0-9])(?:{_JOINER})+(?=[{CJK}])"
)

# A cheap scan for a possible noise character ("_" is checked apart: it is \w).
_NOISE_HINT: Final = re.compile(rf"[^\w,、{TERMINATORS}]")

_converter: Any = None
_char_cache: dict[str, str] = {}


def _t2s(text: str) -> str:
    """OpenCC t2s of ``text``, guaranteed the same length."""
    global _converter
    if _converter is None:
        import opencc  # ~40 ms to import: only when a text needs it

        _converter = opencc.OpenCC("t2s")
    converted: str = _converter.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_t2s_char(c) for c in text)


def _t2s_char(char: str) -> str:
    found = _char_cache.get(char)
    if found is None:
        converted: str = _converter.convert(char)
        found = converted if len(converted) == 1 else char
        _char_cache[char] = found
    return found


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if "ς" in lowered:  # str.lower's only context rule (final sigma): made context-free
        lowered = lowered.replace("ς", "σ")
    return lowered


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalized string and where each of its characters came from.

    ``offsets`` has ``len(text) + 1`` entries: ``offsets[i]`` is the index in
    the raw string of normalized character ``i``; the last entry is the raw
    index just past the last kept character (the start of the normalized
    slice when nothing was kept). Offsets are strictly increasing.
    """

    text: str
    offsets: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw ``[s, e)`` covering normalized ``[start, end)``.

        ``e`` is just past the raw character of the last normalized one, so
        skipped noise or emoticons after the span are not included; noise
        *inside* the span is (``不 行`` → the whole ``不 行``). An empty span
        maps to an empty raw span at the raw position of ``start``.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside [0, {len(self.text)}]")
        if start == end:
            pos = self.offsets[start]
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def _kept_pieces(start: int, end: int, skip: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` minus the ``skip`` spans, as ordered non-empty pieces."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for a, b in sorted(skip):
        if b <= pos:
            continue
        if a >= end:
            break
        if a > pos:
            pieces.append((pos, a))
        pos = b
    if pos < end:
        pieces.append((pos, end))
    return pieces


def normalize(
    raw: str, start: int = 0, end: int | None = None, skip: Sequence[tuple[int, int]] = ()
) -> NormalizedText:
    """Normalize ``raw[start:end]`` without the ``skip`` spans (see the module doc).

    Offsets index ``raw``. ``start``/``end`` are clamped to the string like a
    slice with non-negative bounds.
    """
    return _normalize(raw, start, end, skip, True)


def normalize_folded(
    folded: str, start: int = 0, end: int | None = None, skip: Sequence[tuple[int, int]] = ()
) -> NormalizedText:
    """:func:`normalize` of a text already width-folded as a whole (``fold_width``).

    The fold maps each character on its own, so folding the message once and
    slicing gives what folding each slice gives; :func:`~cslint.text.analysis.analyze`
    uses this to fold a message once for all its sentences.
    """
    return _normalize(folded, start, end, skip, False)


def _normalize(
    raw: str, start: int, end: int | None, skip: Sequence[tuple[int, int]], fold: bool
) -> NormalizedText:
    size = len(raw)
    end = size if end is None else max(0, min(end, size))
    start = max(0, min(start, end))
    pieces = _kept_pieces(start, end, skip)
    if not pieces:
        return NormalizedText("", (start,))
    offsets: Sequence[int]
    if len(pieces) == 1:
        a, b = pieces[0]
        text = raw[a:b]
        offsets = range(a, b)
    else:
        text = "".join([raw[a:b] for a, b in pieces])
        offsets = tuple(chain.from_iterable(range(a, b) for a, b in pieces))
    if fold:
        text = fold_width(text)
    if text.isascii():
        text = text.lower()  # ASCII: lower() is 1:1, no CJK, hence no noise to drop
    else:
        text, offsets = _drop_noise(_lower(_t2s(text)), offsets)
    return NormalizedText(text, (*offsets, offsets[-1] + 1))


def _drop_noise(text: str, offsets: Sequence[int]) -> tuple[str, Sequence[int]]:
    hint = _NOISE_HINT.search(text)  # most sentences have no candidate at all
    first = hint.start() if hint else len(text)
    underscore = text.find("_", 0, first)
    if underscore >= 0:
        first = underscore
    if first >= len(text):
        return text, offsets
    matches = list(_NOISE.finditer(text, first))
    if not matches:
        return text, offsets
    parts: list[str] = []
    kept: list[Sequence[int]] = []
    pos = 0
    for m in matches:
        parts.append(text[pos : m.start()])
        kept.append(offsets[pos : m.start()])
        pos = m.end()
    parts.append(text[pos:])
    kept.append(offsets[pos:])
    return "".join(parts), tuple(chain.from_iterable(kept))


def normalize_phrase(phrase: str) -> str:
    """A ruleset phrase in the normalized space (surrounding whitespace stripped)."""
    return normalize(phrase.strip()).text
