"""Rule kinds that look at the words of agent messages.

``phrase``        a listed phrase (W001, W005, C001, C002, P003, P004, P006)
``cooccurrence``  an anchor and a trigger in one sentence (P001)
``negation``      a jieba token containing 不 (W002)
``curt-reply``    content shorter than N characters (W003)
``ending-particle`` a sentence ending in 啊/啦 (W004)
``shipping-delay`` a shipping promise later than N hours (P005)

Phrase hits come from the pack's single Aho-Corasick automaton over
normalized sentences; jieba runs only when a rule with ``boundary = "token"``
has a candidate hit to verify, or when a sentence holds 不 (W002).

Each kind works in two steps. ``find`` reads one text alone (hits,
whitelists, token boundaries, patterns) and returns :class:`Finding` s; it
runs once per distinct text of the run, since agents repeat canned replies.
``check`` then applies what depends on the session (``unless_session``,
``unless_earlier_*``, the shop's facts) and builds violations only for the
findings that survive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from cslint.match import on_token_boundaries
from cslint.model import Role
from cslint.rules.base import (
    Finding,
    ParamSpec,
    PhraseHit,
    SessionContext,
    TextFacts,
    TextRule,
    register,
)
from cslint.text import segment
from cslint.text.analysis import TextAnalysis
from cslint.text.normalize import normalize_phrase

# Whole-message placeholders a client puts where a picture, file or card was.
_PLACEHOLDER = re.compile(r"^\s*[\[【][^\[\]【】]{1,8}[\]】]\s*$")


def contained(inner: PhraseHit, outer: PhraseHit) -> bool:
    return (
        inner.sentence == outer.sentence and outer.start <= inner.start and inner.end <= outer.end
    )


def not_whitelisted(hits: Iterable[PhraseHit], whitelist: Sequence[PhraseHit]) -> list[PhraseHit]:
    """The hits that do not lie inside a whitelist hit of the same sentence."""
    if not whitelist:
        return list(hits)
    return [h for h in hits if not any(contained(h, w) for w in whitelist)]


def longest_first(hits: Iterable[PhraseHit]) -> list[PhraseHit]:
    """Drop hits overlapping a longer (or earlier) one: a span is reported once."""
    kept: list[PhraseHit] = []
    for h in sorted(hits, key=lambda h: (h.sentence, -(h.end - h.start), h.start)):
        if not any(k.sentence == h.sentence and k.start < h.end and h.start < k.end for k in kept):
            kept.append(h)
    kept.sort(key=lambda h: (h.sentence, h.start))
    return kept


class _Entries:
    """A list whose entries may be conjunctions ``a&b`` (all parts in one sentence)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = [tuple(normalize_phrase(p) for p in e.split("&")) for e in entries]

    def __bool__(self) -> bool:
        return bool(self.entries)

    def satisfied(self, phrases_in_sentence: set[str]) -> tuple[str, ...] | None:
        """The first entry whose parts all occur in the sentence, or None."""
        for parts in self.entries:
            if all(p in phrases_in_sentence for p in parts):
                return parts
        return None


class _WordRule(TextRule):
    """Shared plumbing of the lexical kinds: whitelists, findings, ``unless_session``."""

    def clean_hits(self, text: TextFacts) -> list[PhraseHit]:
        """This rule's hits in a text, whitelisted ones removed."""
        hits = text.hits.get(self.code, ())
        if not hits:
            return []
        whitelist = [h for h in hits if h.list == "whitelist"]
        return not_whitelisted((h for h in hits if h.list != "whitelist"), whitelist)

    def finding_at(
        self,
        text: TextFacts,
        sentence: int,
        start: int,
        end: int,
        suggestion: str | None = None,
        **fields: Any,
    ) -> Finding:
        """A finding at ``[start, end)`` of a sentence's normalized text; fills
        ``{match}`` with the raw text it spans."""
        span = text.analysis.sentences[sentence].norm.raw_span(start, end)
        return Finding.of(self.spec, span, suggestion, match=text.text[span[0] : span[1]], **fields)

    def session_exempt(self, ctx: SessionContext) -> bool:
        """Whether any message of the session holds an ``unless_session`` word (预售, 定制)."""
        return bool(self.spec.list("unless_session")) and ctx.session_has(
            self.code, "unless_session"
        )


