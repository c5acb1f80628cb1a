"""Run a :class:`~cslint.ruleset.RulePack` over sessions.

Per session: one :class:`SessionContext`, every rule's ``check``, then the
de-duplication of overlapping reports. Run-level rules hand in observations
that are turned into violations once every session has been seen
(``finish``); only then are sessions scored, since a returning-buyer or leak
violation found at the end still costs its session points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from cslint.model import AgentStats, Role, Session, SessionResult, Violation
from cslint.rules.base import (
    AGENT,
    BUYER,
    TEXT_CACHE_SIZE,
    Rule,
    SessionContext,
    TextCache,
    TextRule,
)
from cslint.rules.timing import session_timeline
from cslint.ruleset import RulePack
from cslint.scoring import score_session
from cslint.text.analysis import analyze


@dataclass(slots=True)
class SessionHead:
    """What scoring needs of a session once its messages are gone (not frozen:
    one per session, and a frozen dataclass pays a call per field)."""

    id: str
    buyer: str
    shop: str | None
    start: datetime
    end: datetime
    file: str
    line: int
    messages: int
    buyer_messages: int

    @classmethod
    def of(cls, s: Session, buyer_messages: int | None = None) -> SessionHead:
        """The head of ``s``; ``buyer_messages`` when already counted (a
        :class:`SessionContext` counts them in its pass over the messages)."""
        if buyer_messages is None:
            buyer_messages = sum(1 for m in s.messages if m.role is Role.BUYER)
        first = s.messages[0]
        return cls(
            s.id,
            s.buyer,
            s.shop,
            first.time,
            s.messages[-1].time,
            first.file,
            first.line,
            len(s.messages),
            buyer_messages,
        )


@dataclass
class SessionOutcome:
    """What checking one session produced, before run-level rules and scoring.

    It keeps no messages: a run holds one outcome per session until the end,
    so an outcome must stay small whatever the session's size.
    """

    session: SessionHead
    violations: list[Violation]
    agents: tuple[AgentStats, ...]
    first_response_s: float | None
    first_responder: str | None
    agent_last_word: bool
    primary_agent: str | None
    observations: dict[str, Any] = field(default_factory=dict)


class Engine:
    """Checks sessions with one rule pack; create one per run."""

    def __init__(self, pack: RulePack, text_cache_size: int = TEXT_CACHE_SIZE) -> None:
        self.pack = pack
        self.rules = list(pack.rules)
        self._yield_to = {r.code: set(r.spec.yield_to) for r in self.rules if r.spec.yield_to}
        self._order = {r.code: n for n, r in enumerate(self.rules)}
        # texts (analysis, phrase hits, text rules' findings) shared by every session
        self.texts = TextCache(analyze, pack.find_hits, text_cache_size)
        text_rules = [r for r in self.rules if isinstance(r, TextRule)]
        for r in text_rules:
            self.texts.register(r)
        self._text_rules = {r.code for r in text_rules}
        # only rules that override check/observe are called: the others return nothing
        self._checkers = [r for r in self.rules if type(r).check is not Rule.check]
        self._observers = [r for r in self.rules if type(r).observe is not Rule.observe]
        # most sessions give most text rules nothing to judge: a text rule is
        # called only in sessions where it found something (the order rules are
        # called in does not matter: _dedupe puts their violations in pack order)
        self._session_checkers = [r for r in self._checkers if r.code not in self._text_rules]
        self._text_checkers = {r.code: r for r in self._checkers if r.code in self._text_rules}

    def check_session(self, session: Session) -> SessionOutcome:
        ctx, violations, observations = self.judge(session)
        first_response_s, first_responder = _first_response(ctx)
        return SessionOutcome(
            SessionHead.of(session, ctx.buyer_messages),
            violations,
            _agent_stats(ctx),
            first_response_s,
            first_responder,
            _agent_last_word(ctx),
            ctx.primary_agent,
            observations,
        )

    def judge(self, session: Session) -> tuple[SessionContext, list[Violation], dict[str, Any]]:
        """The session's violations (de-duplicated) and its run-level rules'
        observations, with the context they were read from. A streaming run
        needs only these; :meth:`check_session` adds what the managers' tables read."""
        ctx = SessionContext(
            session, self.pack.shop, self.texts.analyze, self.texts.find_hits, texts=self.texts
        )
        found: list[Violation] = []
        for rule in self._session_checkers:
            found.extend(rule.check(ctx))
        text_checkers = self._text_checkers
        for code in ctx.found_codes():
            text_rule = text_checkers.get(code)
            if text_rule is not None:
                found.extend(text_rule.check(ctx))
        observations: dict[str, Any] = {}
        for rule in self._observers:
            seen = rule.observe(ctx)
            if seen is not None:
                observations[rule.code] = seen
        return ctx, self._dedupe(found), observations

    def _dedupe(self, found: list[Violation]) -> list[Violation]:
        """One report per span: the same span is reported by the first rule in
        pack order, and a rule with ``yield_to`` drops hits inside those rules' hits."""
        if len(found) < 2:
            return found
        places: set[tuple[str, int, tuple[int, int]]] = set()
        kept: list[Violation] = []
        order = self._order.get
        for v in sorted(found, key=lambda v: order(v.code, 0)):
            if v.span is not None:
                place = (v.file, v.line, v.span)
                if place in places:
                    continue
                places.add(place)
            kept.append(v)
        if self._yield_to and not self._yield_to.keys().isdisjoint(map(_code, kept)):
            kept = self._drop_yielded(kept)  # a rule that yields reported here
        return kept

    def _drop_yielded(self, kept: list[Violation]) -> list[Violation]:
        """``kept`` without the hits of a rule with ``yield_to`` that lie inside
        a hit of one of those rules (in the same message)."""
        present = set(map(_code, kept))
        # only the rules whose rules to yield to reported here too: W002 (不)
        # is common and yields to W001/P001/P003, which are rare, so most
        # sessions with a W002 hit (1 in 5 of all sessions) build no _Covers
        yielding = {
            code: reported
            for code in self._yield_to.keys() & present
            if (reported := self._yield_to[code] & present)
        }
        if not yielding:
            return kept
        # (a yielding rule's hit without a span is never inside another: _Covers says so)
        covers = _Covers(kept)
        return [v for v in kept if not covers.inside(v, yielding.get(v.code))]

    def finish(self, outcomes: Iterable[SessionOutcome]) -> list[Violation]:
        """Run-level violations from the observations of every session, in order."""
        seen: dict[str, list[Any]] = {}
        for o in outcomes:
            for code, observed in o.observations.items():
                seen.setdefault(code, []).append(observed)
        extra: list[Violation] = []
        for rule in self.rules:
            extra.extend(rule.finish(seen.get(rule.code, [])))
        return extra

    def run(
        self, sessions: Sequence[Session], jobs: int = 1
    ) -> tuple[list[SessionResult], list[Violation]]:
        """Check, finish and score every session; violations in report order.

        ``jobs > 1`` checks sessions in forked processes (:mod:`cslint.parallel`);
        the result is the same as with one.
        """
        from cslint.parallel import check_sessions

        outcomes = check_sessions(self, sessions, jobs)
        return self.score(outcomes, self.finish(outcomes))

    def score(
        self, outcomes: list[SessionOutcome], extra: list[Violation]
    ) -> tuple[list[SessionResult], list[Violation]]:
        by_session: dict[tuple[str | None, str], list[Violation]] = {}
        for v in extra:
            by_session.setdefault((v.shop, v.session), []).append(v)
        results: list[SessionResult] = []
        every: list[Violation] = []
        max_deductions = {r.code: r.spec.max_deductions for r in self.rules}
        for o in outcomes:
            s = o.session
            violations = o.violations + by_session.pop((s.shop, s.id), [])
            scored, deductions = score_session(violations, max_deductions)
            every.extend(scored)
            results.append(
                SessionResult(
                    id=s.id,
                    buyer=s.buyer,
                    shop=s.shop,
                    agent=o.primary_agent,
                    start=s.start,
                    end=s.end,
                    file=s.file,
                    line=s.line,
                    messages=s.messages,
                    agent_messages=sum(a.messages for a in o.agents),
                    buyer_messages=s.buyer_messages,
                    agents=o.agents,
                    first_response_s=o.first_response_s,
                    first_responder=o.first_responder,
                    agent_last_word=o.agent_last_word,
                    violations=tuple(scored),
                    deductions=deductions,
                    score=max(0, 100 - deductions),
                )
            )
        for leftover in by_session.values():  # a run-level rule named an unknown session
            every.extend(leftover)
        every.sort(key=Violation.sort_key)
        return results, every


