"""The contract between the engine and the rule kinds.

A *rule kind* is a Python class (``phrase``, ``negation``, ``first-response``
…); a *rule* is an instance of a kind configured by a ruleset entry
(:class:`RuleSpec`: code, points, phrase lists, parameters). Adding a
forbidden phrase is a line in a ruleset; adding a kind is a class here.

Per session the engine builds one :class:`SessionContext` and calls
``check(ctx)`` on every rule. Rules that need the whole run (a buyer's earlier
sessions, personal data seen in other sessions) return small picklable
observations from ``observe(ctx)`` and turn them into violations in
``finish(observations)`` once every session has been seen.

What a rule reads of a text (its analysis, its phrase hits, and for message
rules the :class:`Finding` s the text alone yields) is computed once per
distinct text of the run and kept in a bounded :class:`TextCache`; the
session's own part (exemptions by earlier messages, shop facts, who sent
it) is applied per message afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice
from operator import lt
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

from cslint.model import Message, Role, Session, Severity, Violation
from cslint.text.analysis import TextAnalysis

# Agents send the same canned replies (快捷短语) over and over: analysing a
# text once (normalization, sentences, phrase hits, what each message rule
# finds) and reusing it is the cheapest speed-up there is. Bounded, so memory
# stays flat on a week of logs.
TEXT_CACHE_SIZE = 16_384


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """A parameter a kind accepts, with its type and default."""

    type: type | tuple[type, ...]
    default: Any
    help: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the ruleset (merged with the shop's overrides) defines it."""

    code: str
    name: str
    kind: str
    severity: Severity
    points: int
    max_deductions: int
    message: str
    description: str
    source: str
    suggestion: str | None
    lists: Mapping[str, tuple[str, ...]]  # "phrases", "whitelist", "unless_sentence", ...
    replacements: Mapping[str, str]
    params: Mapping[str, Any]
    origin: str = ""  # the ruleset file that defined the rule
    # a hit of this rule inside a hit of one of these rules, in the same
    # message, is not reported (W002's 不知道 inside W001's 我也不知道)
    yield_to: tuple[str, ...] = ()

    def list(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())


class PhraseHit(NamedTuple):
    """A phrase of a rule's list found in one sentence of a message.

    ``start``/``end`` index the sentence's *normalized* text; the sentence's
    ``norm.raw_span`` gives the span in the original message.

    A named tuple: the phrase search makes tens of thousands of them, and a
    tuple is built several times faster than a frozen dataclass.
    """

    sentence: int
    start: int
    end: int
    list: str
    phrase: str


@dataclass(frozen=True)
class ShopFacts:
    """What a shop declares about itself in its config (``[shop]``)."""

    names: tuple[str, ...] = ()
    bot_names: tuple[str, ...] = ("服务助手",)
    free_shipping: bool = False
    free_shipping_from: Any = None  # datetime.date | None
    free_shipping_until: Any = None  # datetime.date | None


@dataclass(frozen=True, slots=True)
class Finding:
    """What a message-level rule finds in a text on its own: the raw span, and
    the rule's message and suggestion with their placeholders filled.

    Found once per distinct text (:meth:`SessionContext.findings`); the
    session decides afterwards which findings become violations.
    """

    span: tuple[int, int]
    message: str
    suggestion: str | None

    @classmethod
    def of(
        cls,
        spec: RuleSpec,
        span: tuple[int, int],
        suggestion: str | None = None,
        **fields: Any,
    ) -> Finding:
        """A finding of ``spec``, filled as :meth:`SessionContext.violation` fills a violation."""
        chosen = suggestion if suggestion is not None else spec.suggestion
        return cls(
            span,
            format_message(spec.message, fields),
            format_message(chosen, fields) if chosen else None,
        )


#: what a message-level rule finds in one text on its own
Finder = Callable[["TextFacts"], tuple[Finding, ...]]
_NOTHING_FOUND: Mapping[str, tuple[Finding, ...]] = MappingProxyType({})
_NO_HITS: Mapping[str, tuple[PhraseHit, ...]] = MappingProxyType({})