@register
class PhraseRule(_WordRule):
    """A listed phrase or pattern in an agent message.

    Fills ``{match}``. Context lists: ``unless_sentence`` (an exemption in the
    same sentence), ``unless_session`` (anywhere in the session),
    ``unless_earlier_buyer`` / ``unless_earlier_agent`` (an earlier message of
    that role). ``requires_shop = "free_shipping"`` runs the rule only while
    the shop declares its free-shipping promotion.
    """

    kind = "phrase"
    description = "a listed phrase or pattern in an agent message"
    lists = (
        "phrases",
        "whitelist",
        "patterns",
        "unless_sentence",
        "unless_session",
        "unless_earlier_buyer",
        "unless_earlier_agent",
    )
    params: ClassVar[dict[str, ParamSpec]] = {
        "boundary": ParamSpec(
            str,
            "token",
            "token: hits must start and end on jieba token boundaries; none: any substring",
        ),
        "requires_shop": ParamSpec(
            str, "", "a [shop] fact that must be true for the rule to run (free_shipping)"
        ),
    }

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        # one alternation scans a sentence once for all of the rule's patterns
        patterns = spec.list("patterns")
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        self.finds_only_in_hits = self.pattern is None  # a pattern can match where no phrase does
        self.unless_sentence = _Entries(spec.list("unless_sentence"))
        self.replacements = {normalize_phrase(k): v for k, v in spec.replacements.items()}
        if self.param("boundary") not in ("token", "none"):
            raise ValueError(f"{spec.code}: boundary must be 'token' or 'none'")
        self.token_boundary = self.param("boundary") == "token"
        self.unless_earlier = [
            (list_name, role)
            for list_name, role in (
                ("unless_earlier_buyer", Role.BUYER),
                ("unless_earlier_agent", Role.AGENT),
            )
            if spec.list(list_name)
        ]

    def phrases(self) -> Iterable[tuple[str, str]]:
        return ((name, phrase) for name, phrase in super().phrases() if name != "patterns")

    def judges_one_message(self) -> bool:
        # a rule that compares a message with earlier ones (C001, C002, P004)
        # needs the session: on a lone canned reply it would always fire
        return not self.unless_earlier

    def _shop_allows(self, ctx: SessionContext, when: datetime) -> bool:
        fact = self.param("requires_shop")
        if not fact:
            return True
        if fact != "free_shipping":
            return bool(getattr(ctx.shop, fact, False))
        shop = ctx.shop
        if not shop.free_shipping:
            return False
        day = when.date()
        if shop.free_shipping_from is not None and day < shop.free_shipping_from:
            return False
        return not (shop.free_shipping_until is not None and day > shop.free_shipping_until)

    def _pattern_hits(self, analysis: TextAnalysis) -> list[PhraseHit]:
        found: list[PhraseHit] = []
        if self.pattern is None:
            return found
        for number, sentence in enumerate(analysis.sentences):
            if self.pattern.search(sentence.norm.text) is None:
                continue  # most sentences: no match, no iterator
            for m in self.pattern.finditer(sentence.norm.text):
                if m.end() > m.start():
                    found.append(PhraseHit(number, m.start(), m.end(), "phrases", m.group()))
        return found

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        hits = text.hits.get(self.code, ())
        if not hits and self.pattern is None:  # a pattern can match where no phrase does
            return ()
        main = [h for h in hits if h.list == "phrases"]
        if self.pattern is not None:
            main += self._pattern_hits(text.analysis)
        if not main:  # the other lists alone find nothing
            return ()
        whitelist = [h for h in hits if h.list == "whitelist"]
        main = not_whitelisted(main, whitelist)
        if main and self.token_boundary:
            sentences = text.analysis.sentences
            main = [h for h in main if on_token_boundaries(sentences[h.sentence], h.start, h.end)]
        if main and self.unless_sentence:
            clean = not_whitelisted((h for h in hits if h.list != "whitelist"), whitelist)
            main = [h for h in main if not self._sentence_exempt(clean, h.sentence)]
        return tuple(
            self.finding_at(text, h.sentence, h.start, h.end, self.replacements.get(h.phrase))
            for h in longest_first(main)
        )

    def kept(
        self, ctx: SessionContext, found: list[tuple[int, tuple[Finding, ...]]]
    ) -> list[tuple[int, tuple[Finding, ...]]]:
        found = [f for f in found if self._shop_allows(ctx, ctx.messages[f[0]].time)]
        if not found or self.session_exempt(ctx):
            return []
        last = found[-1][0]
        for list_name, role in self.unless_earlier:
            first = self._first_with(ctx, list_name, role, last)
            if first is not None:  # exempts the findings after it
                found = [f for f in found if f[0] <= first]
        return found

    def _first_with(
        self, ctx: SessionContext, list_name: str, role: Role, before: int
    ) -> int | None:
        """The first message of ``role`` before message ``before`` that holds a
        (not whitelisted) phrase of ``list_name``."""
        for j in ctx.indexes(role):
            if j >= before:
                break
            if any(h.list == list_name for h in self.clean_hits(ctx.facts(j))):
                return j
        return None

    def _sentence_exempt(self, hits: Sequence[PhraseHit], sentence: int) -> bool:
        present = {h.phrase for h in hits if h.sentence == sentence and h.list == "unless_sentence"}
        return self.unless_sentence.satisfied(present) is not None