_code = attrgetter("code")


class _Covers:
    """Answers "is this span inside a hit of rule X in the same message?" in
    O(log n): per (file, line, code), the spans sorted by start with a running
    maximum of their ends. (A message with thousands of findings made the
    all-pairs comparison take most of a minute.)"""

    def __init__(self, violations: Iterable[Violation]) -> None:
        spans: dict[tuple[str, int, str], list[tuple[int, int]]] = {}
        for v in violations:
            if v.span is not None:
                spans.setdefault((v.file, v.line, v.code), []).append(v.span)
        self._index: dict[tuple[str, int, str], tuple[list[int], list[int]]] = {}
        for key, found in spans.items():
            found.sort()
            ends: list[int] = []
            reach = -1
            for _, end in found:
                reach = max(reach, end)
                ends.append(reach)
            self._index[key] = ([s for s, _ in found], ends)

    def inside(self, v: Violation, codes: set[str] | None) -> bool:
        if not codes or v.span is None:
            return False
        start, end = v.span
        for code in codes:
            entry = self._index.get((v.file, v.line, code))
            if entry is None:
                continue
            starts, reach = entry
            n = bisect_right(starts, start)  # spans starting at or before ours
            if n and reach[n - 1] >= end:
                return True
        return False


def _agent_stats(ctx: SessionContext) -> tuple[AgentStats, ...]:
    with_emoticon: dict[str, int] = {}
    messages = ctx.messages
    facts = ctx.facts
    for i in ctx.indexes(Role.AGENT):
        if facts(i).analysis.has_emoticon:
            sender = messages[i].sender
            with_emoticon[sender] = with_emoticon.get(sender, 0) + 1
    return tuple(
        [
            AgentStats(agent, n, with_emoticon.get(agent, 0))
            for agent, n in ctx.agent_messages.items()
        ]
    )


def _first_response(ctx: SessionContext) -> tuple[float | None, str | None]:
    """Seconds from the buyer's opening message to the first agent reply, and who replied.

    Read off the session's timeline, as T001 reads it, so the managers' table
    and the rule never disagree about the same session.
    """
    line = session_timeline(ctx)
    roles = line.roles
    if not roles.startswith(BUYER):
        return None, None
    reply = roles.find(AGENT)
    if reply < 0:
        return None, None
    return (line.times[reply] - line.times[0]).total_seconds(), ctx.messages[line[reply]].sender


def _agent_last_word(ctx: SessionContext) -> bool:
    """Whether the last non-system message of the timeline (as F001 reads it) is an agent's."""
    return session_timeline(ctx).roles.endswith(AGENT)
