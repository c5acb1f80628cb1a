"""analyze(): emoticons, content, sentences and the W004-style last character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.text.analysis import Sentence, TextAnalysis, analyze
from cslint.text.emoticons import find_emoticons
from cslint.text.normalize import normalize
from cslint.text.sentences import split_sentences


def test_structure() -> None:
    a = analyze("亲，您好！这款有货的哦/:^_^")
    assert isinstance(a, TextAnalysis)
    assert a.raw == "亲，您好！这款有货的哦/:^_^"
    assert a.emoticons == ((11, 16),)
    assert a.has_emoticon
    assert [(s.start, s.end, s.text) for s in a.sentences] == [
        (0, 4, "亲,您好"),
        (5, 16, "这款有货的哦"),
    ]
    assert a.content == "亲您好这款有货的哦"


def test_sentence_offsets_index_the_message() -> None:
    raw = "好的。不 行的亲"
    a = analyze(raw)
    second = a.sentences[1]
    assert second.text == "不行的亲"
    start, end = second.norm.raw_span(0, 2)
    assert raw[start:end] == "不 行"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("嗯", "嗯"),
        ("好的", "好的"),
        ("好的~", "好的"),
        ("好的亲", "好的亲"),
        ("/:^_^", ""),
        ("[微笑] ~ ", ""),
        ("👍👍", ""),
        ("ok!", "ok"),
        ("汗", "汗"),
        ("是的。", "是的"),
        ("100%", "100"),
    ],
)
def test_content(text: str, content: str) -> None:
    assert analyze(text).content == content


def test_emoticon_only() -> None:
    assert analyze("/:^_^").emoticon_only
    assert analyze("[微笑]~").emoticon_only
    assert not analyze("好的/:^_^").emoticon_only
    assert not analyze("嗯").emoticon_only
    assert not analyze("嗯").has_emoticon


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("好的啦~", ["啦"]),
        ("有货的啊", ["啊"]),
        ("有货的啊/:^_^", ["啊"]),
        ("有货的啊 [微笑]!", ["啊"]),
        ("好的啦~/:^_^", ["啦", ""]),  # the emoticon-only sentence has no last character
        ("啦啦队服装有货哦", ["哦"]),
        ("好的啦，谢谢", ["谢"]),
        ("有貨的啊！", ["啊"]),
    ],
)
def test_last_char(text: str, last: list[str]) -> None:
    assert [s.last_char() for s in analyze(text).sentences] == last


def test_tokens_and_boundaries_are_lazy_and_cached() -> None:
    sentence = analyze("应该是吧台的").sentences[0]
    assert sentence.boundaries() == frozenset({0, 2, 3, 5, 6})
    assert sentence.boundaries() is sentence.boundaries()
    assert [sentence.text[a:b] for a, b in sentence.tokens()] == ["应该", "是", "吧台", "的"]


def test_sentence_has_slots() -> None:
    sentence = Sentence(0, 1, normalize("a"))
    with pytest.raises(AttributeError):
        sentence.other = 1  # type: ignore[attr-defined]


_ALPHABET = st.sampled_from(
    [*"亲好的啦啊不 行，。！~?\n/:^_()*[]微笑應該12ＡＢ😀", "/:^_^", "[微笑]", "(*^▽^*)"]
)


@given(st.lists(_ALPHABET, max_size=30).map("".join) | st.text(max_size=30))
def test_analysis_is_the_sum_of_its_parts(text: str) -> None:
    a = analyze(text)
    emoticons = find_emoticons(text)
    assert list(a.emoticons) == emoticons
    assert [(s.start, s.end) for s in a.sentences] == split_sentences(text, emoticons)
    for s in a.sentences:
        assert s.norm == normalize(text, s.start, s.end, emoticons)
        assert all(s.start <= o <= s.end for o in s.norm.offsets)
    assert len(a.content) <= len(text)


@given(
    st.lists(_ALPHABET, max_size=12).map("".join) | st.text(max_size=12),
    st.integers(min_value=-1, max_value=8),
)
def test_content_reaches_reads_the_content(text: str, size: int) -> None:
    expected = len(analyze(text).content) >= size
    assert analyze(text).content_reaches(size) is expected  # content not built yet
    analysis = analyze(text)
    assert analysis.content is not None
    assert analysis.content_reaches(size) is expected  # content built


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("好的亲/:^_^", 3, True),  # enough before the first emoticon
        ("好/:^_^的亲", 3, True),  # enough once the emoticons are stripped
        ("好/:^_^的", 3, False),
        ("/:^_^好的亲", 3, True),  # nothing before the first emoticon
        ("，，/:^_^，", 1, False),
    ],
)
def test_content_reaches_with_emoticons(text: str, size: int, expected: bool) -> None:
    assert analyze(text).content_reaches(size) is expected
    assert (len(analyze(text).content) >= size) is expected
