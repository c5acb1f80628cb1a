"""Timing rules (T001–T004): how fast and how attentively the shop answers.

Every timing rule reads the session through :func:`timeline`: the non-system
messages with exact duplicate rows dropped, in time order, a buyer message
before an agent message stamped in the same second. Sorting here (instead of
trusting the input order) makes the result independent of how rows with equal
timestamps were ordered in the file; system messages are ignored except that a
transfer (``Message.transfer``) is a handoff for T004. Decisions on odd input
are written down in ``docs/conversation-rules.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from cslint.model import Message, Role, Violation
from cslint.rules.base import ParamSpec, Rule, SessionContext, register

__all__ = [
    "AgentAway",
    "FirstResponse",
    "FollowUp",
    "Greeting",
    "fmt_number",
    "seconds_between",
    "timeline",
]

_NUMBER = (int, float)
_RANK = {Role.BUYER: 0, Role.AGENT: 1, Role.SYSTEM: 2}


def timeline(messages: Sequence[Message]) -> list[int]:
    """Indexes of the non-system messages of a session, in canonical order.

    Canonical order is ``(time, buyer before agent, sender, text)``, so rows
    with the same timestamp give the same result whatever their order in the
    file. An exact duplicate row (same time, role, sender and text: an export
    copied twice, a row repeated) counts once; the first copy is kept.
    """
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


def seconds_between(earlier: datetime, later: datetime) -> float:
    """``later - earlier`` in seconds."""
    return (later - earlier).total_seconds()


def fmt_number(value: float) -> str:
    """``6`` → ``"6"``, ``6.0`` → ``"6"``, ``2.5`` → ``"2.5"`` (for messages)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def buyer_opened(messages: Sequence[Message], line: Sequence[int]) -> bool:
    """Whether the session's first non-system message is the buyer's."""
    return bool(line) and messages[line[0]].role is Role.BUYER


@register
class FirstResponse(Rule):
    """T001: in a session opened by the buyer, the first agent message comes
    more than ``first_response_s`` after the buyer's first message, or never.

    Anchor: the buyer's first message. Placeholders: ``{seconds}`` (the
    response time, or ``未应答`` when no agent ever answered), ``{limit}``,
    ``{detail}`` (``首次响应用时 9 秒`` or ``买家始终未得到回复``).
    """

    kind = "first-response"
    description = (
        "In a session opened by the buyer, the first agent message comes more than "
        "first_response_s after the buyer's first message, or never."
    )
    params: ClassVar[Mapping[str, ParamSpec]] = {
        "first_response_s": ParamSpec(_NUMBER, 6, "seconds the first agent reply may take"),
    }

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        msgs = ctx.messages
        line = ctx.timeline()
        if not buyer_opened(msgs, line):
            return []
        limit = float(self.param("first_response_s"))
        first = line[0]
        reply = next((i for i in line if msgs[i].role is Role.AGENT), None)
        if reply is None:
            return [
                ctx.violation(
                    self.spec,
                    first,
                    seconds="未应答",
                    limit=fmt_number(limit),
                    detail="买家始终未得到回复",
                )
            ]
        took = seconds_between(msgs[first].time, msgs[reply].time)
        if took <= limit:
            return []
        return [
            ctx.violation(
                self.spec,
                first,
                seconds=fmt_number(took),
                limit=fmt_number(limit),
                detail=f"首次响应用时 {fmt_number(took)} 秒",
            )
        ]


@register
class Greeting(Rule):
    """T002: in a session opened by the buyer, no agent message within
    ``greeting_s`` of the buyer's first message contains a greeting phrase
    (list ``phrases``). An auto-reply greeting counts.

    Anchor: the buyer's first message. Placeholders: ``{limit}``,
    ``{seconds}`` (when the first agent message came, or ``未应答``).
    """

    kind = "greeting"
    description = (
        "In a session opened by the buyer, no agent message within greeting_s of the "
        "buyer's first message contains a greeting; an auto-reply greeting counts."
    )
    lists = ("phrases",)
    required_lists = ("phrases",)
    params: ClassVar[Mapping[str, ParamSpec]] = {
        "greeting_s": ParamSpec(_NUMBER, 10, "seconds within which a greeting must come")
    }

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        msgs = ctx.messages
        line = ctx.timeline()
        if not buyer_opened(msgs, line):
            return []
        limit = float(self.param("greeting_s"))
        start = msgs[line[0]].time
        agents = [i for i in line if msgs[i].role is Role.AGENT]
        for i in agents:
            if seconds_between(start, msgs[i].time) > limit:
                break
            if ctx.has(i, self.code, "phrases"):
                return []
        seconds = fmt_number(seconds_between(start, msgs[agents[0]].time)) if agents else "未应答"
        return [ctx.violation(self.spec, line[0], limit=fmt_number(limit), seconds=seconds)]