def _joined_sentences(analysis: TextAnalysis) -> str:
    """The normalized sentences of a text, one string to search for a finder's
    needed strings (:attr:`TextRule.finds_only_with`). They are joined by a
    line break, which no sentence holds: a string found across it only costs
    the finder's call."""
    sentences = analysis.sentences
    if len(sentences) == 1:
        return sentences[0].norm.text
    return "\n".join([s.norm.text for s in sentences])


class TextFacts:
    """One distinct text as the rules read it: its analysis, its phrase hits and
    what the message-level rules find in it.

    Each part is computed on first use and then shared by every message with
    the same text, in every session of the run (through :class:`TextCache`):
    canned replies make most agent texts repeats. Read-only for rules.
    """

    __slots__ = ("_analysis", "_found", "_found_by", "_hits", "_source", "marks", "text")

    def __init__(self, text: str, source: TextCache) -> None:
        self.text = text
        self._source = source
        self._analysis: TextAnalysis | None = None
        self._hits: Mapping[str, tuple[PhraseHit, ...]] | None = None
        self._found: dict[str, tuple[Finding, ...]] | None = None  # most texts: none
        self._found_by = 0  # how many of the cache's finders have run
        #: yes/no answers about the text that session rules keep here, by rule
        #: code (S001/S002: whether it carries the marker), so that a canned
        #: reply is judged once for the run and read back with a dict lookup
        self.marks: dict[str, bool] = {}

    @property
    def analysis(self) -> TextAnalysis:
        found = self._analysis
        if found is None:
            found = self._analysis = self._source.analyze(self.text)
        return found

    @property
    def hits(self) -> Mapping[str, tuple[PhraseHit, ...]]:
        """Every rule's phrase hits, by rule code."""
        found = self._hits
        if found is None:
            found = self._hits = self._source.find_hits(self.analysis)
        return found

    def has(self, code: str, list_name: str) -> bool:
        """Whether the text contains a phrase of rule ``code``'s list ``list_name``."""
        return any(h.list == list_name for h in self.hits.get(code, ()))

    def found(self) -> Mapping[str, tuple[Finding, ...]]:
        """What each finder of the cache finds in the text, by rule code; rules
        that find nothing are left out (most texts: an empty mapping)."""
        if self._found_by < len(self._source.finders):  # finders registered since the last call
            self._find()
        return self._found or _NOTHING_FOUND

    def _find(self) -> None:
        """Run the finders registered since the last call."""
        source = self._source
        plan = source.plan()
        # a finder that finds nothing without a hit of its own is not called on
        # a text without one (most texts hold hits of two or three rules only),
        # nor one that also needs a string the text's sentences do not hold (most
        # agent texts hold no 不 for W002, no 发 for P005, no 啊/啦 for W004)
        hits = self.hits if source.hit_only or source.needs else _NO_HITS
        joined: str | None = None  # the normalized sentences, read once for all ``needs``
        for code, find, only_in_hits, needs in plan[self._found_by :]:
            if code not in hits:
                if only_in_hits:
                    continue
                if needs is not None:
                    if joined is None:
                        joined = _joined_sentences(self.analysis)
                    if needs.search(joined) is None:
                        continue
            found = find(self)
            if found:
                if self._found is None:
                    self._found = {}
                self._found[code] = found
        self._found_by = len(plan)


