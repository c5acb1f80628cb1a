"""Normalization: examples, evasive spellings, and offset-map properties."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import opencc
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cslint.text import normalize as normalize_module
from cslint.text.emoticons import find_emoticons, fold_width
from cslint.text.normalize import CJK, NormalizedText, normalize, normalize_phrase

_CJK_RE = re.compile(f"[{CJK}]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # noise between CJK characters
        ("不 行", "不行"),
        ("不*行", "不行"),
        ("不.行", "不行"),
        ("不  行", "不行"),
        ("不_行", "不行"),
        ("不\u3000行", "不行"),
        ("不\u200b行", "不行"),  # zero-width space
        ("不·行", "不行"),
        ("不“行”", "不行”"),  # the closing quote is not between two CJK characters
        ("应 该 是 吧", "应该是吧"),
        ("微 信", "微信"),
        ("我 也 不 知 道", "我也不知道"),
        # real separators stay
        ("不，行", "不,行"),
        ("不,行", "不,行"),
        ("不、行", "不、行"),
        # CJK next to ASCII: only joiners go
        ("V信", "v信"),
        ("ｖ信", "v信"),
        ("Ｖ信", "v信"),
        ("V 信", "v信"),
        ("v.信", "v信"),
        ("加 vx", "加vx"),
        ("4 天后发货", "4天后发货"),
        ("10%的", "10%的"),
        ("(含税)", "(含税)"),
        # nothing between ASCII characters
        ("v x", "v x"),
        ("3.5折", "3.5折"),
        ("Hello World", "hello world"),
        # width, case, traditional
        ("１２３", "123"),
        ("ＱＱ号", "qq号"),
        ("應該是吧", "应该是吧"),
        ("我找不到人問", "我找不到人问"),
        ("發票", "发票"),
        ("瞭解", "了解"),  # phrase-level conversion on the whole slice
        ("①②", "①②"),  # no NFKC
        ("…", "…"),
        ("豈", "岂"),  # a compatibility ideograph goes to its simplified form, one char
        ("", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_offsets_point_at_raw_characters() -> None:
    n = normalize("不 行")
    assert n == NormalizedText("不行", (0, 2, 3))
    assert n.raw_span(0, 2) == (0, 3)
    assert n.raw_span(1, 2) == (2, 3)
    assert n.raw_span(1, 1) == (2, 2)
    assert n.raw_span(2, 2) == (3, 3)


def test_slice_offsets_index_the_whole_string() -> None:
    n = normalize("亲,不 行哦", 2, 5)
    assert n.text == "不行"
    assert n.offsets == (2, 4, 5)


def test_skip_spans_are_left_out() -> None:
    raw = "不/:^_^行"
    n = normalize(raw, skip=find_emoticons(raw))
    assert n.text == "不行"
    assert n.offsets == (0, 6, 7)
    assert n.raw_span(0, 2) == (0, 7)


def test_empty_results() -> None:
    assert normalize("abc", 1, 1) == NormalizedText("", (1,))
    assert normalize("/:^_^", skip=[(0, 5)]) == NormalizedText("", (0,))


def test_raw_span_rejects_bad_spans() -> None:
    n = normalize("不行")
    with pytest.raises(ValueError):
        n.raw_span(1, 0)
    with pytest.raises(ValueError):
        n.raw_span(0, 3)


def test_case_folding_keeps_one_to_one() -> None:
    n = normalize("İX")  # "İ".lower() is two characters: kept as is
    assert n.text == "İx"
    assert len(n.offsets) == 3


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("  不 行 ", "不行"),
        ("應該是吧", "应该是吧"),
        ("V信", "v信"),
        ("QQ号", "qq号"),
        (" ", ""),
        ("~", "~"),
    ],
)
def test_normalize_phrase(phrase: str, expected: str) -> None:
    assert normalize_phrase(phrase) == expected


# -- properties ----------------------------------------------------------------------
def _char_norm(char: str) -> str:
    """What normalization does to one character on its own."""
    return normalize_phrase(char) if not char.isspace() else fold_width(char)


def _is_cjk(char: str) -> bool:
    return bool(_CJK_RE.fullmatch(char))


_MIXED = st.sampled_from(
    list("不行应该是吧微信亲好的 *._-,，、 ·\u3000\u200bＶｖVv信１２3ＡaΣ%()")
    + list("應該們說這個發票問")  # traditional characters whose conversion needs no context
    + ["😀", "/:^_^", "[微笑]", "\U00020000"]
)
_TEXTS = st.lists(_MIXED, max_size=30).map("".join) | st.text(max_size=30)


@st.composite
def _slices(draw: st.DrawFn, texts: st.SearchStrategy[str] = _TEXTS) -> tuple[str, int, int]:
    raw = draw(texts)
    start = draw(st.integers(0, len(raw)))
    end = draw(st.integers(start, len(raw)))
    return raw, start, end


@given(_slices())
def test_offset_map_invariants(case: tuple[str, int, int]) -> None:
    raw, start, end = case
    skip = find_emoticons(raw)
    n = normalize(raw, start, end, skip)
    assert len(n.offsets) == len(n.text) + 1
    assert all(a < b for a, b in zip(n.offsets, n.offsets[1:], strict=False))
    assert all(start <= o <= end for o in n.offsets)
    skipped = {i for a, b in skip for i in range(a, b)}
    kept = set(n.offsets[:-1])
    assert not kept & skipped
    for i, char in enumerate(n.text):
        source = raw[n.offsets[i]]
        expected = _char_norm(source)
        if expected != char:  # only t2s depends on context: both must be ideographs
            assert _is_cjk(char) and _is_cjk(source), (source, char)
    for i in range(start, end):  # what was dropped is noise (or an emoticon)
        if i not in kept and i not in skipped:
            char = raw[i]
            assert not char.isalnum() and char not in ",，、", (raw, i)
    if n.text:
        assert n.offsets[-1] == n.offsets[-2] + 1


@given(_slices(), st.data())
def test_raw_span_round_trips(case: tuple[str, int, int], data: st.DataObject) -> None:
    raw, start, end = case
    skip = find_emoticons(raw)
    n = normalize(raw, start, end, skip)
    i = data.draw(st.integers(0, len(n.text)))
    j = data.draw(st.integers(i, len(n.text)))
    s, e = n.raw_span(i, j)
    assert start <= s <= e <= end
    if i == j:
        assert s == e
        return
    assert (s, e) == (n.offsets[i], n.offsets[j - 1] + 1)
    # renormalizing the raw span gives the same text (t2s and Σ need no context here)
    assume(not any(c in "Σ\U00020000" for c in raw) and raw.isprintable())
    if all(
        ord(c) < 0x2000 or c in "不行应该是吧微信亲好的應該們說這個發票問信、，·\u3000" for c in raw
    ):
        assert normalize(raw, s, e, skip).text == n.text[i:j]


@given(st.text(max_size=50))
def test_normalize_never_raises_on_any_text(raw: str) -> None:
    n = normalize(raw, skip=find_emoticons(raw))
    assert len(n.offsets) == len(n.text) + 1
    assert normalize_phrase(raw) == normalize(raw.strip()).text


@given(st.text(st.characters(categories=["Lu", "Ll", "Nd"]), max_size=20))
def test_ascii_and_letters_keep_their_length(raw: str) -> None:
    assume(all(not unicodedata.category(c).startswith("C") for c in raw))
    assert len(normalize(raw).text) == len(raw)  # nothing to drop between letters


# -- the OpenCC hint -------------------------------------------------------------------
def _dictionary_files(node: Any) -> Iterator[dict[str, str]]:
    """Every ``{"type", "file"}`` dictionary an OpenCC config names, groups opened."""
    if isinstance(node, dict):
        if "file" in node:
            yield node
        for value in node.values():
            yield from _dictionary_files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dictionary_files(value)


@pytest.fixture(scope="module")
def t2s_dictionaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """``key -> values`` of every dictionary the installed OpenCC's t2s uses."""
    clib = Path(opencc.__file__).parent / "clib"
    share, tool = clib / "share" / "opencc", clib / "bin" / "opencc_dict"
    if not tool.is_file():
        pytest.skip("this OpenCC has no opencc_dict to read its dictionaries with")
    folder = tmp_path_factory.mktemp("opencc")
    entries: dict[str, list[str]] = {}
    for spec in _dictionary_files(json.loads((share / "t2s.json").read_text(encoding="utf-8"))):
        text = folder / f"{spec['file']}.txt"
        if spec["type"] == "text":
            text = share / spec["file"]
        else:
            source = share / spec["file"]
            command = [tool, "-i", source, "-o", text, "-f", spec["type"], "-t", "text"]
            subprocess.run(command, check=True, capture_output=True)
        for line in text.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            entries.setdefault(key, []).extend(values.split(" "))
    return entries


