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

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar

from cslint.model import Violation
from cslint.rules.base import (
    AGENT,
    BUYER,
    ParamSpec,
    Rule,
    RuleSpec,
    SessionContext,
    Timeline,
    register,
    timeline,
)

__all__ = [
    "AGENT",
    "BUYER",
    "AgentAway",
    "FirstResponse",
    "FollowUp",
    "Greeting",
    "Timeline",
    "fmt_number",
    "seconds_between",
    "session_timeline",
    "timeline",
]

_NUMBER = (int, float)


def session_timeline(ctx: SessionContext) -> Timeline:
    """The session's timeline as a :class:`Timeline`: what
    :meth:`SessionContext.timeline` returns (built once per session with
    :func:`timeline`), or one built here when a context hands a plain list."""
    line = ctx.timeline()
    return line if isinstance(line, Timeline) else Timeline.of(ctx.messages, line)


def seconds_between(earlier: datetime, later: datetime) -> float:
    """``later - earlier`` in seconds."""
    return (later - earlier).total_seconds()


def fmt_number(value: float) -> str:
    """``6`` → ``"6"``, ``6.0`` → ``"6"``, ``2.5`` → ``"2.5"`` (for messages)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


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

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.limit = float(self.param("first_response_s"))

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        line = session_timeline(ctx)
        if not line.roles.startswith(BUYER):
            return []  # not opened by the buyer
        limit = self.limit
        reply = line.roles.find(AGENT)
        if reply < 0:
            return [
                ctx.violation(
                    self.spec,
                    line[0],
                    seconds="未应答",
                    limit=fmt_number(limit),
                    detail="买家始终未得到回复",
                )
            ]
        took = seconds_between(line.times[0], line.times[reply])
        if took <= limit:
            return []
        return [
            ctx.violation(
                self.spec,
                line[0],
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

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.limit = float(self.param("greeting_s"))

    def check(self, ctx: SessionContext) -> Iterable[Violation]:
        line = session_timeline(ctx)
        roles, times = line.roles, line.times
        if not roles.startswith(BUYER):
            return []  # not opened by the buyer
        limit = self.limit
        first = roles.find(AGENT)
        pos = first
        while pos >= 0 and seconds_between(times[0], times[pos]) <= limit:
            if ctx.hits(line[pos], self.code):  # the kind's one list: any hit is a greeting
                return []
            pos = roles.find(AGENT, pos + 1)
        seconds = fmt_number(seconds_between(times[0], times[first])) if first >= 0 else "未应答"
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

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.limit = float(self.param("follow_up_s"))

    def check(self, ctx: SessionContext) -> list[Violation]:
        line = session_timeline(ctx)
        roles, times = line.roles, line.times
        limit = self.limit
        found: list[Violation] = []
        # an agent message directly followed by the buyer's
        pos = roles.find(AGENT + BUYER)
        while pos >= 0:
            silence = seconds_between(times[pos], times[pos + 1])
            if silence > limit and not self._closed(ctx, line, pos):
                found.append(
                    ctx.violation(
                        self.spec, line[pos], seconds=fmt_number(silence), limit=fmt_number(limit)
                    )
                )
            pos = roles.find(AGENT + BUYER, pos + 1)
        return found

    def _closed(self, ctx: SessionContext, line: Timeline, last: int) -> bool:
        """Whether an agent message stamped in the same second as entry ``last``
        (their file order is not trusted) holds a closing. The timeline is in
        time order, so they are the agent entries just before it."""
        second = line.times[last]
        pos = last
        while pos >= 0 and line.times[pos] == second:
            if line.roles[pos] == AGENT and ctx.hits(line[pos], self.code):  # one list: closings
                return True
            pos -= 1
        return False


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

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.limit = float(self.param("away_s"))

    def check(self, ctx: SessionContext) -> list[Violation]:
        line = session_timeline(ctx)
        roles, times = line.roles, line.times
        limit = self.limit
        if not line or seconds_between(times[0], times[-1]) <= limit:
            return []  # no wait outlasts the session (most sessions are short)
        found: list[Violation] = []
        # A wait starts at the first buyer message after an agent message (or
        # at the first one of all) and ends at the next agent message; with no
        # agent message after it, at the session's last message.
        start = roles.find(BUYER)
        while start >= 0:
            reply = roles.find(AGENT, start)
            since, until = times[start], times[reply] if reply >= 0 else times[-1]
            waited = seconds_between(since, until)
            # transfers are looked for only past the limit: most waits are short
            if waited > limit and not any(
                m.transfer is not None and since <= m.time <= until for m in ctx.messages
            ):
                found.append(
                    ctx.violation(
                        self.spec,
                        line[start],
                        seconds=fmt_number(waited),
                        minutes=fmt_number(round(waited / 60, 1)),
                        limit=fmt_number(limit),
                        limit_minutes=fmt_number(round(limit / 60, 1)),
                    )
                )
            if reply < 0:
                break
            start = roles.find(BUYER, reply)
        return found
