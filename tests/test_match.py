"""PhraseIndex against a naive oracle, and the token-boundary check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.match import PhraseIndex, on_token_boundaries
from cslint.text.analysis import analyze
from cslint.text.normalize import normalize_phrase

W001 = ["我也不知道", "应该是吧", "我不大清楚", "我找不到人问", "自己选吧", "我也不懂", "不行"]


def oracle(phrases: list[tuple[str, int]], text: str) -> list[tuple[int, int, int]]:
    """Every occurrence (overlapping) of every phrase, by str.find."""
    hits: list[tuple[int, int, int]] = []
    for phrase, payload in phrases:
        key = normalize_phrase(phrase)
        pos = text.find(key)
        while pos >= 0:
            hits.append((pos, pos + len(key), payload))
            pos = text.find(key, pos + 1)
    return sorted(hits, key=lambda h: (h[0], -h[1], h[2]))


def w001_hits(text: str) -> list[tuple[str, bool]]:
    index: PhraseIndex[str] = PhraseIndex()
    for phrase in W001:
        index.add(phrase, phrase)
    out = []
    for sentence in analyze(text).sentences:
        for start, end, phrase in index.find(sentence.text):
            out.append((phrase, on_token_boundaries(sentence, start, end)))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这个我也不知道呢", [("我也不知道", True)]),
        ("不行的亲", [("不行", True)]),
        ("应 该 是 吧", [("应该是吧", True)]),
        ("應該是吧", [("应该是吧", True)]),  # traditional
        ("不*行哦", [("不行", True)]),
        ("自己选吧", [("自己选吧", True)]),
        ("应该是吧台的", [("应该是吧", False)]),  # found, but not on boundaries
        ("这是吧台的尺寸哦", []),
        ("我帮您问一下主管哦", []),
        ("好的。不，行", []),  # a real comma separates
    ],
)
def test_w001_examples(text: str, expected: list[tuple[str, bool]]) -> None:
    assert w001_hits(text) == expected


def test_evasive_spellings_meet_the_phrase() -> None:
    index: PhraseIndex[str] = PhraseIndex()
    index.add("V信", "wechat")
    index.add("ＱＱ号", "qq")
    for text in ("加我V信", "加我ｖ信", "加我 v 信", "加我Ｖ.信"):
        sentence = analyze(text).sentences[0]
        assert [
            (h[2], on_token_boundaries(sentence, h[0], h[1])) for h in index.find(sentence.text)
        ] == [("wechat", True)], text
    assert index.find(analyze("我的qq号是").sentences[0].text) == [(2, 5, "qq")]


def test_several_payloads_and_overlaps() -> None:
    index: PhraseIndex[str] = PhraseIndex()
    index.add("不行", "W001")
    index.add("不", "W002")
    index.add(" 不 行 ", "W002-list")
    index.add("行的", "x")
    assert len(index) == 3
    assert index.find("不行的") == [
        (0, 2, "W001"),
        (0, 2, "W002-list"),
        (0, 1, "W002"),
        (1, 3, "x"),
    ]
    assert "不  行" in index
    assert index.phrases() == ["不行", "不", "行的"]


def test_empty_index_and_text() -> None:
    index: PhraseIndex[int] = PhraseIndex()
    assert index.find("不行") == []
    index.build()
    assert index.find("不行") == []
    index.add("不行", 1)
    assert index.find("") == []
    assert index.find("不行") == [(0, 2, 1)]  # rebuilt after add


@pytest.mark.parametrize("phrase", ["", "   ", "\u3000"])
def test_empty_phrase_is_rejected(phrase: str) -> None:
    with pytest.raises(ValueError):
        PhraseIndex[int]().add(phrase, 1)


def test_astral_characters() -> None:
    index: PhraseIndex[int] = PhraseIndex()
    index.add("𠀀不行", 1)
    assert index.find("x😀𠀀不行") == [(2, 5, 1)]


_SMALL = st.sampled_from(list("不行的亲ab吧台𠀀"))


@given(
    st.lists(st.tuples(st.text(_SMALL, min_size=1, max_size=4), st.integers(0, 3)), max_size=8),
    st.text(_SMALL, max_size=40),
)
def test_find_equals_oracle(phrases: list[tuple[str, int]], text: str) -> None:
    index: PhraseIndex[int] = PhraseIndex()
    for phrase, payload in phrases:
        index.add(phrase, payload)
    index.build()
    got = index.find(text)
    assert sorted(got, key=lambda h: (h[0], -h[1], h[2])) == oracle(phrases, text)
    assert got == sorted(got, key=lambda h: (h[0], -h[1]))
    assert len(index) == len({normalize_phrase(p) for p, _ in phrases})
    for start, end, phrase, payloads in index.spans(text):
        assert phrase == text[start:end]
        assert list(payloads) == [p for k, p in phrases if normalize_phrase(k) == phrase]