def test_t2s_hint_finds_every_key_that_changes(t2s_dictionaries: dict[str, list[str]]) -> None:
    """What makes skipping OpenCC safe: a key without a hint character maps to itself
    (a stage writes a key's first value), in every dictionary t2s reads."""
    normalize("乾")  # the converter exists
    hint = normalize_module._build_t2s_hint()
    assert hint is not None, (
        f"OpenCC {opencc.__version__} is not checked: add it to _CHECKED_OPENCC once this "
        "test passes with it (and update _PHRASE_ONLY if it says so)"
    )
    missed = {k: v[0] for k, v in t2s_dictionaries.items() if v[0] != k and not hint.search(k)}
    assert not missed, f"characters for _PHRASE_ONLY in: {missed}"


def test_no_hint_for_an_unchecked_opencc(monkeypatch: pytest.MonkeyPatch) -> None:
    normalize("乾")
    monkeypatch.setattr(opencc, "__version__", "0.0.0")
    assert normalize_module._build_t2s_hint() is None


def test_hint_is_built_after_enough_conversions(monkeypatch: pytest.MonkeyPatch) -> None:
    normalize("乾")
    monkeypatch.setattr(normalize_module, "_t2s_hint", None)
    monkeypatch.setattr(normalize_module, "_converted", 0)
    monkeypatch.setattr(normalize_module, "_HINT_AFTER", 3)
    for text in ("乾淨", "發票", "問"):
        assert normalize_module._t2s_hint is None
        normalize(text)
    assert normalize_module._t2s_hint is not None
    assert normalize("應該是吧").text == "应该是吧"