class TextCache:
    """Text → :class:`TextFacts`, bounded: the least recently used text goes first,
    so memory stays flat however long the run.

    ``finders`` are the message-level rules that have asked for their findings
    (:meth:`SessionContext.findings`), by code; codes are unique in a rule pack.
    ``hit_only`` are the codes of finders that find nothing in a text without
    a phrase hit of their own (:attr:`TextRule.finds_only_in_hits`): they are
    not called on such texts. ``needs`` finds, by code, one of the strings
    without which a finder finds nothing in a text without such a hit
    (:attr:`TextRule.finds_only_with`): it is not called on a text whose
    normalized sentences hold none of them and that has no hit of its own.
    """

    def __init__(
        self,
        analyze: Callable[[str], TextAnalysis],
        find_hits: Callable[[TextAnalysis], Mapping[str, tuple[PhraseHit, ...]]],
        size: int = TEXT_CACHE_SIZE,
    ) -> None:
        self.analyze = analyze
        self.find_hits = find_hits
        self.finders: dict[str, Finder] = {}
        self.hit_only: set[str] = set()
        self.needs: dict[str, re.Pattern[str]] = {}
        self._plan: tuple[tuple[str, Finder, bool, re.Pattern[str] | None], ...] = ()
        self.facts: Callable[[str], TextFacts] = lru_cache(maxsize=size)(self._new)

    def _new(self, text: str) -> TextFacts:
        return TextFacts(text, self)

    def plan(self) -> tuple[tuple[str, Finder, bool, re.Pattern[str] | None], ...]:
        """The finders in order of registration, each with whether it is in
        ``hit_only`` and its ``needs`` (rebuilt only when a finder was added since)."""
        plan = self._plan
        if len(plan) != len(self.finders):
            hit_only, needs = self.hit_only, self.needs
            plan = self._plan = tuple(
                (code, find, code in hit_only, needs.get(code))
                for code, find in self.finders.items()
            )
        return plan

    def register(self, rule: TextRule) -> None:
        """Run ``rule``'s ``find`` on every text whose findings are asked for."""
        self.finders[rule.code] = rule.find
        if rule.finds_only_in_hits:
            self.hit_only.add(rule.code)
        elif rule.finds_only_with is not None:
            if rule.finds_only_with:
                self.needs[rule.code] = re.compile("|".join(map(re.escape, rule.finds_only_with)))
            else:  # needs one of no strings: a hit of its own
                self.hit_only.add(rule.code)


_RANK = {Role.BUYER: 0, Role.AGENT: 1, Role.SYSTEM: 2}
# Role.AGENT is a lookup through the enum class (about 90 ns): the per-session
# and per-violation paths read these instead
_AGENT_ROLE, _SYSTEM = Role.AGENT, Role.SYSTEM
#: the letters of :attr:`Timeline.roles`
BUYER, AGENT = "b", "a"


class Timeline(list[int]):
    """The indexes :func:`timeline` returns, plus what the session rules read
    of each entry, taken in the same pass.

    ``roles`` has one letter per entry (:data:`BUYER` or :data:`AGENT`), so a
    rule finds "the first agent message" or "an agent message followed by the
    buyer's" with ``str.find`` instead of a Python loop over the messages;
    ``times`` are the entries' times and ``agents`` the agent entries'
    message indexes, in timeline order.
    """

    __slots__ = ("agents", "roles", "times")

    def __init__(
        self, indexes: Iterable[int], times: list[datetime], roles: str, agents: list[int]
    ) -> None:
        # extend, not super().__init__: the super() call cost more than the
        # rest of the constructor (one per session; the list is new and empty)
        self.extend(indexes)
        self.times = times
        self.roles = roles
        self.agents = agents

    @classmethod
    def of(cls, messages: Sequence[Message], indexes: list[int]) -> Timeline:
        """The non-system messages ``indexes`` of ``messages``, in that order."""
        return cls(
            indexes,
            [messages[i].time for i in indexes],
            "".join([AGENT if messages[i].role is Role.AGENT else BUYER for i in indexes]),
            [i for i in indexes if messages[i].role is Role.AGENT],
        )


def timeline(messages: Sequence[Message]) -> Timeline:
    """Indexes of the non-system messages of a session, in canonical order.

    Canonical order is ``(time, buyer before agent, sender, text)``, so rows
    with the same timestamp give the same result whatever their order in the
    file. An exact duplicate row (same time, role, sender and text: an export
    copied twice, a row repeated) counts once; the first copy is kept.
    """
    return _scan(messages)[0]


