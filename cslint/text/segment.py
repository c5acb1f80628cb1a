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
one), created on first use — loading takes about a second, so never at import
time — and jieba's logging is quieted. jieba keeps its dictionary cache in the
temporary directory.
"""

from __future__ import annotations

import logging
import marshal
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

__all__ = ["USERDICT", "token_boundaries", "token_spans", "tokenizer"]

#: The shop-vocabulary user dictionary (``word [freq] [tag]`` per line, ``#`` comments).
USERDICT: Final = Path(__file__).with_name("userdict.txt")

_lock = threading.Lock()
_tokenizer: Any = None
_ASCII_ALNUM: Final = re.compile(r"[a-zA-Z]+|[0-9]+")


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


def tokenizer() -> Any:
    """cslint's own jieba tokenizer with the user dictionary, created once."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # ~0.2 s to import, ~1 s to load: only when a rule asks

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                _initialize(tk, jieba.DEFAULT_DICT)
                _load_userdict(tk, USERDICT)
                _tokenizer = tk
    return _tokenizer


@lru_cache(maxsize=65536)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for word, start, end in tokenizer().tokenize(text, HMM=False):
        if len(word) > 1 and word.isascii() and word.isalnum() and not word.isalpha():
            spans.extend((start + m.start(), start + m.end()) for m in _ASCII_ALNUM.finditer(word))
        else:
            spans.append((start, end))
    return tuple(spans)


def token_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the jieba tokens of ``text`` (covering all of it)."""
    if not text:
        return []
    return list(_spans(text))


@lru_cache(maxsize=65536)
def token_boundaries(text: str) -> frozenset[int]:
    """``{0, len(text)}`` and every token edge of ``text``."""
    edges = {0, len(text)}
    for start, end in _spans(text) if text else ():
        edges.add(start)
        edges.add(end)
    return frozenset(edges)