# The noise pattern as first written, three lookbehinds tried at every position;
# _NOISE reorders it to begin with a character class (same matches, faster).
_NOISE_AS_WRITTEN = re.compile(
    rf"(?<=[{CJK}]){normalize_module._NOISE_CJK}+(?=[{CJK}])"
    rf"|(?<=[{CJK}])(?:{normalize_module._JOINER})+(?=[A-Za-z0-9])"
    rf"|(?<=[A-Za-z0-9])(?:{normalize_module._JOINER})+(?=[{CJK}])"
)


def test_every_joiner_is_a_noise_character() -> None:
    joiner = re.compile(normalize_module._JOINER)
    noise = re.compile(normalize_module._NOISE_CJK)
    assert not [
        c for c in map(chr, range(0x110000)) if joiner.fullmatch(c) and not noise.fullmatch(c)
    ]


_NOISE_ALPHABET = st.sampled_from(
    list(
        "不行的亲ab12Z _*.-·•・/|,，、。!?~\n\t\u3000\u00ad\u200b\ufeff$%()（）“”'\"𠀀😀#@〇豈\u2028"
    )
)


@given(st.lists(_NOISE_ALPHABET, max_size=20).map("".join) | st.text(max_size=20))
def test_noise_pattern_matches_as_written(text: str) -> None:
    found = [m.span() for m in normalize_module._NOISE.finditer(text)]
    assert found == [m.span() for m in _NOISE_AS_WRITTEN.finditer(text)]
