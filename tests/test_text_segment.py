"""jieba segmentation and the token boundaries the phrase rules rely on.

These pin jieba's actual cuts (jieba 0.42.1 dictionary + ``userdict.txt``, HMM
off): a change to the user dictionary that breaks one of them changes what
W001/W002 report.
"""

from __future__ import annotations

import marshal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cslint.text import segment
from cslint.text.normalize import normalize_phrase
from cslint.text.segment import USERDICT, token_boundaries, token_spans


def cut(text: str) -> list[str]:
    return [text[a:b] for a, b in token_spans(text)]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("应该是吧台的", ["应该", "是", "吧台", "的"]),
        ("这个我也不知道呢", ["这个", "我", "也", "不", "知道", "呢"]),
        ("不行的亲", ["不行", "的", "亲"]),
        ("应该是吧", ["应该", "是", "吧"]),
        ("自己选吧", ["自己", "选", "吧"]),
        ("韵达不发的哦", ["韵达", "不发", "的", "哦"]),
        ("这是吧台的尺寸哦", ["这", "是", "吧台", "的", "尺寸", "哦"]),
        ("这款不能便宜了", ["这", "款", "不能", "便宜", "了"]),
        # the user dictionary at work
        ("这款不包邮", ["这", "款", "不", "包邮"]),  # jieba alone: 不包/邮
        ("加我微信号", ["加", "我", "微信", "号"]),  # jieba alone: 微/信号
        ("顺丰包邮的", ["顺丰", "包邮", "的"]),
        ("旺旺上联系千牛客服", ["旺旺", "上", "联系", "千牛", "客服"]),
        # HMM off: unknown characters are not glued to the phrase
        ("我也不懂亲", ["我", "也", "不", "懂", "亲"]),
        ("亲加微", ["亲", "加", "微"]),
        # ASCII runs are cut where letters meet digits
        ("加我vx123", ["加", "我", "vx", "123"]),
        ("qq12345", ["qq", "12345"]),
        ("v信", ["v", "信"]),
    ],
)
def test_cuts(text: str, tokens: list[str]) -> None:
    assert cut(text) == tokens


@pytest.mark.parametrize(
    ("sentence", "phrase", "on_boundaries"),
    [
        ("应该是吧台的", "应该是吧", False),  # the false positive the check prevents
        ("这是吧台的尺寸哦", "是吧", False),
        ("这个我也不知道呢", "我也不知道", True),
        ("不行的亲", "不行", True),
        (normalize_phrase("应 该 是 吧"), "应该是吧", True),
        ("自己选吧", "自己选吧", True),
        ("韵达不发的哦", "不发", True),
        ("我不大清楚哦", "我不大清楚", True),
        ("我找不到人问呢", "我找不到人问", True),
    ],
)
def test_phrase_boundaries(sentence: str, phrase: str, on_boundaries: bool) -> None:
    start = sentence.index(phrase)
    edges = token_boundaries(sentence)
    assert (start in edges and start + len(phrase) in edges) is on_boundaries


def test_empty_text() -> None:
    assert token_spans("") == []
    assert token_boundaries("") == frozenset({0})


def test_results_are_copies() -> None:
    first = token_spans("不行的亲")
    first.clear()
    assert token_spans("不行的亲") == [(0, 2), (2, 3), (3, 4)]


def test_userdict_holds_no_ruleset_phrase() -> None:
    words = {
        line.split()[0]
        for line in USERDICT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    forbidden = {
        "我也不知道",
        "应该是吧",
        "我不大清楚",
        "我找不到人问",
        "自己选吧",
        "我也不懂",
        "不行",
    }
    assert not words & forbidden
    assert {"吧台", "包邮", "旺旺", "千牛", "快递", "顺丰", "韵达", "发票", "客服", "亲"} <= words


_ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_ROOT
    )


def test_jieba_is_not_loaded_at_import_nor_by_analyze() -> None:
    out = _run(
        "import sys, cslint.text.analysis, cslint.match;"
        "from cslint.text.analysis import analyze; analyze('这个我也不知道呢');"
        "print('jieba' in sys.modules)"
    )
    assert out.stdout.strip() == "False"


def test_first_use_loads_quietly() -> None:
    out = _run(
        "from cslint.text.analysis import analyze;"
        "print(analyze('应该是吧台的').sentences[0].tokens())"
    )
    assert out.stdout.strip() == "[(0, 2), (2, 3), (3, 5), (5, 6)]"
    assert out.stderr == ""  # jieba's "Building prefix dict..." is silenced


def test_jieba_is_imported_without_pkg_resources() -> None:
    out = _run(
        "import sys; from cslint.text import segment; segment.token_spans('不行的亲');"
        "print('pkg_resources' in sys.modules)"
    )
    assert out.stdout.strip() == "False"
    assert out.stderr == ""  # nor its deprecation warning


