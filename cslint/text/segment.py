"""jieba tokens of a normalized sentence, for the token-boundary check.

**Why jieba.** A forbidden phrase must not fire inside a longer word:
``应该是吧台的`` contains 应该是吧 but jieba cuts 应该/是/吧台/的, so the hit's
end (after 吧) is not a token boundary and the hit does not count
(RULES.md, "Terms": *token-boundary check*; :func:`cslint.match.on_token_boundaries`).

**Ruleset phrases are not added to jieba's dictionary.** Adding 应该是吧 as a
word would make jieba cut 应该是吧/台 and create the very false positive the
check exists to prevent. Phrases are found by the Aho-Corasick automaton; a hit
counts when its start and end both fall on boundaries of the tokens jieba finds
with its *own* dictionary. The user dictionary (``userdict.txt``) holds only
shop vocabulary that jieba's general dictionary lacks or under-weights (包邮,
顺丰, 韵达, 千牛, 运费险, 微信 …), which improves cuts such as ``不/包邮``
(jieba alone: 不包/邮) and ``微信/号`` (jieba alone: 微/信号).

**HMM off.** With HMM on, jieba glues unknown single characters into new words
(``我/也/不/懂亲``, ``亲加微``, ``那送/您``, ``问号``), which hides real hits: over
7,344 phrase-in-context probes (W001/P006/C001… phrases between common
prefixes and particles) HMM on missed 464 boundaries, HMM off 65, all of the
latter genuine dictionary words (感谢您, 亲亲, 啊呀). HMM off is also faster.

**ASCII runs.** jieba keeps a run of ASCII letters and digits as one token
(``vx123``, ``qq12345``); such tokens are further cut where letters meet digits,
so ``vx`` and ``qq`` sit on boundaries.

Examples (checked in ``tests/test_text_segment.py``): 应该是吧台的 → 应该/是/吧台/的;
这个我也不知道呢 → 这个/我/也/不/知道/呢; 不行的亲 → 不行/的/亲; 自己选吧 → 自己/选/吧;
韵达不发的哦 → 韵达/不发/的/哦.

The tokenizer is private to cslint (``jieba.Tokenizer()``, not jieba's global
one), created on first use, never at import time, and jieba's logging is
quieted. ``import jieba`` runs without ``pkg_resources`` (:func:`_import_jieba`).

**A dictionary loaded by first characters.** jieba's prefix dictionary holds
about 500,000 words and prefixes: 61 MB and 0.35–0.4 s to load whole, while a
run cuts sentences made of a few hundred distinct characters (569 at 100,000
benchmark messages, whose words are 39 % of the entries). A cut looks up
substrings of its text only, so only the text's characters and the entries
that begin with two adjacent characters of the text matter. cslint keeps its
own cache in the temporary directory, next to jieba's: the dictionary with
``userdict.txt`` merged in, split by first character and, within, by first
two characters, each part marshalled apart. The tokenizer starts empty and
takes in the parts a text needs before cutting it (:func:`_load_words`),
which gives the cuts of the whole dictionary: for the pieces W002 cuts on the
100,000-message benchmark, 4,800 entries instead of the 158,000 that begin
with one of their characters. The cache is named after jieba's version, its
dictionary file and the user dictionary, and is written (from jieba's own
cache) by the first run that misses it.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import re
import sys
import tempfile
import threading
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

__all__ = ["USERDICT", "token_boundaries", "token_spans", "tokenizer", "tokens_with"]

#: The shop-vocabulary user dictionary (``word [freq] [tag]`` per line, ``#`` comments).
USERDICT: Final = Path(__file__).with_name("userdict.txt")
# Part of the cache's name: change it whenever the cache's layout changes.
_CACHE_FORMAT: Final = 2

_lock = threading.Lock()
_tokenizer: Any = None
# jieba's re_han_default (a test checks that they are the same), which splits
# a text into the pieces that it cuts each apart (_pieces)
_RUNS: Final = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
# Marshalled dictionary entries not loaded into the tokenizer yet (_load_words):
# by first character, the character's own entry and its pairs' parts; by
# first two characters (a pair), the entries that begin with them.
_unloaded: dict[str, bytes] = {}
_ASCII_ALNUM: Final = re.compile(r"[a-zA-Z]+|[0-9]+")


def _import_jieba() -> Any:
    """``import jieba``, keeping it from importing ``pkg_resources``.

    ``jieba._compat`` imports it (0.1 s, and a deprecation warning) only to
    open jieba's dictionary file, and opens it by path when the import fails;
    ``None`` in ``sys.modules`` makes it fail.
    """
    block = "pkg_resources" not in sys.modules
    if block:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if block:
            del sys.modules["pkg_resources"]
    return jieba


def _load_userdict(tk: Any, path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, *rest = line.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        tag = rest[-1] if rest and not rest[-1].isdigit() else None
        tk.add_word(word, freq, tag)


def _initialize(tk: Any, default_dict: Any) -> None:
    """Load jieba's prefix dictionary, from jieba's own cache file when it exists.

    jieba reads that cache with ``marshal.load(file)``, which takes 1.1–1.3 s
    here; reading the bytes first and calling ``marshal.loads`` gives the same
    dictionary in 0.3–0.4 s (measured, docs/performance.md). Any problem falls
    back to jieba's own ``initialize``, which also writes the cache the first
    time.
    """
    cache = Path(tk.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    if tk.dictionary == default_dict and tk.cache_file is None and cache.is_file():
        try:
            tk.FREQ, tk.total = marshal.loads(cache.read_bytes())
            tk.initialized = True
            return
        except (OSError, ValueError, EOFError, TypeError):
            pass
    tk.initialize()


def _made_from(jieba: Any) -> bytes:
    """What cslint's split dictionary is made from: its layout, jieba's version
    and dictionary file, the user dictionary. Stored in the cache and compared."""
    source = Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME).stat()
    head = f"{_CACHE_FORMAT} {jieba.__version__} {source.st_size} {source.st_mtime_ns}\n"
    return head.encode() + USERDICT.read_bytes()


def _cache_path(tk: Any, made_from: bytes) -> Path:
    return Path(tk.tmp_dir or tempfile.gettempdir()) / f"cslint-jieba.{zlib.crc32(made_from):08x}"


def _read_split(path: Path, made_from: bytes) -> tuple[int, dict[str, bytes]] | None:
    """``(total, parts by first character)`` from the cache, or ``None``."""
    try:
        stored, total, parts = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if stored != made_from or not isinstance(total, int) or not isinstance(parts, dict):
        return None
    return total, parts


def _write_split(tk: Any, path: Path, made_from: bytes) -> None:
    """Split ``tk``'s (whole) dictionary into the cache: by first character,
    ``(the character's own entry, the parts of its pairs)``, each pair's part
    the entries that begin with it (see :func:`_load_words`)."""
    from cslint.output import OutputError, write_atomic

    by_first: dict[str, tuple[dict[str, int], dict[str, dict[str, int]]]] = {}
    for word, freq in tk.FREQ.items():
        alone, pairs = by_first.setdefault(word[0], ({}, {}))
        if len(word) == 1:
            alone[word] = freq
        else:
            pairs.setdefault(word[:2], {})[word] = freq
    parts = {
        first: marshal.dumps((alone, {pair: marshal.dumps(words) for pair, words in pairs.items()}))
        for first, (alone, pairs) in by_first.items()
    }
    with contextlib.suppress(OutputError):  # only a cache: the next run splits again
        write_atomic(path, marshal.dumps((made_from, tk.total, parts)))


def _load_dictionary(tk: Any, jieba: Any) -> dict[str, bytes]:
    """Give ``tk`` its dictionary: split, from cslint's cache, or else whole
    (and write the cache for the next run). Returns the parts left to load."""
    try:
        made_from = _made_from(jieba)
    except OSError:
        made_from = b""  # jieba's dictionary file is unreadable: no cache
    path = _cache_path(tk, made_from)
    split = _read_split(path, made_from) if made_from else None
    if split is None:
        _initialize(tk, jieba.DEFAULT_DICT)
        _load_userdict(tk, USERDICT)
        if made_from:
            _write_split(tk, path, made_from)
        return {}
    total, parts = split
    tk.FREQ, tk.total, tk.initialized = {}, total, True
    return parts


def tokenizer() -> Any:
    """cslint's own jieba tokenizer with the user dictionary, created once.

    Its dictionary may be loaded only in part: cut through :func:`token_spans`
    and :func:`token_boundaries`, which load what a text needs first.
    """
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                _unloaded.update(_load_dictionary(tk, jieba))
                _tokenizer = tk
    return _tokenizer


def _load_words(tk: Any, unloaded: dict[str, bytes], text: str) -> None:
    """Move the ``unloaded`` entries a cut of ``text`` can look up into ``tk``'s
    dictionary: those of its characters, and those that begin with two
    adjacent characters of it (every longer substring does).

    A character's part, taken in first, holds its own entry and hands on the
    parts of its pairs to ``unloaded`` (pairs and characters never clash:
    their keys differ in length).
    """
    if not unloaded:
        return
    chars = [char for char in set(text) if char in unloaded]
    if chars:
        with _lock:
            for char in chars:
                part = unloaded.get(char)
                if part is not None:
                    alone, pairs = marshal.loads(part)
                    tk.FREQ.update(alone)
                    unloaded.update(pairs)
                    # removed only once loaded: another thread that no longer
                    # finds the part here can cut with it (or find its pairs)
                    del unloaded[char]
    pairs = [pair for pair in {text[i : i + 2] for i in range(len(text) - 1)} if pair in unloaded]
    if pairs:
        with _lock:
            for pair in pairs:
                part = unloaded.get(pair)
                if part is not None:
                    tk.FREQ.update(marshal.loads(part))
                    del unloaded[pair]


def _pieces(text: str) -> list[tuple[int, int]]:
    """The spans of the pieces of ``text`` that jieba cuts each on its own.

    ``Tokenizer.cut`` splits a text with its ``re_han_default`` into runs of
    CJK, ASCII letters, digits and ``+#&._%-`` and the stretches between
    them, and cuts each apart (a run by its dictionary DAG, a stretch
    character by character): the tokens of a piece are those of the piece
    alone, wherever it stands.
    """
    pieces: list[tuple[int, int]] = []
    pos = 0
    for piece in _RUNS.split(text):
        if piece:
            pieces.append((pos, pos + len(piece)))
            pos += len(piece)
    return pieces


# Keyed by piece: canned phrases recur between different prefixes and suffixes.
@lru_cache(maxsize=65536)
def _piece_spans(piece: str) -> tuple[tuple[int, int], ...]:
    tk = tokenizer()
    _load_words(tk, _unloaded, piece)
    spans: list[tuple[int, int]] = []
    for word, start, end in tk.tokenize(piece, HMM=False):
        if len(word) > 1 and word.isascii() and word.isalnum() and not word.isalpha():
            spans.extend((start + m.start(), start + m.end()) for m in _ASCII_ALNUM.finditer(word))
        else:
            spans.append((start, end))
    return tuple(spans)


def _spans_at(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The token spans of the piece ``text[start:end]``, indexing ``text``."""
    return [(start + a, start + b) for a, b in _piece_spans(text[start:end])]


@lru_cache(maxsize=65536)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for start, end in _pieces(text):
        spans += _spans_at(text, start, end)
    return tuple(spans)


def token_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the jieba tokens of ``text`` (covering all of it)."""
    if not text:
        return []
    return list(_spans(text))


def tokens_with(text: str, part: str) -> list[tuple[int, int, int]]:
    """``(start, end, next_end)`` of every jieba token of ``text`` that contains
    ``part``: its span and the end of the token after it (``end`` for the last).

    The same as reading :func:`token_spans`, but only the pieces that hold
    ``part`` are cut (:func:`_pieces`), and the next piece's first token: W002
    asks for the tokens with 不, and a chat sentence's other pieces are most
    of its length.
    """
    if part not in text:
        return []
    found: list[tuple[int, int, int]] = []
    pieces = _pieces(text)
    for n, (start, end) in enumerate(pieces):
        if part not in text[start:end]:
            continue
        spans = _spans_at(text, start, end)
        # the token after the piece's last one: the next piece's first
        after = _spans_at(text, *pieces[n + 1])[0][1] if n + 1 < len(pieces) else end
        next_ends = [b for _, b in spans[1:]] + [after]
        for (a, b), next_end in zip(spans, next_ends, strict=True):
            if part in text[a:b]:
                found.append((a, b, next_end))
    return found


@lru_cache(maxsize=65536)
def token_boundaries(text: str) -> frozenset[int]:
    """``{0, len(text)}`` and every token edge of ``text``."""
    edges = {0, len(text)}
    for start, end in _spans(text) if text else ():
        edges.add(start)
        edges.add(end)
    return frozenset(edges)
