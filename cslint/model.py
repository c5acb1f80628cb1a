"""Records that flow between the stages of a run, frozen or treated as such.

Readers produce :class:`Message` and :class:`InputError`; sessionize groups
messages into :class:`Session`; the engine produces :class:`Violation` and
:class:`SessionResult`; reporters read a :class:`RunResult`. A stage never
mutates a record it received: it derives new ones (``dataclasses.replace``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Role(StrEnum):
    """Who sent a message."""

    AGENT = "agent"  # any shop account, auto-replies and bots included
    BUYER = "buyer"
    SYSTEM = "system"  # recalls, transfers, platform notices


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Transfer:
    """A handoff ``A --> B`` between two agents (a system message)."""

    from_agent: str
    to_agent: str


# Not frozen, for speed, like Violation: a run builds one per row, and setting
# the 10 fields of a frozen dataclass costs a call each (most of building one).
# Treat it as immutable all the same. Hashable, by its fields, as when it was frozen.
@dataclass(slots=True, unsafe_hash=True)
class Message:
    """One chat message as read from an export.

    ``time`` is naive and in Beijing time (UTC+8): every Taobao export is, and
    timestamps that carry an offset are converted to it by the readers.
    ``line`` is the physical line (1-based) where the row or message starts.
    """

    time: datetime
    buyer: str
    sender: str
    text: str
    role: Role
    file: str
    line: int
    session: str | None = None  # explicit session id from the input, if any
    shop: str | None = None
    transfer: Transfer | None = None  # set on system messages that are transfers


@dataclass(frozen=True, slots=True)
class InputError:
    """A row, line or file that could not become a message.

    ``kind`` is ``"row"`` for a rejected row/message (counted in ``rejected``)
    and ``"file"`` for a whole file that could not be read (counted in
    ``files_failed``; its rows, if any were counted, are rejected rows too).
    """

    file: str
    line: int
    reason: str
    kind: str = "row"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileStats:
    """What one input file contributed; ``rows_read == messages + rejected``."""

    file: str
    format: str
    encoding: str | None
    rows_read: int
    messages: int
    rejected: int
    failed: bool = False  # the file as a whole could not be read


@dataclass(frozen=True, slots=True)
class Session:
    """The messages between one buyer and the shop, in time order."""

    id: str
    buyer: str
    shop: str | None
    messages: tuple[Message, ...]

    @property
    def start(self) -> datetime:
        return self.messages[0].time

    @property
    def end(self) -> datetime:
        return self.messages[-1].time

    @property
    def file(self) -> str:
        return self.messages[0].file

    @property
    def line(self) -> int:
        return self.messages[0].line


# Not frozen, for speed: a run builds one per violation, and setting the 16
# fields of a frozen dataclass costs a call each (most of building one).
# Treat it as immutable all the same: derive changed copies with
# dataclasses.replace. Hashable, by its fields, as when it was frozen.
@dataclass(slots=True, unsafe_hash=True)
class Violation:
    """One occurrence of a broken rule.

    ``text`` is the raw (unmasked) text of the offending message; reporters
    mask personal data before printing it. ``span`` is ``[start, end)`` in
    ``text``. ``deducted`` says whether this occurrence cost the session its
    points (a rule deducts at most ``max_deductions`` times per session).
    """

    code: str
    name: str
    severity: Severity
    points: int
    message: str
    suggestion: str | None
    file: str
    line: int
    session: str
    buyer: str
    agent: str | None
    time: datetime | None
    text: str
    span: tuple[int, int] | None
    shop: str | None = None
    deducted: bool = True

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.span or (0, 0), self.code)


@dataclass(frozen=True, slots=True)
class AgentStats:
    """Per-agent counts inside one session (for the weekly manager table)."""

    agent: str
    messages: int
    emoticon_messages: int


# Not frozen, for speed, like Violation (one per session, 18 fields).
@dataclass(slots=True, unsafe_hash=True)
class SessionResult:
    """A scored session: its violations and the figures reports need."""

    id: str
    buyer: str
    shop: str | None
    agent: str | None  # primary agent: most agent messages, first one on a tie
    start: datetime
    end: datetime
    file: str
    line: int
    messages: int
    agent_messages: int
    buyer_messages: int
    agents: tuple[AgentStats, ...]
    first_response_s: float | None  # None when the buyer did not open or got no answer
    first_responder: str | None
    agent_last_word: bool
    violations: tuple[Violation, ...]
    deductions: int
    score: int


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporters need to know about a rule of the active pack."""

    code: str
    name: str
    severity: Severity
    points: int
    message: str
    description: str
    source: str


