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
   converted on its own so the map stays one to one. Pure ASCII is skipped,
   and so is a slice without a character OpenCC could change (:func:`_t2s`).
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

The offset map is kept as *runs* — maximal stretches where consecutive
normalized characters come from consecutive raw ones — rather than one integer
per character: a sentence without skipped emoticons or dropped noise is a
single run, and :attr:`NormalizedText.offsets` is only spelled out on demand.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, Final

from cslint.text.emoticons import fold_width
from cslint.text.sentences import LINE_BREAKS, TERMINATORS

__all__ = ["CJK", "NormalizedText", "normalize", "normalize_folded", "normalize_phrase"]

#: CJK ideographs (a regex character-class body): unified, extension A–G,
#: compatibility ideographs and 〇.
CJK: Final = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

_NOISE_CJK: Final = rf"(?:[^\w,、{TERMINATORS}]|_)"
_JOINER: Final = rf"[^\S{LINE_BREAKS}]|[*._\-·•・/|\u00ad\u200b-\u200d\u2060\ufeff]"
# Three kinds of runs (see the module docstring): a run between two CJK
# characters, joiners between CJK and ASCII, joiners between ASCII and CJK.
# The pattern begins with one character class, the run's first character (a
# noise character: every joiner is one, a test checks it), and only then looks
# behind at the character before it: the regex engine then skips in C to the
# positions holding a noise character instead of trying three lookbehinds at
# every position (a third of the time on a chat sentence with a space in it).
_NOISE: Final = re.compile(
    rf"[\W_](?<![,、{TERMINATORS}])"
    rf"(?:(?<=[{CJK}][\W_]){_NOISE_CJK}*(?=[{CJK}])"
    rf"|(?<=[{CJK}][\W_])(?<={_JOINER})(?:{_JOINER})*(?=[A-Za-z0-9])"
    rf"|(?<=[A-Za-z0-9][\W_])(?<={_JOINER})(?:{_JOINER})*(?=[{CJK}]))"
)

# A cheap scan for a possible noise character ("_" is checked apart: it is \w).
_NOISE_HINT: Final = re.compile(rf"[^\w,、{TERMINATORS}]")

#: A run of the offset map: normalized characters from ``norm_start`` on come
#: from consecutive raw characters starting at ``raw_start``.
Run = tuple[int, int]  # (norm_start, raw_start)

# -- OpenCC t2s ---------------------------------------------------------------------
#
# OpenCC converts in stages (t2s.json: a normalization dictionary, then the
# phrase and character dictionaries); each stage cuts the text into its
# dictionaries' keys, longest first, and writes each key's value. A text in
# which no key maps to something else comes out unchanged, so _normalize skips
# the call for a slice without any character of _t2s_hint.
#
# The hint holds the ideographs that change on their own (found by converting
# all of U+4E00–U+9FFF in one call), the rarer blocks whole, and the characters
# that change only inside a phrase: 沈 alone stays (a surname) but 沈默 → 沉默,
# 打坏 → 打坯, 回覆 → 回复, 傢俱 → 家具. Phrases cannot be probed, so those are
# listed (_PHRASE_ONLY) for the OpenCC versions in _CHECKED_OPENCC, and
# tests/test_text_normalize.py checks every key of the installed OpenCC's
# dictionaries against the hint. With another version there is no hint.
#
# Building the hint (that conversion and a large character class) costs 50 M
# instructions, 15–20 ms; skipping saves ~8,000 per slice (callgrind: 10.7 k
# for OpenCC on a chat sentence, 2.8 k for the search). So it is built once
# _HINT_AFTER slices have been converted, about where it starts to pay: short
# runs (a ruleset's phrases, a small log) never pay for it.
_PHRASE_ONLY: Final = "么俱哩坏彷沈甦瞭藉衹覆"
_CHECKED_OPENCC: Final = frozenset({"1.4.2"})
_PROBED: Final = range(0x4E00, 0xA000)
# Never probed, always converted: extension A, compatibility ideographs, and
# everything past the BMP (extensions B and later).
_UNPROBED: Final = "\u3400-\u4dbf\uf900-\ufaff\U00010000-\U0010ffff"
_HINT_AFTER: Final = 6_000

