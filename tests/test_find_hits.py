"""RulePack.find_hits keeps each sentence's hits (by number and text); these
check it against scanning every sentence afresh, as it did before the cache."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint import ruleset
from cslint.config import Config
from cslint.rules.base import PhraseHit
from cslint.ruleset import RulePack, load_pack
from cslint.text.analysis import TextAnalysis, analyze

PACK = load_pack(Config())
_PHRASES = sorted(PACK.index.phrases())
_OTHER = (
    "亲",
    "您好",
    "订单号488412000299968781",
    "孙琳 19102178853",
    "[微笑]",
    "/:^_^",
    "應該",
    "ａｂ",
    "不 行",
)
_PIECES = (
    st.sampled_from(_PHRASES) | st.sampled_from(_OTHER) | st.text("不行吧的呢哦亲 ", max_size=4)
)
_SENTENCE = st.lists(_PIECES, max_size=5).map("".join)
_TEXTS = st.lists(_SENTENCE, max_size=5).flatmap(
    lambda parts: st.lists(
        st.sampled_from("。！？~\n，"), min_size=len(parts), max_size=len(parts)
    ).map(lambda ends: "".join(p + e for p, e in zip(parts, ends, strict=True)))
)


def scan_every_sentence(pack: RulePack, analysis: TextAnalysis) -> dict[str, tuple[PhraseHit, ...]]:
    found: dict[str, list[PhraseHit]] = {}
    for number, sentence in enumerate(analysis.sentences):
        for start, end, phrase, payloads in pack.index.spans(sentence.norm.text):
            for code, list_name in payloads:
                found.setdefault(code, []).append(PhraseHit(number, start, end, list_name, phrase))
    return {code: tuple(hits) for code, hits in found.items()}


@settings(database=None, max_examples=400)
@given(_TEXTS)
def test_find_hits_matches_scanning_every_sentence(text: str) -> None:
    analysis = analyze(text)
    expected = scan_every_sentence(PACK, analysis)
    for _ in range(2):  # the second time from the kept sentences
        found = PACK.find_hits(analysis)
        assert dict(found) == expected
        assert list(found) == list(expected)  # codes in the order of their first hit


def test_a_kept_sentence_serves_another_message() -> None:
    first = analyze("亲，您好。包邮的哦")
    second = analyze("订单号123。包邮的哦")
    assert PACK.find_hits(first)  # keeps "包邮的哦" as sentence 1
    assert PACK.find_hits(second) == scan_every_sentence(PACK, second)
    assert PACK.find_hits(analyze("包邮的哦")) == scan_every_sentence(PACK, analyze("包邮的哦"))


def test_the_kept_sentences_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack(Config())
    monkeypatch.setattr(ruleset, "_SENTENCE_HITS_KEPT", 3)
    for n in range(10):
        analysis = analyze(f"亲{n}包邮")
        assert pack.find_hits(analysis) == scan_every_sentence(pack, analysis)
        assert pack._sentence_hits.cache_info().currsize <= 3