@dataclass
class Totals:
    """The counts a summary needs, kept as a run goes (a streaming run keeps
    no list of its violations or sessions) or computed from a finished result."""

    violations: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    points_by_rule: Counter[str] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)  # code -> name, as violations say
    sessions: int = 0
    score_sum: int = 0
    flagged_sessions: int = 0  # sessions with at least one violation
    input_errors: int = 0

    def add_violation(self, v: Violation) -> None:
        self.violations += 1
        self.by_rule[v.code] += 1
        if v.deducted:
            self.points_by_rule[v.code] += v.points
        self.names.setdefault(v.code, v.name)

    def merge(self, other: Totals) -> None:
        """Add the counts of another part of the same run (``--jobs``)."""
        self.violations += other.violations
        self.by_rule.update(other.by_rule)
        self.points_by_rule.update(other.points_by_rule)
        for code, name in other.names.items():
            self.names.setdefault(code, name)
        self.sessions += other.sessions
        self.score_sum += other.score_sum
        self.flagged_sessions += other.flagged_sessions
        self.input_errors += other.input_errors

    @classmethod
    def of(
        cls,
        violations: list[Violation],
        sessions: list[SessionResult],
        input_errors: list[InputError],
    ) -> Totals:
        totals = cls(
            sessions=len(sessions),
            score_sum=sum(s.score for s in sessions),
            flagged_sessions=len({v.session for v in violations}),
            input_errors=len(input_errors),
        )
        for v in violations:
            totals.add_violation(v)
        return totals


@dataclass
class RunResult:
    """Everything one run produced; reporters only read it."""

    violations: list[Violation]
    input_errors: list[InputError]
    sessions: list[SessionResult]
    files: list[FileStats]
    rules: list[RuleInfo]
    meta: dict[str, Any] = field(default_factory=dict)
    # set by a streaming run, whose violations and input errors went straight
    # to the report and whose lists here stay empty
    totals: Totals | None = None

    def tally(self) -> Totals:
        """The run's counts: as kept by a streaming run, or counted from the lists."""
        if self.totals is not None:
            return self.totals
        return Totals.of(self.violations, self.sessions, self.input_errors)

    @property
    def failed_input(self) -> bool:
        """Whether any row or file could not be read (exit code 2)."""
        return self.tally().input_errors > 0

    def summary(self) -> dict[str, Any]:
        """The summary every output carries; counts always reconcile."""
        totals = self.tally()
        by_rule = totals.by_rule
        points_by_rule = totals.points_by_rule
        rows_read = sum(f.rows_read for f in self.files)
        messages = sum(f.messages for f in self.files)
        rejected = sum(f.rejected for f in self.files)
        return {
            "files": len(self.files),
            "files_failed": sum(1 for f in self.files if f.failed),
            "rows_read": rows_read,
            "messages": messages,
            "rejected": rejected,
            "input_errors": totals.input_errors,
            "sessions": totals.sessions,
            "violations": totals.violations,
            "by_rule": dict(sorted(by_rule.items())),
            "points": sum(points_by_rule.values()),
            "points_by_rule": dict(sorted(points_by_rule.items())),
            "average_score": (
                round(totals.score_sum / totals.sessions, 2) if totals.sessions else None
            ),
            "per_file": [
                {
                    "file": f.file,
                    "format": f.format,
                    "encoding": f.encoding,
                    "rows_read": f.rows_read,
                    "messages": f.messages,
                    "rejected": f.rejected,
                    "failed": f.failed,
                }
                for f in self.files
            ],
        }