def test_tokenizer_is_private() -> None:
    import jieba

    assert segment.tokenizer() is segment.tokenizer()
    assert segment.tokenizer() is not jieba.dt


_ALPHABET = st.sampled_from(list("不行应该是吧台的亲我也知道 ,、.%-_ab12vx韵达包邮😀\U00020000"))


@given(st.text(_ALPHABET, max_size=30) | st.text(max_size=20))
def test_tokens_cover_the_text(text: str) -> None:
    spans = token_spans(text)
    pos = 0
    for start, end in spans:
        assert start == pos and end > start
        pos = end
    assert pos == len(text)
    assert token_boundaries(text) == frozenset({0, len(text)} | {e for s in spans for e in s})


def test_pieces_are_jiebas() -> None:
    jieba = segment._import_jieba()
    assert segment._RUNS.pattern == jieba.re_han_default.pattern
    assert segment._RUNS.flags == jieba.re_han_default.flags


@given(st.text(_ALPHABET, max_size=30) | st.text(max_size=20))
def test_cutting_piece_by_piece_is_cutting_the_whole_text(text: str) -> None:
    # _piece_spans given the whole text: jieba cuts it in one call
    assert token_spans(text) == (list(segment._piece_spans(text)) if text else [])


def _tokens_with(text: str, part: str) -> list[tuple[int, int, int]]:
    """:func:`segment.tokens_with` read off the whole text's tokens."""
    spans = token_spans(text)
    return [
        (a, b, spans[t + 1][1] if t + 1 < len(spans) else b)
        for t, (a, b) in enumerate(spans)
        if part in text[a:b]
    ]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("这个我也不知道呢", "不"),
        ("亲，不，不行的,不", "不"),
        ("不\r\n好", "不"),
        ("vx不123 不 ", "不"),
        ("", "不"),
        ("不能不能", "不能"),
        ("不行", ""),
    ],
)
def test_tokens_with_examples(text: str, part: str) -> None:
    assert segment.tokens_with(text, part) == _tokens_with(text, part)


@given(
    st.text(_ALPHABET, max_size=30) | st.text(max_size=20),
    st.sampled_from(["不", "行", "亲", " ", "不行"]),
)
def test_tokens_with_reads_the_whole_texts_tokens(text: str, part: str) -> None:
    assert segment.tokens_with(text, part) == _tokens_with(text, part)


# -- the dictionary, split by first character -----------------------------------------
@pytest.fixture(scope="module")
def whole() -> Any:
    """A tokenizer given jieba's whole dictionary and the user dictionary the plain way."""
    jieba = segment._import_jieba()
    tk = jieba.Tokenizer()
    segment._initialize(tk, jieba.DEFAULT_DICT)
    segment._load_userdict(tk, USERDICT)
    return tk


def test_split_dictionary_is_the_whole_one(
    whole: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jieba = segment._import_jieba()
    monkeypatch.setattr(segment, "_cache_path", lambda tk, made_from: tmp_path / "split")
    first = jieba.Tokenizer()
    assert segment._load_dictionary(first, jieba) == {}  # no cache yet: loaded whole
    assert (tmp_path / "split").is_file()
    second = jieba.Tokenizer()
    parts = segment._load_dictionary(second, jieba)  # from the cache: nothing loaded yet
    assert second.FREQ == {}
    assert second.total == first.total == whole.total
    segment._load_words(second, parts, "行不")
    assert {word[0] for word in second.FREQ} == {"不", "行"}
    assert {word[:2] for word in second.FREQ} == {"不", "行", "行不"}
    segment._load_words(second, parts, "".join(parts))  # every character's part
    segment._load_words(second, parts, "".join(parts))  # every pair's part
    assert not parts
    assert second.FREQ == first.FREQ == whole.FREQ


@given(st.text(_ALPHABET, max_size=30) | st.text(max_size=20))
def test_cuts_are_those_of_the_whole_dictionary(whole: Any, text: str) -> None:
    tk = segment.tokenizer()
    segment._load_words(tk, segment._unloaded, text)
    assert list(tk.tokenize(text, HMM=False)) == list(whole.tokenize(text, HMM=False))


def test_split_cache_must_match_what_it_is_made_from(tmp_path: Path) -> None:
    path = tmp_path / "split"
    path.write_bytes(marshal.dumps((b"made from", 7, {"a": b"x"})))
    assert segment._read_split(path, b"made from") == (7, {"a": b"x"})
    assert segment._read_split(path, b"made from another user dictionary") is None
    path.write_bytes(b"\x00 not marshal")
    assert segment._read_split(path, b"made from") is None
    assert segment._read_split(tmp_path / "missing", b"made from") is None


def test_cache_depends_on_the_user_dictionary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jieba = segment._import_jieba()
    before = segment._made_from(jieba)
    other = tmp_path / "userdict.txt"
    other.write_text("新词 5\n", encoding="utf-8")
    monkeypatch.setattr(segment, "USERDICT", other)
    assert segment._made_from(jieba) != before