@register
class CooccurrenceRule(_WordRule):
    """An anchor word and a trigger from one of the named groups in the same sentence.

    Fills ``{match}`` (the text from anchor to trigger) and ``{group}`` (the
    name of the first group whose entry is satisfied). ``unless_sentence``
    entries exempt the sentence.
    """

    kind = "cooccurrence"
    description = "an anchor and a trigger of a named group in one sentence"
    lists = ("anchors", "whitelist", "unless_sentence")
    required_lists = ("anchors",)
    accepts_groups: ClassVar[bool] = True
    finds_only_in_hits = True  # an anchor hit first

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.groups = [
            (name.removeprefix("group:"), _Entries(entries))
            for name, entries in spec.lists.items()
            if name.startswith("group:")
        ]
        self.unless_sentence = _Entries(spec.list("unless_sentence"))

    def phrases(self) -> Iterable[tuple[str, str]]:
        yield from super().phrases()
        for name, entries in self.spec.lists.items():
            if name.startswith("group:"):
                for entry in entries:
                    for part in entry.split("&"):
                        yield name, part

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        for hit in text.hits.get(self.code, ()):
            if hit.list == "anchors":
                break
        else:
            return ()  # most texts: trigger words (不, 没, 您) but no anchor
        hits = self.clean_hits(text)
        found: list[Finding] = []
        done: set[int] = set()
        for anchor in hits:
            if anchor.list != "anchors" or anchor.sentence in done:
                continue
            in_sentence = [h for h in hits if h.sentence == anchor.sentence]
            group_found = self._first_group(in_sentence)
            if group_found is None:
                continue
            present = {h.phrase for h in in_sentence if h.list == "unless_sentence"}
            if self.unless_sentence.satisfied(present) is not None:
                continue
            done.add(anchor.sentence)
            group, triggers = group_found
            start = min(anchor.start, *(t.start for t in triggers))
            end = max(anchor.end, *(t.end for t in triggers))
            found.append(self.finding_at(text, anchor.sentence, start, end, group=group))
        return tuple(found)

    def _first_group(self, in_sentence: Sequence[PhraseHit]) -> tuple[str, list[PhraseHit]] | None:
        for name, entries in self.groups:
            list_name = f"group:{name}"
            group_hits = [h for h in in_sentence if h.list == list_name]
            if not group_hits:
                continue
            parts = entries.satisfied({h.phrase for h in group_hits})
            if parts is not None:
                return name, [next(h for h in group_hits if h.phrase == p) for p in parts]
        return None