def _scan(messages: Sequence[Message]) -> tuple[Timeline, list[int], dict[str, int], int]:
    """:func:`timeline`, and from the same pass the agent messages (in session
    order, duplicate rows included), each agent's number of messages (in
    order of their first) and the buyer's."""
    # The usual session has no system message and strictly increasing times
    # (sessionize sorts by time): then the timeline is every message in file
    # order, read off with comprehensions and C-level checks, not a loop
    # with a branch per message (the same result as _scan_loop).
    roles = [m.role for m in messages]
    if _SYSTEM in roles:
        return _scan_loop(messages)
    times = [m.time for m in messages]
    if not all(map(lt, times, islice(times, 1, None))):
        return _scan_loop(messages)
    agents = [i for i, role in enumerate(roles) if role is _AGENT_ROLE]
    per_agent: dict[str, int] = {}
    for i in agents:
        sender = messages[i].sender
        per_agent[sender] = per_agent.get(sender, 0) + 1
    letters = "".join([AGENT if role is _AGENT_ROLE else BUYER for role in roles])
    line = Timeline(range(len(roles)), times, letters, agents)
    return line, agents, per_agent, len(roles) - len(agents)


def _scan_loop(messages: Sequence[Message]) -> tuple[Timeline, list[int], dict[str, int], int]:
    """:func:`_scan` for any session (system messages, ties, times out of order)."""
    # One pass; when the non-system messages' times strictly increase there is
    # nothing to order and no duplicate (duplicates share a time), else the
    # timeline is put in canonical order (_canonical).
    kept: list[int] = []
    times: list[datetime] = []
    roles: list[str] = []
    agents: list[int] = []
    per_agent: dict[str, int] = {}
    buyer_messages = 0
    ordered = True
    last: datetime | None = None
    for i, m in enumerate(messages):
        role = m.role
        if role is Role.AGENT:
            agents.append(i)
            per_agent[m.sender] = per_agent.get(m.sender, 0) + 1
            roles.append(AGENT)
        elif role is Role.BUYER:
            buyer_messages += 1
            roles.append(BUYER)
        else:
            continue
        time = m.time
        if last is not None and time <= last:
            ordered = False  # a tie, or out of order
        last = time
        kept.append(i)
        times.append(time)
    if ordered:
        line = Timeline(kept, times, "".join(roles), agents)
    else:
        line = Timeline.of(messages, _canonical(messages))
    return line, agents, per_agent, buyer_messages


