"""The phrase index: every ruleset phrase in one Aho-Corasick automaton.

A rule pack registers each ``(phrase, payload)`` once; :meth:`PhraseIndex.spans`
then reports every occurrence of every phrase in a normalized sentence in one
pass, whatever the number of phrases. Phrases go through
:func:`~cslint.text.normalize.normalize_phrase`, so ``應該是吧`` in a ruleset and
``应 该 是 吧`` in a chat meet as ``应该是吧``.

Whether a hit *counts* is the caller's business: forbidden-phrase rules keep
the hits that lie on jieba token boundaries (:func:`on_token_boundaries`, see
:mod:`cslint.text.segment` for why phrases are not added to jieba). Topic and
particle lists (发票 in 开发票, 亲 in 亲亲, 感谢 in 感谢您) are better read as
plain containment, without the boundary check.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Generic, TypeVar

import ahocorasick

from cslint.text.analysis import Sentence
from cslint.text.normalize import normalize_phrase

__all__ = ["PhraseIndex", "on_token_boundaries"]

T = TypeVar("T")


class PhraseIndex(Generic[T]):
    """Normalized phrases with payloads, searched all at once."""

    __slots__ = ("_automaton", "_payloads")

    def __init__(self) -> None:
        self._payloads: dict[str, list[T]] = {}
        self._automaton: Any = None

    def add(self, phrase: str, payload: T) -> None:
        """Register ``phrase`` (normalized) with ``payload``; a phrase may carry several.

        Raises :class:`ValueError` when the phrase normalizes to nothing.
        """
        key = normalize_phrase(phrase)
        if not key:
            raise ValueError(f"phrase {phrase!r} is empty once normalized")
        self._payloads.setdefault(key, []).append(payload)
        self._automaton = None

    def build(self) -> None:
        """Compile the automaton (done by :meth:`spans` if needed)."""
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, payloads in self._payloads.items():
            automaton.add_word(key, (key, tuple(payloads), len(key) - 1))
        if self._payloads:
            automaton.make_automaton()
        self._automaton = automaton

    def spans(self, text: str) -> list[tuple[int, int, str, tuple[T, ...]]]:
        """Every occurrence, overlaps included, of every phrase in normalized ``text``.

        ``(start, end, phrase, payloads)`` sorted by start, then longest
        first; the payloads of a phrase in the order they were added.
        """
        if not self._payloads or not text:
            return []
        if self._automaton is None:
            self.build()
        found = [
            (last - before_last, last + 1, key, payloads)
            for last, (key, payloads, before_last) in self._automaton.iter(text)
        ]
        if len(found) > 1:  # most sentences: one hit or none, nothing to sort
            # The automaton reports by end, so reversed, equal starts come
            # longest first, and a stable sort on the start alone keeps that
            # order: the (start, -end) order without a Python key function.
            found.reverse()
            found.sort(key=_START)
        return found

    def find(self, text: str) -> list[tuple[int, int, T]]:
        """Every occurrence of every phrase as :meth:`spans` finds them, one
        ``(start, end, payload)`` per payload."""
        return [
            (start, end, payload)
            for start, end, _, payloads in self.spans(text)
            for payload in payloads
        ]

    def phrases(self) -> list[str]:
        """The normalized phrases, in the order first added."""
        return list(self._payloads)

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and normalize_phrase(phrase) in self._payloads

    def __len__(self) -> int:
        """The number of distinct normalized phrases."""
        return len(self._payloads)


_START = itemgetter(0)


def on_token_boundaries(sentence: Sentence, start: int, end: int) -> bool:
    """Whether ``[start, end)`` of the sentence's normalized text starts and ends
    on jieba token boundaries (RULES.md, "Terms": *token-boundary check*)."""
    edges = sentence.boundaries()
    return start in edges and end in edges