_converter: Any = None
_converted = 0  # slices converted without a hint
_t2s_hint: re.Pattern[str] | None = None
_char_cache: dict[str, str] = {}


def _t2s(text: str) -> str:
    """OpenCC t2s of ``text``, guaranteed the same length.

    Callers skip the call when :data:`_t2s_hint` exists and finds nothing.
    """
    global _converter, _converted, _t2s_hint
    if _converter is None:
        import opencc  # ~40 ms to import: only when a text needs it

        _converter = opencc.OpenCC("t2s")
    if _t2s_hint is None:
        _converted += 1
        if _converted == _HINT_AFTER:
            _t2s_hint = _build_t2s_hint()
    converted: str = _converter.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_t2s_char(c) for c in text)


def _build_t2s_hint() -> re.Pattern[str] | None:
    """A pattern finding any character t2s may change, if this OpenCC was checked."""
    import opencc

    if getattr(opencc, "__version__", None) not in _CHECKED_OPENCC:
        return None
    chars = "".join(map(chr, _PROBED))
    # One call for all: no dictionary key holds a line break, so none spans two.
    converted = _converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        return None  # not one output per character: keep converting every slice
    changed = "".join([c for c, out in zip(chars, converted, strict=True) if out != c])
    return re.compile(f"[{changed}{_PHRASE_ONLY}{_UNPROBED}]")


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