@register
class NegationRule(_WordRule):
    """A jieba token that contains 不, or a standalone 不 with the token after it.

    Fills ``{match}``; the suggestion is the replacement of the exact token
    (不能 → 无法), else of the longest replacement key around it (到不了 →
    无法到达). Tokens inside a whitelist phrase are not reported.
    """

    kind = "negation"
    description = "a jieba token containing 不"
    lists = ("whitelist",)
    params: ClassVar[dict[str, ParamSpec]] = {
        "marker": ParamSpec(str, "不", "the negation character"),
    }

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.replacements = {normalize_phrase(k): v for k, v in spec.replacements.items()}
        self.marker = normalize_phrase(self.param("marker"))
        self.finds_only_with = (self.marker,)  # a sentence without it is skipped

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        marker = self.marker
        whitelist: list[PhraseHit] | None = None
        found: list[Finding] = []
        # traditional or full-width spellings normalize to the marker: read the sentences
        for number, sentence in enumerate(text.analysis.sentences):
            norm = sentence.norm.text
            if marker not in norm:
                continue
            if whitelist is None:
                whitelist = [h for h in text.hits.get(self.code, ()) if h.list == "whitelist"]
            for start, token_end, next_end in segment.tokens_with(norm, marker):
                # 不 alone: 不 + the word it negates
                end = next_end if norm[start:token_end] == marker else token_end
                hit = PhraseHit(number, start, end, "phrases", norm[start:end])
                if any(contained(hit, w) for w in whitelist):
                    continue
                suggestion, start, end = self._suggest(norm, start, end)
                found.append(self.finding_at(text, number, start, end, suggestion))
        return tuple(found)

    def _suggest(self, text: str, start: int, end: int) -> tuple[str | None, int, int]:
        """The replacement and the span it replaces.

        The exact token's replacement first (不能 → 无法); else the longest
        replacement key around the token, whose span is then the one reported,
        so that a fix replaces 到不了 with 无法到达 and not 不了 alone.
        """
        exact = self.replacements.get(text[start:end])
        if exact is not None:
            return exact, start, end
        best: tuple[int, str, int] | None = None
        for key, value in self.replacements.items():
            pos = text.find(key, max(0, end - len(key)))
            while pos != -1 and pos <= start:
                if pos + len(key) >= end and (best is None or len(key) > best[0]):
                    best = (len(key), value, pos)
                pos = text.find(key, pos + 1)
        if best is None:
            return self.spec.suggestion, start, end
        return best[1], best[2], best[2] + best[0]


@register
class CurtReplyRule(_WordRule):
    """An agent message whose content is shorter than ``min_chars``.

    Fills ``{match}`` and ``{min_chars}``. Emoticon-only messages, whitelisted
    replies and placeholders such as ``[图片]`` (a picture that did not copy)
    are not curt.
    """

    kind = "curt-reply"
    description = "an agent message shorter than min_chars characters"
    lists = ("whitelist",)
    params: ClassVar[dict[str, ParamSpec]] = {
        "min_chars": ParamSpec(int, 3, "minimum number of content characters"),
    }

    def phrases(self) -> Iterable[tuple[str, str]]:
        return ()  # compared with the whole content, not searched for

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.whitelist = {normalize_phrase(w) for w in spec.list("whitelist")}
        self.min_chars = self.param("min_chars")

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        min_chars = self.min_chars
        analysis = text.analysis
        if analysis.content_reaches(min_chars):  # most texts: first, it answers alone
            return ()
        raw = text.text
        if not raw.strip() or _PLACEHOLDER.match(raw):
            return ()
        content = analysis.content
        if not content and analysis.has_emoticon:
            return ()
        if normalize_phrase(content) in self.whitelist:
            return ()
        return (Finding.of(self.spec, (0, len(raw)), match=raw.strip(), min_chars=min_chars),)


_TRAILING_NOISE = " \t,，、.。!！?？;；:：~～…-—_*\"'“”‘’()（）[]【】"


@register
class EndingParticleRule(_WordRule):
    """A sentence whose last character, emoticons and punctuation stripped, is a listed particle.

    Fills ``{match}`` (the particle).
    """

    kind = "ending-particle"
    description = "a sentence ending in a listed particle"
    lists = ("phrases",)
    required_lists = ("phrases",)

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.particles = {normalize_phrase(p) for p in spec.list("phrases")}
        # a sentence's last character is one of them
        self.finds_only_with = tuple(sorted(self.particles))

    def phrases(self) -> Iterable[tuple[str, str]]:
        return ()  # only the last character of a sentence matters

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        found: list[Finding] = []
        for number, sentence in enumerate(text.analysis.sentences):
            norm = sentence.norm.text.rstrip(_TRAILING_NOISE)
            if norm and norm[-1] in self.particles:
                found.append(self.finding_at(text, number, len(norm) - 1, len(norm)))
        return tuple(found)


