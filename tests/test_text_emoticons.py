"""Emoticon detection: every family, the placeholders, and span invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.text.emoticons import KAOMOJI, PLACEHOLDERS, find_emoticons, fold_width


def found(text: str) -> list[str]:
    return [text[a:b] for a, b in find_emoticons(text)]


# -- Wangwang codes -------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有什么需要帮忙的 请说/:^$^ 亲", ["/:^$^"]),  # seed 001
        ("我会竭诚为您服务/:^_^ 要是回复慢了", ["/:^_^"]),
        ("请您谅解!/:087 亲 您好", ["/:087"]),
        ("质量更优/:012 亲", ["/:012"]),
        ("很高兴为您服务/:-f 2:亲", ["/:-f"]),
        ("称心的爱床,/:^_^希望以后有机会", ["/:^_^"]),  # stops at CJK
        ("/:?", ["/:?"]),  # a lone terminator is the code itself
        ("/:??", ["/:?"]),
        ("好的/:^_^,谢谢", ["/:^_^"]),  # trailing comma is text
        ("好的/:087.", ["/:087"]),
        ("/:0871", ["/:087"]),  # three digits make a numeric code
        ("/:^_^/:087", ["/:^_^", "/:087"]),  # never runs into the next code
        ("/:abcdef", ["/:abcd"]),  # at most 4 characters
        ("／：＾＿＾好的", ["／：＾＿＾"]),  # full-width typing
        ("/: 好的", []),  # nothing after "/:"
        ("https://item.taobao.com", []),
    ],
)
def test_wangwang_codes(text: str, expected: list[str]) -> None:
    assert found(text) == expected


# -- bracket codes and placeholders --------------------------------------------------
def test_bracket_codes() -> None:
    assert found("好的[微笑]亲[爱心][动画表情]") == ["[微笑]", "[爱心]", "[动画表情]"]
    assert found("[表情]") == ["[表情]"]
    assert found("［微笑］") == ["［微笑］"]  # full-width brackets fold to ASCII


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDERS))
def test_placeholders_are_not_emoticons(placeholder: str) -> None:
    if len(placeholder) <= 4:
        assert found(f"您看[{placeholder}]这个") == []


@pytest.mark.parametrize(
    "text", ["【买家】", "【手机膜】", "[微笑啊啊啊啊]", "[smile]", "[]", "[微 笑]"]
)
def test_not_bracket_codes(text: str) -> None:
    assert found(text) == []


# -- Unicode emoji -------------------------------------------------------------------
@pytest.mark.parametrize(
    "emoji",
    [
        "😀",
        "👍",
        "👍🏻",  # skin tone
        "❤️",  # variation selector
        "❤",  # bare heart, typed without U+FE0F
        "☺",
        "👨\u200d👩\u200d👧\u200d👦",  # ZWJ family
        "👩🏽\u200d💻",  # skin tone inside a ZWJ sequence
        "🏳️\u200d🌈",
        "🇨🇳",  # flag
        "1️⃣",  # keycap
        "#⃣",
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # tag sequence
        "✌🏻",  # text-default with skin tone
        "©️",
        "🤣",
        "🫠",
        "⭐",
    ],
)
def test_emoji_is_one_span(emoji: str) -> None:
    assert found(f"好的{emoji}亲") == [emoji]


@pytest.mark.parametrize("text", ["★★新品★★", "☆", "♪", "→", "※注意", "©2024", "1.", "123", "#1"])
def test_decorative_symbols_are_not_emoji(text: str) -> None:
    assert found(text) == []


def test_adjacent_emoji_are_separate_spans() -> None:
    assert found("👍👍🇨🇳🇺🇸") == ["👍", "👍", "🇨🇳", "🇺🇸"]


# -- kaomoji -----------------------------------------------------------------
@pytest.mark.parametrize(
    "face",
    [
        "^_^",
        "^o^",
        "^O^",
        "(*^▽^*)",
        "O(∩_∩)O",
        "(^_^)",
        "^-^",
        "^^",
        "~\\(≧▽≦)/~",
        "T_T",
        "QAQ",
        ":)",
        ":D",
    ],
)
def test_kaomoji(face: str) -> None:
    assert found(f"好的{face}谢谢") == [face]


def test_kaomoji_longest_first() -> None:
    assert found("(^_^)") == ["(^_^)"]
    assert found("(*^▽^*)") == ["(*^▽^*)"]
    assert found("~\\(≧▽≦)/~") == ["~\\(≧▽≦)/~"]


@pytest.mark.parametrize("text", ["备注:(请写明尺码)", "型号:D1", "ST_T1", "QAQA", "a:Dx"])
def test_kaomoji_guards(text: str) -> None:
    assert found(text) == []


def test_every_listed_kaomoji_is_found_alone() -> None:
    for face in KAOMOJI:
        assert found(face) == [face], face


def test_wangwang_code_wins_over_kaomoji() -> None:
    assert found("/:^_^") == ["/:^_^"]


def test_fold_width_is_one_to_one() -> None:
    text = "ＡＢＣ１２３，！？　￥"
    folded = fold_width(text)
    assert folded == "ABC123,!? ¥"
    assert len(folded) == len(text)


# -- properties ---------------------------------------------------------------------
_ALPHABET = st.sampled_from(
    [
        *"/:^_$-?~()[]*O∩▽≧≦\\ 0123abcTQ好的亲微笑图片",
        *["😀", "🏻", "\u200d", "\ufe0f", "🇨", "🇳", "❤", "\u20e3", "【", "】"],
    ]
)


@given(st.lists(_ALPHABET, max_size=40).map("".join) | st.text(max_size=40))
def test_spans_sorted_disjoint_in_range(text: str) -> None:
    spans = find_emoticons(text)
    prev_end = 0
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        prev_end = end
    assert spans == sorted(spans)