# -- the offset map -----------------------------------------------------------------
class NormalizedText:
    """A normalized string and where each of its characters came from.

    ``offsets`` has ``len(text) + 1`` entries: ``offsets[i]`` is the index in
    the raw string of normalized character ``i``; the last entry is the raw
    index just past the last kept character (the start of the normalized
    slice when nothing was kept). Offsets are strictly increasing. Read-only:
    analyses are shared between messages.
    """

    __slots__ = ("_end", "_runs", "text")

    text: str
    _runs: tuple[Run, ...]
    _end: int

    def __init__(self, text: str, offsets: Sequence[int]) -> None:
        if len(offsets) != len(text) + 1:
            raise ValueError(f"{len(offsets)} offsets for {len(text)} characters")
        runs: list[Run] = []
        for i, raw in enumerate(offsets[:-1]):
            _add_run(runs, i, raw)
        self.text = text
        self._runs = tuple(runs)
        self._end = offsets[-1]

    @classmethod
    def _of_runs(cls, text: str, runs: tuple[Run, ...], end: int) -> NormalizedText:
        """From runs already merged by :func:`_add_run` (the fast way in)."""
        made = cls.__new__(cls)
        made.text = text
        made._runs = runs
        made._end = end
        return made

    @property
    def offsets(self) -> tuple[int, ...]:
        """Raw index of every normalized character, then the end (spelled out on demand)."""
        runs = self._runs
        out: list[int] = []
        for k, (norm, raw) in enumerate(runs):
            stop = runs[k + 1][0] if k + 1 < len(runs) else len(self.text)
            out.extend(range(raw, raw + stop - norm))
        out.append(self._end)
        return tuple(out)

    def _raw(self, index: int) -> int:
        """The raw index of normalized character ``index`` (``0 <= index < len``)."""
        runs = self._runs
        k = 0 if len(runs) == 1 else bisect_right(runs, index, key=itemgetter(0)) - 1
        norm, raw = runs[k]
        return raw + index - norm

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw ``[s, e)`` covering normalized ``[start, end)``.

        ``e`` is just past the raw character of the last normalized one, so
        skipped noise or emoticons after the span are not included; noise
        *inside* the span is (``不 行`` → the whole ``不 行``). An empty span
        maps to an empty raw span at the raw position of ``start``.
        """
        size = len(self.text)
        if not 0 <= start <= end <= size:
            raise ValueError(f"span [{start}, {end}) outside [0, {size}]")
        if start == end:
            pos = self._end if start == size else self._raw(start)
            return pos, pos
        return self._raw(start), self._raw(end - 1) + 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalizedText):
            return NotImplemented
        return (self.text, self._runs, self._end) == (other.text, other._runs, other._end)

    def __hash__(self) -> int:
        return hash((self.text, self._runs, self._end))

    def __repr__(self) -> str:
        return f"NormalizedText(text={self.text!r}, offsets={self.offsets!r})"


def _add_run(runs: list[Run], norm: int, raw: int) -> None:
    """Append the run starting at ``(norm, raw)`` unless it continues the last one.

    Runs are kept maximal, so equal offset maps have equal runs.
    """
    if runs:
        last_norm, last_raw = runs[-1]
        if last_raw + norm - last_norm == raw:
            return
    runs.append((norm, raw))


def _kept_pieces(start: int, end: int, skip: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` minus the ``skip`` spans (sorted), as ordered non-empty pieces."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for a, b in skip:
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
    return _normalize(raw, start, end, skip if len(skip) < 2 else sorted(skip), True)


def normalize_folded(
    folded: str, start: int = 0, end: int | None = None, skip: Sequence[tuple[int, int]] = ()
) -> NormalizedText:
    """:func:`normalize` of a text already width-folded as a whole (``fold_width``).

    The fold maps each character on its own, so folding the message once and
    slicing gives what folding each slice gives; :func:`~cslint.text.analysis.analyze`
    uses this to fold a message once for all its sentences.
    """
    return _normalize(folded, start, end, skip if len(skip) < 2 else sorted(skip), False)


def _normalize(
    raw: str, start: int, end: int | None, skip: Sequence[tuple[int, int]], fold: bool
) -> NormalizedText:
    # This runs for every sentence of every distinct message: each step is
    # inlined and skipped when a cheap test shows it has nothing to do.
    size = len(raw)
    if end is None or end > size:
        end = size
    elif end < 0:
        end = 0
    if start > end:
        start = end
    elif start < 0:
        start = 0
    runs: tuple[Run, ...]
    if not skip:
        if start == end:
            return NormalizedText._of_runs("", (), start)
        text = raw[start:end]
        runs = ((0, start),)
        last = end
    else:
        pieces = _kept_pieces(start, end, skip)
        if not pieces:
            return NormalizedText._of_runs("", (), start)
        if len(pieces) == 1:  # most sentences: no emoticon inside, or one at an end
            ((a, last),) = pieces
            text = raw[a:last]
            runs = ((0, a),)
        else:
            text = "".join([raw[a:b] for a, b in pieces])
            built: list[Run] = []
            pos = 0
            for a, b in pieces:
                _add_run(built, pos, a)
                pos += b - a
            runs = tuple(built)
            last = pieces[-1][1]
    if fold:
        text = fold_width(text)
    if text.isascii():
        # ASCII: lower() is 1:1, no CJK, hence no noise to drop
        return NormalizedText._of_runs(text.lower(), runs, last)
    if _t2s_hint is None or _t2s_hint.search(text) is not None:
        text = _t2s(text)
    lowered = text.lower()
    text = lowered if len(lowered) == len(text) and "ς" not in lowered else _lower(text)
    # Noise: most sentences hold no candidate at all ("_" is \w, hence apart).
    if _NOISE_HINT.search(text) is not None or "_" in text:
        noise = [m.span() for m in _NOISE.finditer(text)]
        if noise:
            text, runs = _drop(text, runs, noise)
    return NormalizedText._of_runs(text, runs, last)


def _drop(
    text: str, runs: tuple[Run, ...], spans: list[tuple[int, int]]
) -> tuple[str, tuple[Run, ...]]:
    """``text`` without the (sorted, disjoint, non-empty) ``spans``, and its runs."""
    parts: list[str] = []
    out: list[Run] = []
    k = 0  # the run holding position ``pos`` of the old text
    new = 0  # where the next kept character lands in the new text
    pos = 0
    for stop, resume in [*spans, (len(text), len(text))]:
        if stop > pos:
            parts.append(text[pos:stop])
            while pos < stop:
                while k + 1 < len(runs) and runs[k + 1][0] <= pos:
                    k += 1
                norm, raw = runs[k]
                piece_end = stop if k + 1 == len(runs) else min(stop, runs[k + 1][0])
                _add_run(out, new, raw + pos - norm)
                new += piece_end - pos
                pos = piece_end
        pos = resume
    return "".join(parts), tuple(out)


def normalize_phrase(phrase: str) -> str:
    """A ruleset phrase in the normalized space (surrounding whitespace stripped)."""
    return normalize(phrase.strip()).text