_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNIT_HOURS = {
    "小时": 1,
    "天": 24,
    "日": 24,
    "工作日": 24,
    "周": 168,
    "星期": 168,
    "礼拜": 168,
    "月": 720,
}
_NUM = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十半]+)"
_UNIT_WORDS = "小时|工作日|天|日|周|星期|礼拜|月"
_UNIT = rf"(?:个)?(?:{_UNIT_WORDS})"
_AMOUNT = rf"(?P<low>{_NUM})(?:\s*[-~～到至]\s*(?P<high>{_NUM}))?\s*(?P<unit>{_UNIT})"
# "7天内发货", "4天后才能发出", "一周左右发货"
_NUMBER_FIRST = re.compile(
    rf"{_AMOUNT}\s*(?:之?内|之?后|以后|以内|左右|后)?\s*(?:才|再|就|会|能|可以|统一|陆续|安排|给您|帮您|开始|内)*\s*发(?:货|出|走)?"
)
# "发货时间是7天", "发货周期一般为一周"
_SHIP_FIRST = re.compile(rf"发货(?:时间|周期)\s*(?:是|为|大概|大约|一般|需要|要|在)*\s*{_AMOUNT}")
# Both patterns hold a unit: a quick scan for one keeps them off most sentences
# with 发 (the patterns, led by a number, are tried at every position). The
# units alone, without _UNIT's optional 个 in front: a text holds a match of
# one exactly when it holds a match of the other, and a pattern led by plain
# characters is scanned for three times as fast.
_ANY_UNIT = re.compile(_UNIT_WORDS)


def _number(text: str) -> float:
    if text[0].isdigit():
        return float(text)
    if text == "半":
        return 0.5
    if "十" in text:  # 十, 十五, 二十, 二十五
        tens, _, ones = text.partition("十")
        return float(
            (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
        )
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS.get(ch, 0)
    return float(value)


def promised_hours(match: re.Match[str]) -> float:
    """The latest shipping time a match promises, in hours (a range counts by its end)."""
    amount = match.group("high") or match.group("low")
    unit = match.group("unit").removeprefix("个")
    return _number(amount) * _UNIT_HOURS[unit]


@register
class ShippingDelayRule(_WordRule):
    """A shipping promise later than ``max_hours`` (numbers in digits or Chinese).

    Fills ``{match}`` and ``{max_hours}``. Fixed phrases (下周发货 …) always
    count; ``unless_session`` words (预售, 定制) anywhere in the session exempt it.
    """

    kind = "shipping-delay"
    description = "a promise to ship later than max_hours"
    lists = ("phrases", "unless_session")
    params: ClassVar[dict[str, ParamSpec]] = {
        "max_hours": ParamSpec((int, float), 72, "the latest allowed shipping time in hours"),
    }

    # a listed phrase (a hit), or a sentence with 发 that a pattern matches
    finds_only_with = ("发",)

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.max_hours = self.param("max_hours")

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        max_hours = self.max_hours
        hits = [h for h in text.hits.get(self.code, ()) if h.list == "phrases"]
        for number, sentence in enumerate(text.analysis.sentences):
            norm = sentence.norm.text
            if "发" not in norm or _ANY_UNIT.search(norm) is None:
                continue
            for pattern in (_NUMBER_FIRST, _SHIP_FIRST):
                for m in pattern.finditer(norm):
                    if promised_hours(m) > max_hours:
                        hits.append(PhraseHit(number, m.start(), m.end(), "phrases", m.group()))
        if not hits:
            return ()
        return tuple(
            self.finding_at(text, h.sentence, h.start, h.end, max_hours=max_hours)
            for h in longest_first(hits)
        )

    def kept(
        self, ctx: SessionContext, found: list[tuple[int, tuple[Finding, ...]]]
    ) -> list[tuple[int, tuple[Finding, ...]]]:
        return [] if self.session_exempt(ctx) else found
