"""Style-ratio rules (S001, S002): how many of a session's agent messages
carry an emoticon, or a friendly particle or smiley.

Both are session-level (``index=None``: the violation belongs to the
session's primary agent) and are evaluated only when the session has at least
``min_messages`` agent messages; auto-replies count as agent messages. Exact
duplicate rows count once (see :func:`cslint.rules.timing.timeline`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from cslint.model import Violation
from cslint.rules.base import ParamSpec, Rule, RuleSpec, SessionContext, TextFacts, register
from cslint.rules.timing import session_timeline

__all__ = ["EmoticonRatio", "ParticleRatio"]


def _percent(value: float) -> str:
    """``0.3`` → ``"30%"``, ``0.125`` → ``"12.5%"``."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


class _RatioRule(Rule):
    """A share of the session's agent messages that must carry a marker."""

    params: ClassVar[Mapping[str, ParamSpec]] = {
        "min_messages": ParamSpec(int, 3, "agent messages needed before the ratio is judged"),
        "min_ratio": ParamSpec((int, float), 0.3, "smallest acceptable share, 0–1"),
    }

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.min_messages = int(self.param("min_messages"))
        self.min_ratio = float(self.param("min_ratio"))
        self._limit = _percent(self.min_ratio)  # the same in every violation: formatted once

    def carries(self, text: TextFacts) -> bool:
        """Whether an agent message with this text carries the marker."""
        raise NotImplementedError

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        agents = session_timeline(ctx).agents
        total = len(agents)
        if total == 0 or total < self.min_messages:
            return []
        min_ratio = self.min_ratio
        count = 0
        code, facts, carries = self.code, ctx.facts, self.carries
        for i in agents:
            text = facts(i)
            marks = text.marks
            carried = marks.get(code)
            if carried is None:  # the first time the run sees the text
                carried = marks[code] = carries(text)
            if carried:
                count += 1
                if count / total >= min_ratio:
                    return []  # enough already: the messages left cannot lower the ratio
        # count/total is the double nearest the exact ratio, as min_ratio is the
        # double nearest its decimal: 3/10 vs 0.3 compares equal, never below.
        ratio = count / total
        if ratio >= min_ratio:
            return []
        return [
            ctx.violation(
                self.spec,
                None,
                count=count,
                total=total,
                ratio=_percent(ratio),
                min_ratio=self._limit,
                limit=self._limit,
                min_messages=self.min_messages,
            )
        ]


@register
class EmoticonRatio(_RatioRule):
    """S001: fewer than ``min_ratio`` of the session's agent messages carry an
    emoticon (Wangwang code, bracket code, emoji, kaomoji), in sessions with at
    least ``min_messages`` agent messages.

    Session-level. Placeholders: ``{count}`` (messages with an emoticon),
    ``{total}`` (agent messages), ``{ratio}`` (``20%``), ``{min_ratio}`` and
    ``{limit}`` (``30%``), ``{min_messages}``.
    """

    kind = "emoticon-ratio"
    description = (
        "In a session with at least min_messages agent messages, fewer than min_ratio of "
        "them carry an emoticon."
    )

    def carries(self, text: TextFacts) -> bool:
        return bool(text.analysis.has_emoticon)


@register
class ParticleRatio(_RatioRule):
    """S002: fewer than ``min_ratio`` of the session's agent messages carry a
    friendly particle (list ``phrases``: 亲 呵呵 哈 哦 呢 呀 哟, substring of
    the normalized sentences), a raw marker (``raw_markers``: ``~`` ``～``,
    looked up in the raw text because ``~`` ends a sentence) or any emoticon.

    Session-level. Placeholders: as S001 (``{count}`` counts messages with a
    particle, marker or emoticon).
    """

    kind = "particle-ratio"
    description = (
        "In a session with at least min_messages agent messages, fewer than min_ratio of "
        "them carry a friendly particle, a ~ or an emoticon."
    )
    lists = ("phrases",)
    params: ClassVar[Mapping[str, ParamSpec]] = {
        **_RatioRule.params,
        "raw_markers": ParamSpec(
            (list, tuple), ["~", "～"], "markers looked up in the raw text (~ splits sentences)"
        ),
    }

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.markers = tuple(m for m in self.param("raw_markers") if isinstance(m, str) and m)

    def carries(self, text: TextFacts) -> bool:
        raw = text.text
        for marker in self.markers:
            if marker in raw:
                return True
        if text.hits.get(self.code):  # the kind's one list: any hit is a particle
            return True
        return bool(text.analysis.has_emoticon)
