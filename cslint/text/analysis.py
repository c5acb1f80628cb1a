"""The text analysis of one message: emoticons, content, normalized sentences.

:func:`analyze` runs on every message of a run, so it is kept cheap: one
regex scan for emoticons, one for sentence pieces, a width fold, OpenCC and a
noise regex per sentence — and *no jieba*. Tokens and token boundaries are
computed per sentence only when a rule asks for them (:meth:`Sentence.tokens`,
:meth:`Sentence.boundaries`). Identical texts (auto-replies, canned phrases)
share one analysis through the engine's bounded text cache
(:class:`cslint.rules.base.TextCache`), not here; treat analyses as read-only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from cslint.text import segment
from cslint.text.emoticons import find_in_folded, fold_width
from cslint.text.normalize import NormalizedText, normalize_folded
from cslint.text.sentences import split_sentences

__all__ = ["Sentence", "TextAnalysis", "analyze"]

_NOT_CONTENT: Final = re.compile(r"[\W_]+")


class Sentence:
    """One sentence of a message.

    ``start``/``end`` are the raw span in the message; ``norm`` is the
    normalized text of ``raw[start:end]`` with emoticons skipped, its offsets
    indexing the whole message. Token spans index ``norm.text``.
    """

    __slots__ = ("_boundaries", "end", "norm", "start")

    def __init__(self, start: int, end: int, norm: NormalizedText) -> None:
        self.start = start
        self.end = end
        self.norm = norm
        self._boundaries: frozenset[int] | None = None

    @property
    def text(self) -> str:
        """The normalized text (``norm.text``)."""
        return self.norm.text

    def tokens(self) -> list[tuple[int, int]]:
        """jieba token spans of the normalized text (computed on demand, cached)."""
        return segment.token_spans(self.norm.text)

    def boundaries(self) -> frozenset[int]:
        """Token boundaries of the normalized text, ``0`` and ``len`` included."""
        found = self._boundaries
        if found is None:
            found = self._boundaries = segment.token_boundaries(self.norm.text)
        return found

    def last_char(self) -> str:
        """The last letter, digit or CJK character once emoticons and punctuation
        are stripped (normalized: ``啊``/``啦`` of W004), or ``""``."""
        content = _NOT_CONTENT.sub("", self.norm.text)
        return content[-1:]

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, {self.norm.text!r})"


class TextAnalysis:
    """What the rules read of one message's text."""

    __slots__ = ("_content", "emoticons", "raw", "sentences")

    def __init__(
        self, raw: str, emoticons: tuple[tuple[int, int], ...], sentences: tuple[Sentence, ...]
    ) -> None:
        self.raw = raw
        #: raw spans of the emoticons, sorted
        self.emoticons = emoticons
        self.sentences = sentences
        self._content: str | None = None

    @property
    def content(self) -> str:
        """The raw text without emoticons, whitespace and punctuation (W003).

        Computed on first use (W003 asks for agent messages only).
        """
        found = self._content
        if found is None:
            bare = _strip_spans(self.raw, self.emoticons) if self.emoticons else self.raw
            found = self._content = _NOT_CONTENT.sub("", bare)
        return found

    def content_reaches(self, size: int) -> bool:
        """Whether :attr:`content` has at least ``size`` characters.

        A match answers without building the content (W003 asks of every
        agent text; most are long enough).
        """
        if self._content is not None:
            return len(self._content) >= size
        pattern = _content_of_size(max(size, 0))
        if not self.emoticons:
            return pattern.match(self.raw) is not None
        # most texts with emoticons reach the size before the first: no stripped copy
        if pattern.match(self.raw, 0, self.emoticons[0][0]) is not None:
            return True
        return pattern.match(_strip_spans(self.raw, self.emoticons)) is not None

    @property
    def has_emoticon(self) -> bool:
        return bool(self.emoticons)

    @property
    def emoticon_only(self) -> bool:
        """At least one emoticon and no content (``/:^_^``, ``[微笑]~``)."""
        return bool(self.emoticons) and not self.content

    def __repr__(self) -> str:
        return f"TextAnalysis({self.raw!r}, sentences={self.sentences!r})"


@lru_cache(maxsize=8)
def _content_of_size(size: int) -> re.Pattern[str]:
    """Matches a text with at least ``size`` characters that are not ``_NOT_CONTENT``."""
    return re.compile(rf"[\W_]*(?:[^\W_][\W_]*){{{size}}}")


def _strip_spans(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def analyze(text: str) -> TextAnalysis:
    """Emoticons, sentences (normalized) and content of ``text``; no jieba here."""
    folded = fold_width(text)  # once for the message: 1:1, so spans are the same
    emoticons = tuple(find_in_folded(folded))
    sentences = [
        Sentence(start, end, normalize_folded(folded, start, end, emoticons))
        for start, end in split_sentences(folded, emoticons)
    ]
    return TextAnalysis(text, emoticons, tuple(sentences))