@register
class FollowUp(Rule):
    """T003: an agent message that is not a closing (list ``closings``, the
    F002 phrases) is followed by the buyer's next message more than
    ``follow_up_s`` later, with no agent message in between.

    When several agent messages share the last timestamp before the silence,
    a closing in any of them is enough. Nothing is reported when the buyer
    never writes again (the session simply ended).

    Anchor: the agent message after which the buyer was silent.
    Placeholders: ``{seconds}`` (the silence), ``{limit}``.
    """

    kind = "follow-up"
    description = (
        "An agent message that is not a closing is followed by the buyer's next message "
        "more than follow_up_s later, with no agent message in between."
    )
    lists = ("closings",)
    params: ClassVar[Mapping[str, ParamSpec]] = {
        "follow_up_s": ParamSpec(_NUMBER, 60, "buyer silence after which to follow up")
    }

    def check(self, ctx: SessionContext) -> list[Violation]:
        msgs = ctx.messages
        line = ctx.timeline()
        limit = float(self.param("follow_up_s"))
        found: list[Violation] = []
        for pos in range(1, len(line)):
            agent, buyer = msgs[line[pos - 1]], msgs[line[pos]]
            if agent.role is not Role.AGENT or buyer.role is not Role.BUYER:
                continue
            silence = seconds_between(agent.time, buyer.time)
            if silence <= limit:
                continue
            # the agent messages of that last second (their file order is not trusted)
            same_second = [
                line[k]
                for k in range(pos - 1, -1, -1)
                if msgs[line[k]].role is Role.AGENT and msgs[line[k]].time == agent.time
            ]
            if any(ctx.has(i, self.code, "closings") for i in same_second):
                continue
            found.append(
                ctx.violation(
                    self.spec, line[pos - 1], seconds=fmt_number(silence), limit=fmt_number(limit)
                )
            )
        return found


@register
class AgentAway(Rule):
    """T004: a buyer message waits more than ``away_s`` for the next agent
    message, and no transfer (``A --> B``) happened in between.

    A run of buyer messages with no agent message between them is one wait,
    counted from its first message. When no agent message follows at all,
    the wait lasts until the session's last message: a buyer who writes again
    six minutes later without an answer was left waiting; a buyer who writes
    once and never again is T001's business, not T004's. A transfer stamped
    at or between the two ends of a wait excuses it.

    Anchor: the buyer message that waited. Placeholders: ``{seconds}``,
    ``{minutes}``, ``{limit}`` (seconds), ``{limit_minutes}``.
    """

    kind = "agent-away"
    description = (
        "A buyer message waits more than away_s for the next agent message, and no "
        "transfer happened in between."
    )
    params: ClassVar[Mapping[str, ParamSpec]] = {
        "away_s": ParamSpec(_NUMBER, 300, "seconds a buyer may wait without a handoff")
    }

    def check(self, ctx: SessionContext) -> list[Violation]:
        msgs = ctx.messages
        line = ctx.timeline()
        limit = float(self.param("away_s"))
        transfers = sorted(m.time for m in msgs if m.transfer is not None)
        found: list[Violation] = []
        waiting: int | None = None
        for i in line:
            m = msgs[i]
            if m.role is Role.BUYER:
                if waiting is None:
                    waiting = i
                continue
            if waiting is not None:
                found.extend(self._wait(ctx, waiting, m.time, limit, transfers))
                waiting = None
        if waiting is not None:
            found.extend(self._wait(ctx, waiting, msgs[line[-1]].time, limit, transfers))
        return found

    def _wait(
        self,
        ctx: SessionContext,
        index: int,
        until: datetime,
        limit: float,
        transfers: Sequence[datetime],
    ) -> list[Violation]:
        since = ctx.messages[index].time
        waited = seconds_between(since, until)
        if waited <= limit or any(since <= t <= until for t in transfers):
            return []
        return [
            ctx.violation(
                self.spec,
                index,
                seconds=fmt_number(waited),
                minutes=fmt_number(round(waited / 60, 1)),
                limit=fmt_number(limit),
                limit_minutes=fmt_number(round(limit / 60, 1)),
            )
        ]
