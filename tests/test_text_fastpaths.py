"""The text analysis takes shortcuts; these check them against the long way round.

``analyze`` skips work a cheap test shows to be useless: OpenCC for a sentence
without a character it could change, the width fold and noise removal for text
without such characters, masking for emoticons that hold no terminator or
whitespace, the keycap branch of the emoticon pattern for text without U+20E3,
and a spelled-out offset map for slices kept whole. The *full path* below does
every step on every text, as the analysis did before the shortcuts: each
property says both give the same emoticons, sentences, normalized texts,
offsets and content, on arbitrary Unicode and on text rich in traditional
characters (phrase-level conversions included), full-width forms, emoticons,
noise and terminators.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint.text import emoticons, normalize, sentences
from cslint.text.analysis import analyze
from cslint.text.normalize import NormalizedText, normalize_phrase

# -- the full path ---------------------------------------------------------------------
_WIDTH = str.maketrans(emoticons._WIDTH)
_EVERY_EMOTICON = emoticons._compile(keycaps=True)
_OPENCC = opencc.OpenCC("t2s")
_CONTENT = re.compile(r"[\W_]+")


def full_fold(text: str) -> str:
    return text.translate(_WIDTH)


def full_emoticons(text: str) -> list[tuple[int, int]]:
    folded = full_fold(text)
    return [
        m.span()
        for m in _EVERY_EMOTICON.finditer(folded)
        if m.group("code") not in emoticons.PLACEHOLDERS
    ]


def full_split(text: str, skip: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    masked = sentences._mask(text, skip)
    masked = sentences._mask(masked, [m.span() for m in sentences._URL.finditer(text)])
    masked = sentences._mask(masked, [m.span() for m in sentences._RANGE.finditer(text)])
    out: list[tuple[int, int]] = []
    for m in sentences._PIECE.finditer(masked):
        start, end = m.span()
        if end - start <= sentences.MAX_SENTENCE:
            out.append((start, end))
        else:
            out.extend(sentences._cut(masked, start, end))
    return out


def full_t2s(text: str) -> str:
    converted: str = _OPENCC.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(o := _OPENCC.convert(c)) != 1 else o for c in text)


def full_normalize(
    raw: str, start: int, end: int, skip: Sequence[tuple[int, int]]
) -> tuple[str, tuple[int, ...]]:
    """Every step on every slice; offsets spelled out one by one."""
    pieces = normalize._kept_pieces(start, end, sorted(skip))
    if not pieces:
        return "", (start,)
    text = full_fold("".join(raw[a:b] for a, b in pieces))
    offsets = list(chain.from_iterable(range(a, b) for a, b in pieces))
    if text.isascii():
        text = text.lower()
    else:
        text = normalize._lower(full_t2s(text))
        kept = [True] * len(text)
        for m in normalize._NOISE.finditer(text):
            kept[m.start() : m.end()] = [False] * (m.end() - m.start())
        text = "".join(c for c, keep in zip(text, kept, strict=True) if keep)
        offsets = [o for o, keep in zip(offsets, kept, strict=True) if keep]
    return text, (*offsets, offsets[-1] + 1)


def full_analysis(text: str) -> dict[str, Any]:
    found = full_emoticons(text)
    folded = full_fold(text)
    bare = "".join(text[a:b] for a, b in normalize._kept_pieces(0, len(text), found))
    return {
        "emoticons": found,
        "sentences": [
            (start, end, *full_normalize(folded, start, end, found))
            for start, end in full_split(folded, found)
        ],
        "content": _CONTENT.sub("", bare),
    }


def fast_analysis(text: str) -> dict[str, Any]:
    a = analyze(text)
    return {
        "emoticons": list(a.emoticons),
        "sentences": [(s.start, s.end, s.norm.text, s.norm.offsets) for s in a.sentences],
        "content": a.content,
    }


@pytest.fixture(scope="module", autouse=True)
def t2s_hint() -> Iterator[None]:
    """The OpenCC hint built, as in a long run (it is built after 6,000 slices)."""
    normalize.normalize("乾")  # the converter exists
    before = normalize._t2s_hint
    normalize._t2s_hint = normalize._build_t2s_hint()
    assert normalize._t2s_hint is not None, "OpenCC not checked: no hint to test"
    yield
    normalize._t2s_hint = before


# -- texts -------------------------------------------------------------------------------
_PIECES = [
    # simplified, and traditional that converts alone or only in a phrase
    *"亲好的不行应该是吧微信我也知道什么坏了沉默复",
    *"應該們說這個發票問乾麼後於",
    "回覆", "沈默", "打坏", "傢俱", "瞭解", "乾隆", "乾淨", "什麼", "么麽", "復甦",
    # full width, case, noise, terminators
    *"ＡＢｖ１２，！？：（）　￥Ｖ", *"AaΣσςİ0123",
    *" *._-·/|\u200b,、", *"。！？!?；;…~～\n",
    # emoticons, keycaps, URLs, ranges, surrogates' neighbours
    "/:^_^", "/:087", "/:?", "[微笑]", "[图片]", "(*^▽^*)", "T_T", ":(", "😀", "👍🏻",
    "1\ufe0f\u20e3", "#\u20e3", "\ufe0f", "\u20e3", "https://a.cn/x?id=1", "3~5", "三～五",
    "\U00020000", "\U0002f800", "\uf900", "\u3400",  # 豈 as a compatibility ideograph
]  # fmt: skip
_MIXED = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)
_TEXTS = _MIXED | st.text(max_size=40)


@settings(database=None, max_examples=300)
@given(_TEXTS)
def test_analysis_matches_the_full_path(text: str) -> None:
    assert fast_analysis(text) == full_analysis(text)


@settings(database=None, max_examples=300)
@given(_TEXTS, st.data())
def test_normalize_matches_the_full_path(raw: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    skip = full_emoticons(raw)
    n = normalize.normalize(raw, start, end, skip)
    assert (n.text, n.offsets) == full_normalize(raw, start, end, skip)
    assert normalize_phrase(raw) == full_normalize(raw.strip(), 0, len(raw.strip()), ())[0]


@settings(database=None)
@given(_TEXTS | st.text(st.characters(min_codepoint=0x3000, max_codepoint=0xFFEF)))
def test_fold_width_matches_translate(text: str) -> None:
    assert emoticons.fold_width(text) == full_fold(text)


@settings(database=None)
@given(_TEXTS)
def test_emoticons_and_sentences_match_the_full_path(text: str) -> None:
    found = full_emoticons(text)
    assert emoticons.find_emoticons(text) == found
    assert sentences.split_sentences(text, found) == full_split(text, found)


@settings(database=None, max_examples=300)
@given(st.text(" \t\u3000。!~3好a/:^_", max_size=20) | _TEXTS, st.data())
def test_split_with_any_skip_spans_matches_the_full_path(text: str, data: st.DataObject) -> None:
    bound = st.integers(0, len(text))
    skip = data.draw(st.lists(st.tuples(bound, bound).map(lambda ab: (min(ab), max(ab)))))
    assert sentences.split_sentences(text, skip) == full_split(text, skip)


@pytest.mark.parametrize(
    "text",
    [("亲，這個/:^_^ 不 行哦ＡＢ " * 60 + "。") * 3, " 亲，这款 不行 " * 200],  # cut into sentences
)
def test_long_text_matches_the_full_path(text: str) -> None:
    assert fast_analysis(text) == full_analysis(text)


# -- the offset map as runs -------------------------------------------------------------
@given(st.lists(st.integers(0, 3), max_size=20), st.integers(0, 5))
def test_offsets_survive_the_run_encoding(gaps: list[int], first: int) -> None:
    offsets, pos = [], first
    for gap in gaps:
        pos += gap
        offsets.append(pos)
        pos += 1
    offsets.append(pos)
    n = NormalizedText("x" * len(gaps), offsets)
    assert n.offsets == tuple(offsets)
    for i in range(len(gaps)):
        assert n.raw_span(i, i + 1) == (offsets[i], offsets[i] + 1)
    assert n == NormalizedText(n.text, n.offsets)
    assert hash(n) == hash(NormalizedText(n.text, n.offsets))


def test_contiguous_text_is_one_run() -> None:
    n = normalize.normalize("亲,这款有货的哦", 2)
    assert n._runs == ((0, 2),)
    assert n.offsets == (2, 3, 4, 5, 6, 7, 8)
    assert repr(n) == "NormalizedText(text='这款有货的哦', offsets=(2, 3, 4, 5, 6, 7, 8))"


def test_offsets_must_fit_the_text() -> None:
    with pytest.raises(ValueError):
        NormalizedText("ab", (0, 1))