def _canonical(messages: Sequence[Message]) -> list[int]:
    """:func:`timeline` for sessions with ties or out-of-order times."""
    seen: set[tuple[datetime, Role, str, str]] = set()
    kept: list[int] = []
    for i, m in enumerate(messages):
        if m.role is Role.SYSTEM:
            continue
        key = (m.time, m.role, m.sender, m.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(i)
    kept.sort(
        key=lambda i: (
            messages[i].time,
            _RANK[messages[i].role],
            messages[i].sender,
            messages[i].text,
        )
    )
    return kept


class SessionContext:
    """What a rule sees of one session: messages, lazy text analyses, phrase hits.

    The agent messages, the primary agent and the timeline come from one pass over the messages;
    a message's :class:`TextFacts` are looked up once, on first use. The
    engine passes its run-wide ``texts`` cache; without one, the context
    keeps its own over ``analyze`` and ``find_hits``.
    """

    def __init__(
        self,
        session: Session,
        shop: ShopFacts,
        analyze: Callable[[str], TextAnalysis],
        find_hits: Callable[[TextAnalysis], Mapping[str, tuple[PhraseHit, ...]]],
        *,
        texts: TextCache | None = None,
    ) -> None:
        self.session = session
        self.messages: tuple[Message, ...] = session.messages
        self.shop = shop
        self._cache = texts if texts is not None else TextCache(analyze, find_hits)
        self._texts = self._cache.facts
        self._facts: list[TextFacts | None] = [None] * len(self.messages)
        # by rule code, the agent messages with findings; built for _found_by finders
        self._found: dict[str, list[tuple[int, tuple[Finding, ...]]]] | None = None
        self._found_by = 0
        # One pass over the messages for what every session needs: the agent
        # messages and their senders, the buyer's count and the timeline.
        line, agents, per_agent, buyer_messages = _scan(self.messages)
        self._timeline: list[int] = line
        self._by_role: dict[Role, list[int]] = {_AGENT_ROLE: agents}
        #: the number of messages of each agent, in order of their first message
        self.agent_messages: Mapping[str, int] = per_agent
        #: the number of the buyer's messages (duplicate rows counted)
        self.buyer_messages = buyer_messages
        #: the agent with most messages in the session; the first one on a tie
        self.primary_agent: str | None = (
            max(per_agent, key=per_agent.__getitem__) if per_agent else None
        )

    def timeline(self) -> list[int]:
        """The non-system messages in canonical order: a :class:`Timeline`
        (see :func:`timeline`), built with the context. The timing, flow,
        ratio and leak rules all walk it."""
        return self._timeline

    # -- text -------------------------------------------------------------
    def facts(self, index: int) -> TextFacts:
        """The shared :class:`TextFacts` of message ``index``'s text."""
        found = self._facts[index]
        if found is None:
            found = self._facts[index] = self._texts(self.messages[index].text)
        return found

    def analysis(self, index: int) -> TextAnalysis:
        """The text analysis of message ``index`` (computed once per text, on demand)."""
        return self.facts(index).analysis

    def hits(self, index: int, code: str) -> tuple[PhraseHit, ...]:
        """Every hit of rule ``code``'s phrase lists in message ``index``."""
        return self.facts(index).hits.get(code, ())

    def session_has(self, code: str, list_name: str) -> bool:
        """Whether any non-system message of the session contains a phrase of ``code``'s list."""
        return any(
            self.facts(i).has(code, list_name)
            for i, m in enumerate(self.messages)
            if m.role is not Role.SYSTEM
        )

    def findings(self, code: str, find: Finder) -> list[tuple[int, tuple[Finding, ...]]]:
        """The agent messages in which rule ``code`` finds something by their text
        alone, with what it finds, in session order.

        ``find`` runs once per distinct text, together with the other text
        rules' (their results are kept with the text's facts), so a canned
        reply is judged once for the whole run and a session costs one pass
        over its agent messages for all of them. The rule then applies what
        depends on the session (exemptions, shop facts) and reports with
        :meth:`report`. Callers must not modify the list.
        """
        finders = self._cache.finders
        if code not in finders:  # not registered by an engine (a context of its own)
            finders[code] = find
        return self.found_codes().get(code, [])

    def found_codes(self) -> Mapping[str, list[tuple[int, tuple[Finding, ...]]]]:
        """By rule code, what :meth:`findings` returns, for the rules that find
        something in the session's agent messages (text rules not listed find
        nothing here)."""
        index = self._found
        finders = self._cache.finders
        if index is None or self._found_by < len(finders):
            index = {}
            for i in self._by_role[_AGENT_ROLE]:
                by_code = self.facts(i).found()
                if not by_code:
                    continue  # most texts: nothing found (an empty mapping, no items to walk)
                for found_code, found in by_code.items():
                    index.setdefault(found_code, []).append((i, found))
            self._found, self._found_by = index, len(finders)
        return index

    # -- selection helpers -------------------------------------------------
    def indexes(self, role: Role) -> list[int]:
        """The messages of ``role``, in session order (computed once per role: every
        wording rule asks for the agent's). Callers must not modify the list."""
        found = self._by_role.get(role)
        if found is None:
            found = [i for i, m in enumerate(self.messages) if m.role is role]
            self._by_role[role] = found
        return found

    # -- results -----------------------------------------------------------
    def anchor(self, index: int | None) -> Anchor:
        """Where a violation at message ``index`` (the session when None) is reported.

        Message-level violations belong to the sender when an agent sent it;
        the rest (and session-level ones) to the session's primary agent.
        """
        s = self.session
        if index is None:
            m = self.messages[0]
            return Anchor(s.id, s.buyer, s.shop, self.primary_agent, m.file, m.line, m.time, "")
        m = self.messages[index]
        agent = m.sender if m.role is _AGENT_ROLE else self.primary_agent
        return Anchor(s.id, s.buyer, s.shop, agent, m.file, m.line, m.time, m.text)

    def report(self, spec: RuleSpec, index: int, finding: Finding) -> Violation:
        """The violation of ``spec`` that ``finding`` makes at message ``index``
        (the same as :meth:`violation` with the finding's span and fields)."""
        return self._build(spec, index, finding.span, finding.message, finding.suggestion)

    def violation(
        self,
        spec: RuleSpec,
        index: int | None,
        *,
        span: tuple[int, int] | None = None,
        suggestion: str | None = None,
        **fields: Any,
    ) -> Violation:
        """A violation of ``spec`` at message ``index`` (or the session when None).

        ``fields`` fill the placeholders of the rule's message template
        (``{match}``, ``{seconds}``…); a missing placeholder is left as is.
        Attribution: :meth:`anchor`.
        """
        chosen = suggestion if suggestion is not None else spec.suggestion
        return self._build(
            spec,
            index,
            span if index is not None else None,
            format_message(spec.message, fields),
            format_message(chosen, fields) if chosen else None,
        )

    def _build(
        self,
        spec: RuleSpec,
        index: int | None,
        span: tuple[int, int] | None,
        message: str,
        suggestion: str | None,
    ) -> Violation:
        # one place attributes a violation (anchor) and one builds it (Anchor.build);
        # the anchor object costs about 1 µs, 20 ms per 100k messages
        return self.anchor(index).build(spec, span, message, suggestion)


@dataclass(slots=True, unsafe_hash=True)  # not frozen, for speed, like Violation
class Anchor:
    """The message a violation is reported on, attributed (:meth:`SessionContext.anchor`).

    Run-level rules keep anchors instead of built violations: most candidates
    are never reported (a buyer's first session is no return), and an anchor
    holds only references where a violation also holds its formatted message.
    """

    session: str
    buyer: str
    shop: str | None
    agent: str | None
    file: str
    line: int
    time: datetime
    text: str

    def violation(
        self,
        spec: RuleSpec,
        span: tuple[int, int] | None = None,
        suggestion: str | None = None,
        **fields: Any,
    ) -> Violation:
        """The violation of ``spec`` here, its message (and ``suggestion``, else the
        rule's) filled with ``fields``."""
        chosen = suggestion if suggestion is not None else spec.suggestion
        return self.build(
            spec,
            span,
            format_message(spec.message, fields),
            format_message(chosen, fields) if chosen else None,
        )

    def build(
        self, spec: RuleSpec, span: tuple[int, int] | None, message: str, suggestion: str | None
    ) -> Violation:
        """The violation of ``spec`` here with ``message`` and ``suggestion`` as given."""
        return Violation(  # positional: a third cheaper than by keyword
            spec.code,
            spec.name,
            spec.severity,
            spec.points,
            message,
            suggestion,
            self.file,
            self.line,
            self.session,
            self.buyer,
            self.agent,
            self.time,
            self.text,
            span,
            self.shop,
        )


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_message(template: str, fields: Mapping[str, Any]) -> str:
    """``str.format_map`` that leaves unknown placeholders untouched."""
    if "{" not in template and "}" not in template:
        return template  # most messages have no placeholder ("}}" would format to "}")
    try:
        return template.format_map(_KeepMissing(fields))
    except (ValueError, IndexError):  # a stray brace in a shop's message
        return template


class Rule:
    """Base class of every rule kind.

    Subclasses set ``kind``, the phrase ``lists`` they read (``required_lists``
    must be non-empty in the ruleset) and the ``params`` they accept. The
    loader rejects unknown lists and parameters and fills defaults.
    """

    kind: ClassVar[str] = ""
    description: ClassVar[str] = ""
    lists: ClassVar[tuple[str, ...]] = ()
    required_lists: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[Mapping[str, ParamSpec]] = {}
    #: message rules look at one message on their own (``cslint phrases`` runs them)
    message_level: ClassVar[bool] = False
    #: ``finish`` needs only the observations of one buyer's sessions at a time:
    #: a worker of a parallel run, which checks every session of its buyers,
    #: can finish the rule for them (:meth:`cslint.streaming.RunInProgress.finish_buyers`)
    finishes_per_buyer: ClassVar[bool] = False

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self.code = spec.code  # read for every session and message: a plain attribute

    def param(self, name: str) -> Any:
        if name in self.spec.params:
            return self.spec.params[name]
        return type(self).params[name].default

    def judges_one_message(self) -> bool:
        """Whether the rule judges a message on its own (``cslint phrases`` runs these)."""
        return self.message_level

    def phrases(self) -> Iterable[tuple[str, str]]:
        """``(list_name, phrase)`` pairs the engine puts in the pack's automaton.

        Conjunctions written ``a&b`` in a list register each part.
        """
        for list_name in self.lists:
            for entry in self.spec.list(list_name):
                for part in entry.split("&"):
                    yield list_name, part

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        """Violations found in one session."""
        return ()

    def observe(self, ctx: SessionContext) -> Any:
        """Run-level data about one session for :meth:`finish` (picklable), or None."""
        return None

    def finish(self, observations: Iterable[Any]) -> Iterable[Violation]:
        """Violations that need every session of the run (in session order)."""
        return ()


class TextRule(Rule):
    """A rule that judges each agent message by its text, then by its place in the session.

    ``find`` reads one text alone and returns :class:`Finding` s; it runs
    once per distinct text of the run (:meth:`SessionContext.findings`).
    ``kept`` then drops what the session exempts, and ``check`` reports the
    rest. An engine registers its text rules with its :class:`TextCache` and
    skips ``check`` in sessions where a rule found nothing.
    """

    message_level: ClassVar[bool] = True
    #: ``find`` returns nothing for a text without a phrase hit of the rule:
    #: the text cache then skips the call on such texts (most of them)
    finds_only_in_hits: bool = False
    #: if not None, ``find`` returns nothing for a text without a phrase hit
    #: of the rule whose normalized sentences hold none of these strings: the
    #: text cache then skips the call on such texts
    finds_only_with: tuple[str, ...] | None = None

    def find(self, text: TextFacts) -> tuple[Finding, ...]:
        """What the rule finds in one agent text on its own."""
        raise NotImplementedError

    def kept(
        self, ctx: SessionContext, found: list[tuple[int, tuple[Finding, ...]]]
    ) -> list[tuple[int, tuple[Finding, ...]]]:
        """The messages' findings that the session does not exempt (all of them here)."""
        return found

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        found = ctx.findings(self.code, self.find)
        if not found:
            return []
        spec = self.spec
        return [
            ctx.report(spec, index, finding)
            for index, findings in self.kept(ctx, found)
            for finding in findings
        ]


@dataclass
class KindRegistry:
    """Rule kinds by name; filled by the ``@register`` decorator."""

    kinds: dict[str, type[Rule]] = field(default_factory=dict)

    def register(self, cls: type[Rule]) -> type[Rule]:
        if not cls.kind:
            raise TypeError(f"{cls.__name__} has no kind")
        if cls.kind in self.kinds:
            raise TypeError(f"kind {cls.kind!r} registered twice")
        self.kinds[cls.kind] = cls
        return cls


KINDS = KindRegistry()
register = KINDS.register
