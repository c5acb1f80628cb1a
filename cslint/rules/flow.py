"""Flow rules (F001–F003): how a session ends, and how a returning buyer is met.

F001 and F002 look at one session. F003 needs the whole run (a buyer's
earlier session may sit in another file, or later in the same file): each
session yields a small :class:`ReturnObservation` from ``observe`` and
``finish`` decides which sessions are returns. Messages are read through
:func:`cslint.rules.timing.timeline` (time order, duplicates once, system
messages ignored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cslint.model import Message, Violation
from cslint.rules.base import (
    Anchor,
    Rule,
    RuleSpec,
    SessionContext,
    ShopFacts,
    format_message,
    register,
)
from cslint.rules.timing import AGENT, BUYER, session_timeline

__all__ = [
    "Closing",
    "LastWord",
    "ReturnObservation",
    "ReturningBuyer",
    "fill_fields",
    "is_bot",
]

_TIME = "%Y-%m-%d %H:%M:%S"
_SENDERS = 4_096  # senders F003 remembers is_bot's answer for


def is_bot(message: Message, shop: ShopFacts) -> bool:
    """Whether an agent message is an auto-reply (``店铺:服务助手`` or a configured bot)."""
    account = message.sender.rsplit(":", 1)[-1].strip()
    return account in shop.bot_names or message.sender in shop.bot_names


@register
class LastWord(Rule):
    """F001: the session's last non-system message is the buyer's.

    A buyer message and an agent message stamped in the same last second
    count as the agent answering. Anchor: the last buyer message.
    Placeholders: none.
    """

    kind = "last-word"
    description = "The session's last non-system message is the buyer's."

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        line = session_timeline(ctx)
        if not line.roles.endswith(BUYER):
            return []
        return [ctx.violation(self.spec, line[-1])]


@register
class Closing(Rule):
    """F002: the session's last agent message has no closing phrase (list
    ``phrases``).

    Only sessions in which the buyer wrote and an agent answered: a buyer who
    never got an answer is T001/F001's business, and a one-way agent notice is
    not a conversation to close. When several agent messages share the last
    agent timestamp, a closing in any of them is enough.
    Anchor: the last agent message. Placeholders: none.
    """

    kind = "closing"
    description = "The session's last agent message has no closing phrase."
    lists = ("phrases",)
    required_lists = ("phrases",)

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        line = session_timeline(ctx)
        roles, times = line.roles, line.times
        pos = roles.rfind(AGENT)
        if pos < 0 or BUYER not in roles:
            return []  # no agent answered, or the buyer never wrote
        last = line[pos]
        # the agent messages of that last second sit just before it (time order)
        second = times[pos]
        while pos >= 0 and times[pos] == second:
            if roles[pos] == AGENT and ctx.hits(line[pos], self.code):  # one list: closings
                return []
            pos -= 1
        return [ctx.violation(self.spec, last)]


@dataclass(slots=True, unsafe_hash=True)  # one per session: not frozen, like Violation
class ReturnObservation:
    """What F003 keeps of one session: who, when, and where to report if the
    session turns out to be a return (None when the agent recognised the buyer)."""

    shop: str | None
    buyer: str
    start: datetime
    candidate: Anchor | None


@register
class ReturningBuyer(Rule):
    """F003: the buyer (same shop, same buyer ID; a session whose shop is
    unknown matches any shop) has a session that started earlier in the run,
    and the agent's first message of this session neither names the buyer
    (their nick, case-insensitive) nor marks the return (list ``phrases``:
    上次 再次 又来 欢迎回来 老客户 老顾客 …).

    An auto-reply cannot tell old from new buyers (seed 000 lets new buyers
    get the auto-reply), so when the first agent message is an auto-reply the
    first message of a human agent is checked as well; either one recognising
    the buyer is enough. Sessions with only system messages are not sessions
    of the buyer for this rule. Sessions that start in the same second as the
    buyer's earliest one are not returns.

    Anchor: the first human agent message (the first agent message when only
    auto-replies answered; the buyer's first message when no agent wrote).
    Placeholders: ``{buyer}`` (the nick), ``{first_visit}`` (start of the
    buyer's earliest session, filled in at the end of the run).
    """

    kind = "returning-buyer"
    description = (
        "The buyer has an earlier session in the same run, and the agent's first message "
        "of this session neither names the buyer nor marks the return."
    )
    lists = ("phrases",)
    finishes_per_buyer = True  # a return is a buyer's earlier session

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        # is_bot's answers by sender, for the shop facts they were asked with:
        # every session asks about its first agent (a split and a strip each
        # time, twice what a lookup costs), and a shop has a handful of accounts
        self._bots: dict[str, bool] = {}
        self._bots_of: ShopFacts | None = None

    def _is_bot(self, message: Message, shop: ShopFacts) -> bool:
        """:func:`is_bot`, remembered by sender."""
        if shop is not self._bots_of:
            self._bots, self._bots_of = {}, shop
        known = self._bots.get(message.sender)
        if known is None:
            if len(self._bots) >= _SENDERS:
                self._bots.clear()  # bounded, whatever the input's senders
            known = self._bots[message.sender] = is_bot(message, shop)
        return known

    def observe(self, ctx: SessionContext) -> ReturnObservation | None:
        line = session_timeline(ctx)
        if not line:
            return None
        msgs = ctx.messages
        session = ctx.session
        agents = line.agents
        first_agent = first_human = agents[0] if agents else None
        if first_agent is not None and self._is_bot(msgs[first_agent], ctx.shop):
            first_human = next((i for i in agents[1:] if not self._is_bot(msgs[i], ctx.shop)), None)
        nick = session.buyer.strip().casefold()
        if first_agent is not None and (
            self._recognises(ctx, first_agent, nick)
            or (
                first_human is not None
                and first_human != first_agent
                and self._recognises(ctx, first_human, nick)
            )
        ):
            candidate = None
        else:
            anchor = first_human if first_human is not None else first_agent
            # with no agent message, the timeline is the buyer's alone
            candidate = ctx.anchor(anchor if anchor is not None else line[0])
        return ReturnObservation(session.shop, session.buyer, line.times[0], candidate)

    def _recognises(self, ctx: SessionContext, index: int, nick: str) -> bool:
        if len(nick) >= 2 and nick in ctx.messages[index].text.casefold():  # "a" names nobody
            return True
        return bool(ctx.hits(index, self.code))  # the kind's one list: return phrases

    def finish(self, observations: Iterable[Any]) -> Iterable[Violation]:
        # Two passes over the observations; the only state is one start time
        # per (shop, buyer). A session whose shop is unknown (an export with no
        # shop name in it) matches the buyer's sessions in any shop.
        first: dict[tuple[str | None, str], datetime] = {}
        anywhere: dict[str, datetime] = {}
        for obs in observations:
            if isinstance(obs, ReturnObservation):
                _keep_min(first, (obs.shop, obs.buyer), obs.start)
                _keep_min(anywhere, obs.buyer, obs.start)
        found: list[Violation] = []
        for obs in observations:
            if not isinstance(obs, ReturnObservation) or obs.candidate is None:
                continue
            if obs.shop is None:
                earliest = anywhere[obs.buyer]
            else:
                earliest = first[(obs.shop, obs.buyer)]  # the first pass saw this session
                unknown_shop = first.get((None, obs.buyer))
                if unknown_shop is not None and unknown_shop < earliest:
                    earliest = unknown_shop
            if obs.start > earliest:
                violation = obs.candidate.violation(self.spec, buyer=obs.buyer)
                found.append(fill_fields(violation, first_visit=earliest.strftime(_TIME)))
        return found


def _keep_min(table: dict[Any, datetime], key: Any, value: datetime) -> None:
    known = table.get(key)
    if known is None or value < known:
        table[key] = value


def fill_fields(violation: Violation, **fields: Any) -> Violation:
    """Fill placeholders that only the end of the run knows."""
    return replace(
        violation,
        message=format_message(violation.message, fields),
        suggestion=(format_message(violation.suggestion, fields) if violation.suggestion else None),
    )
