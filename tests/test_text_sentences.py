"""Sentence splitting."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.text import sentences
from cslint.text.emoticons import find_emoticons
from cslint.text.sentences import TERMINATORS, split_sentences


def pieces(text: str, skip: bool = True) -> list[str]:
    spans = split_sentences(text, find_emoticons(text) if skip else ())
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("好的。谢谢！再见？", ["好的", "谢谢", "再见"]),
        ("好的!谢谢?嗯;是的；对", ["好的", "谢谢", "嗯", "是的", "对"]),
        ("好的啦~谢谢～嗯…哦", ["好的啦", "谢谢", "嗯", "哦"]),
        ("第一行\n第二行\r\n第三行", ["第一行", "第二行", "第三行"]),
        ("好的，亲，稍等", ["好的，亲，稍等"]),  # commas do not split
        ("  好的 。 。  谢谢  ", ["好的", "谢谢"]),  # whitespace trimmed, empty dropped
        ("。。！", []),
        ("", []),
        ("3~5天发货~亲", ["3~5天发货", "亲"]),  # a numeric range is not a terminator
        ("三～五天", ["三～五天"]),
        (
            "链接 https://item.taobao.com/item.htm?id=1 看下!好的",
            ["链接 https://item.taobao.com/item.htm?id=1 看下", "好的"],
        ),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_terminators_inside_emoticons_do_not_split() -> None:
    assert pieces("您看/:?好吗") == ["您看/:?好吗"]
    assert pieces("太好了~\\(≧▽≦)/~谢谢") == ["太好了~\\(≧▽≦)/~谢谢"]
    # without the skip spans the same text does split
    assert pieces("您看/:?好吗", skip=False) == ["您看/:", "好吗"]


def test_emoticon_only_piece_is_a_sentence() -> None:
    assert pieces("好的啦~/:^_^") == ["好的啦", "/:^_^"]
    assert pieces("[微笑]") == ["[微笑]"]


_ALPHABET = st.sampled_from([*TERMINATORS + " \t好的亲/:^_?~()\\≧▽≦3", "https://a.b?x=1"])


@given(st.lists(_ALPHABET, max_size=40).map("".join) | st.text(max_size=40))
def test_spans_disjoint_ordered_trimmed(text: str) -> None:
    spans = split_sentences(text, find_emoticons(text))
    prev_end = 0
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        prev_end = end


_NO_RANGE_OR_URL = st.sampled_from(list(TERMINATORS + " \t好的亲/:^_?~()\\≧▽≦[微笑]"))


@given(st.text(_NO_RANGE_OR_URL, max_size=40))
def test_terminators_split_unless_inside_an_emoticon(text: str) -> None:
    emoticons = find_emoticons(text)
    inside = {i for a, b in emoticons for i in range(a, b)}
    covered = {i for a, b in split_sentences(text, emoticons) for i in range(a, b)}
    for i, char in enumerate(text):
        if char in TERMINATORS and i not in inside:
            assert i not in covered
        if not char.isspace() and char not in TERMINATORS:
            assert i in covered  # every visible character belongs to a sentence


# The range pattern as first written, its lookbehind tried at every position.
_RANGE_AS_WRITTEN = re.compile(f"(?<=[{sentences._NUMERAL}])[~～](?=[{sentences._NUMERAL}])")


@given(st.text(st.sampled_from("3５三十天~～〜发货。 a"), max_size=16))
def test_range_pattern_matches_as_written(text: str) -> None:
    found = [m.span() for m in sentences._RANGE.finditer(text)]
    assert found == [m.span() for m in _RANGE_AS_WRITTEN.finditer(text)]
