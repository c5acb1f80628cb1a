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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cslint.model import Message, Role, Session, Severity, Violation
from cslint.text.analysis import TextAnalysis


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


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A phrase of a rule's list found in one sentence of a message.

    ``start``/``end`` index the sentence's *normalized* text; use
    :meth:`SessionContext.raw_span` for the span in the original message.
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


class SessionContext:
    """What a rule sees of one session: messages, lazy text analyses, phrase hits."""

    def __init__(
        self,
        session: Session,
        shop: ShopFacts,
        analyze: Callable[[str], TextAnalysis],
        find_hits: Callable[[TextAnalysis], Mapping[str, tuple[PhraseHit, ...]]],
    ) -> None:
        self.session = session
        self.messages: tuple[Message, ...] = session.messages
        self.shop = shop
        self._analyze = analyze
        self._find_hits = find_hits
        self._analyses: dict[int, TextAnalysis] = {}
        self._hits: dict[int, Mapping[str, tuple[PhraseHit, ...]]] = {}
        self._with_hits: dict[str, list[int]] | None = None
        self._timeline: list[int] | None = None
        self._by_role: dict[Role, list[int]] = {}
        self.primary_agent: str | None = primary_agent(session.messages)

    def timeline(self) -> list[int]:
        """The non-system messages in canonical order (see :func:`cslint.rules.timing.timeline`).

        Computed once per session: the timing, flow, ratio and leak rules all
        walk it.
        """
        if self._timeline is None:
            from cslint.rules.timing import timeline

            self._timeline = timeline(self.messages)
        return self._timeline

    def with_hits(self, code: str) -> list[int]:
        """The agent messages holding a hit of rule ``code``'s lists.

        Built once per session over agent messages only, so a phrase rule
        visits just the messages it has something to say about, and buyer
        messages are analysed only when a rule asks for their context.
        """
        if self._with_hits is None:
            index: dict[str, list[int]] = {}
            for i, m in enumerate(self.messages):
                if m.role is Role.AGENT:
                    for hit_code in self._all_hits(i):
                        index.setdefault(hit_code, []).append(i)
            self._with_hits = index
        return self._with_hits.get(code, [])

    # -- text -------------------------------------------------------------
    def analysis(self, index: int) -> TextAnalysis:
        """The text analysis of message ``index`` (computed once, on demand)."""
        found = self._analyses.get(index)
        if found is None:
            found = self._analyze(self.messages[index].text)
            self._analyses[index] = found
        return found

    def _all_hits(self, index: int) -> Mapping[str, tuple[PhraseHit, ...]]:
        per_rule = self._hits.get(index)
        if per_rule is None:
            per_rule = self._find_hits(self.analysis(index))
            self._hits[index] = per_rule
        return per_rule

    def hits(self, index: int, code: str) -> tuple[PhraseHit, ...]:
        """Every hit of rule ``code``'s phrase lists in message ``index``."""
        return self._all_hits(index).get(code, ())

    def has(self, index: int, code: str, list_name: str) -> bool:
        """Whether message ``index`` contains any phrase of ``code``'s list."""
        return any(h.list == list_name for h in self.hits(index, code))

    def raw_span(self, index: int, hit: PhraseHit) -> tuple[int, int]:
        """The span of ``hit`` in the original text of message ``index``."""
        sentence = self.analysis(index).sentences[hit.sentence]
        return sentence.norm.raw_span(hit.start, hit.end)

    # -- selection helpers -------------------------------------------------
    def indexes(self, role: Role) -> list[int]:
        """The messages of ``role``, in session order (computed once per role: every
        wording rule asks for the agent's). Callers must not modify the list."""
        found = self._by_role.get(role)
        if found is None:
            found = [i for i, m in enumerate(self.messages) if m.role is role]
            self._by_role[role] = found
        return found

    def non_system(self) -> list[int]:
        return [i for i, m in enumerate(self.messages) if m.role is not Role.SYSTEM]

    # -- results -----------------------------------------------------------
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
        Message-level violations belong to the sender; session-level ones to
        the session's primary agent.
        """
        if index is None:
            anchor = self.messages[0]
            agent = self.primary_agent
        else:
            anchor = self.messages[index]
            agent = anchor.sender if anchor.role is Role.AGENT else self.primary_agent
        return make_violation(
            spec,
            session=self.session,
            message=anchor,
            agent=agent,
            span=span if index is not None else None,
            suggestion=suggestion if suggestion is not None else spec.suggestion,
            text=anchor.text if index is not None else "",
            fields=fields,
        )


def make_violation(
    spec: RuleSpec,
    *,
    session: Session,
    message: Message,
    agent: str | None,
    span: tuple[int, int] | None,
    suggestion: str | None,
    text: str,
    fields: Mapping[str, Any],
) -> Violation:
    """Build a :class:`Violation`; used by rules that report outside a context."""
    return Violation(
        code=spec.code,
        name=spec.name,
        severity=spec.severity,
        points=spec.points,
        message=format_message(spec.message, fields),
        suggestion=format_message(suggestion, fields) if suggestion else None,
        file=message.file,
        line=message.line,
        session=session.id,
        buyer=session.buyer,
        agent=agent,
        time=message.time,
        text=text,
        span=span,
        shop=session.shop,
    )


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_message(template: str, fields: Mapping[str, Any]) -> str:
    """``str.format_map`` that leaves unknown placeholders untouched."""
    try:
        return template.format_map(_KeepMissing(fields))
    except (ValueError, IndexError):  # a stray brace in a shop's message
        return template


def primary_agent(messages: Sequence[Message]) -> str | None:
    """The agent with most messages in the session; the first one on a tie."""
    counts: dict[str, int] = {}
    for m in messages:
        if m.role is Role.AGENT:
            counts[m.sender] = counts.get(m.sender, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return next(a for a, n in counts.items() if n == best)  # dicts keep first-seen order


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

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec

    @property
    def code(self) -> str:
        return self.spec.code

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

    def finish(self, observations: Sequence[Any]) -> Iterable[Violation]:
        """Violations that need every session of the run (in session order)."""
        return ()


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
