"""Qianniu / Wangwang text export: one buyer per file (FORMATS.md §2).

Line kinds (each line is matched with its trailing whitespace removed, and
leading whitespace ignored for matching):

- a header ``<nick> <date> <time>``: the space before the date may be
  missing, the nick may be wrapped in ``[...]``; outside brackets a nick has
  no spaces (Taobao nicks have none) so ``我的订单 2024-1-5 9:03:07`` typed by
  a buyer is still a header, but ``订单号 123 2024-1-5 9:03:07`` is not, and
  a nick does not end with ``:`` (``付款时间：2024-1-5 9:03:07`` pasted from an
  order is a body line). A
  nick ending in digits glued to the date (``tb_buyer012024-1-5 9:03:07``)
  splits right: the year is always the four digits before the first ``-``.
  A header whose date is impossible is a rejected message (with its body).
- ``A --> B <date> <time>``: a transfer, a system message with
  ``Transfer(A, B)``, sender ``A``, text ``A --> B``.
- ``<nick> 撤回了一条消息`` (optionally followed by a date and time): a
  recall, a system message whose sender is the nick. If it directly follows
  a header of the same nick whose body is still empty, the two are one recall
  (the header's time and line).
- notices: ``由 … 转交给 …``, ``当前用户来自 …``, ``原因:【…】``,
  ``系统消息:``/``系统提示:`` (``:`` or ``：``): system messages with an empty
  sender; lines after a notice, up to the next header or notice, are part of
  its text. A notice or a recall without a time takes the time of the message
  before it, or of the message after it when it comes first; with no message
  to borrow from it is rejected.
- ``已读`` / ``未读`` alone: read receipts, dropped (not rows, not content).
- anything else: a body line of the current message. Body lines join with
  ``\\n``, trailing whitespace stripped, leading/trailing blank lines dropped,
  inner ones kept. A header with no body is a message with empty text (a
  picture or sticker that did not copy), not an error.
- non-blank text before the first header or notice is one rejected row
  ``text before the first message header`` at its first line.

Rows are headers, transfers, recalls, notices and that leading text; blank
lines and receipts are not rows. A row touching a line with undecodable bytes
is rejected with the decoder's reason.

Streaming (:func:`stream_qianniu`): the buyer and the shop depend on every
nick of the file, so the file is scanned twice: once for the nicks (only
their counts are kept), once for the messages, each handed out when the next
row begins. Memory is bounded by the longest message, except that rows before
the first dated message wait for it (an untimed notice at the top takes its
time).

Roles and the buyer: system nicks (``系统`` …) are system; agent nicks are
sub-accounts ``店铺:客服``, configured shop and bot names, and a nick equal to
the shop part of a sub-account seen in the file (the main account). The buyer
is the non-agent nick that equals the file's name (``tb_buyer01.txt``), else
the non-agent nick with the most messages (the first one in the file on a
tie: a body line that happens to look like a header, ``付款时间 2024-1-5
9:03:07``, makes a one-message nick that must not win); any other non-agent
nick is taken as a shop account (agent), since a Qianniu window holds one
buyer. With no non-agent nick at all, the buyer is named after the file.
The shop of every message is that of the first agent nick with ``:`` (or the
first configured shop name among the nicks), else none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from cslint.model import InputError, Message, Role, Transfer
from cslint.readers.columns import FileProblem
from cslint.readers.encoding import Chunk
from cslint.readers.roles import SYSTEM_NICKS, RoleResolver, shop_prefix

_DT = (
    r"(?P<date>(?P<y>\d{4})(?P<sep>[-/])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2}))"
    r"\s+(?P<clock>(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2}))"
)
_RECALL = "撤回了一条消息"
HEADER_RE = re.compile(rf"(?:\[(?P<bnick>[^\]\n]+)\]|(?P<nick>[^\s\[\]]+?))\s*{_DT}", re.ASCII)
TRANSFER_RE = re.compile(rf"(?P<a>\S+?)\s*-->\s*(?P<b>\S+?)\s*{_DT}", re.ASCII)
RECALL_RE = re.compile(rf"(?P<nick>\S+?)\s*{_RECALL}(?:\s*{_DT})?", re.ASCII)
NOTICE_RE = re.compile(r"由\s*\S.*?转交给|当前用户来自|原因\s*[:：]\s*【|系统(?:消息|提示)\s*[:：]")
_NOTICE_FIRST = frozenset("由当原系")
RECEIPTS = frozenset({"已读", "未读"})

_MAX_HEADER = 256  # longer lines are body lines (and never reach the regexes)
_DIGITS = frozenset("0123456789")

NOT_QIANNIU = "not a Qianniu/Wangwang chat export (no `<nick> <date> <time>` header found)"


def _header_nick(m: re.Match[str]) -> str | None:
    """The nick of a header match; ``付款时间: 2024-1-5 9:03:07`` (a label) is no header."""
    nick = (m.group("bnick") or m.group("nick")).strip()
    return nick if nick and nick[-1] not in ":：" else None


def is_header(line: str) -> bool:
    """Whether a line opens a message (header, transfer or timed recall)."""
    s = line.strip()
    if len(s) > _MAX_HEADER:
        return False
    if TRANSFER_RE.fullmatch(s) or ((m := HEADER_RE.fullmatch(s)) and _header_nick(m)):
        return True
    m = RECALL_RE.fullmatch(s)
    return m is not None and m.group("date") is not None


@dataclass(slots=True)
class _Row:
    line: int
    kind: str  # "msg", "transfer", "recall", "notice", "orphan"
    nick: str = ""
    stamp: tuple[str, ...] | None = None  # y, mo, d, h, mi, s, sep; None: an untimed notice
    head: str = ""  # the text a system row starts with
    body: list[str] = field(default_factory=list)
    last: int = 0  # last non-blank line of the row
    transfer: Transfer | None = None
    time: datetime | None = None
    error: str | None = None
    bad: str | None = None  # why the first bad line from ``line`` to ``last`` is bad


def _stamp(m: re.Match[str]) -> tuple[str, ...] | None:
    parts: tuple[str, ...] = m.group("y", "mo", "d", "h", "mi", "s", "sep")
    return None if parts[0] is None else parts


def _scan(chunks: Iterable[Chunk]) -> Iterator[_Row]:
    """The rows of the text in order, each handed out once complete."""
    cur: _Row | None = None
    waiting: str | None = None  # the first bad line after cur.last: cur's if its body goes on
    for chunk in chunks:
        bad = chunk.bad
        for lineno, raw in enumerate(chunk.lines, chunk.first):
            reason = bad.get(lineno) if bad else None
            line = raw.rstrip()
            s = line.lstrip()
            if not s or s in RECEIPTS:
                if not s and cur is not None and cur.kind != "orphan":
                    cur.body.append("")
                waiting = waiting or reason
                continue
            new: _Row | None = None
            # Headers, transfers and timed recalls end with a digit: most lines skip the regexes.
            timed = len(s) <= _MAX_HEADER and s[-1] in _DIGITS
            if timed and "-->" in s and (m := TRANSFER_RE.fullmatch(s)) is not None:
                a, b = m.group("a"), m.group("b")
                new = _Row(
                    lineno, "transfer", a, _stamp(m), f"{a} --> {b}", transfer=Transfer(a, b)
                )
            elif _RECALL in s and len(s) <= _MAX_HEADER and (m := RECALL_RE.fullmatch(s)):
                nick = m.group("nick")
                head = s[: m.start("date")].rstrip() if m.group("date") else s
                if (
                    m.group("date") is None
                    and cur is not None
                    and cur.kind == "msg"
                    and cur.nick == nick
                    and not any(cur.body)
                ):
                    cur.kind, cur.head, cur.body = "recall", head, []
                    cur.last, cur.bad, waiting = lineno, cur.bad or waiting or reason, None
                    continue
                new = _Row(lineno, "recall", nick, _stamp(m), head)
            elif timed and (m := HEADER_RE.fullmatch(s)) and (nick := _header_nick(m)):
                new = _Row(lineno, "msg", nick, _stamp(m))
            elif s[0] in _NOTICE_FIRST and NOTICE_RE.match(s):
                new = _Row(lineno, "notice", "", None, s)
            if new is None and cur is not None:
                cur.body.append(line)
                cur.last, cur.bad, waiting = lineno, cur.bad or waiting or reason, None
                continue
            if cur is not None:
                yield cur
            cur = new or _Row(lineno, "orphan")
            cur.last, cur.bad, waiting = lineno, reason, None
    if cur is not None:
        yield cur


def _join(head: str, body: list[str]) -> str:
    if not head and len(body) == 1:
        return body[0]
    start, end = 0, len(body)
    while start < end and not body[start]:
        start += 1
    while end > start and not body[end - 1]:
        end -= 1
    parts = [head] if head else []
    parts.extend(body[start:end])
    return "\n".join(parts)


def _date(row: _Row) -> None:
    """The row's own time, or why it is rejected (a bad line first)."""
    if row.kind == "orphan":
        row.error = "text before the first message header"
    elif row.stamp is not None:
        y, mo, d, h, mi, sec, sep = row.stamp
        try:
            row.time = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec))
        except ValueError:
            row.error = f"impossible timestamp '{y}{sep}{mo}{sep}{d} {h}:{mi}:{sec}'"
    if row.bad is not None:
        row.error = row.bad


def _untimed(row: _Row) -> bool:
    """A notice or recall without a time of its own: it borrows one."""
    return row.stamp is None and row.kind in ("notice", "recall")


def _dated(rows: Iterator[_Row]) -> Iterator[_Row]:
    """The rows with their times: untimed ones take the time before them, else the one after."""
    last: datetime | None = None
    held: list[_Row] = []  # the rows before the first dated message
    for row in rows:
        _date(row)
        if _untimed(row):
            row.time = last
        elif row.time is not None and row.error is None and last is None:
            for waiting in held:
                if _untimed(waiting):
                    waiting.time = row.time
            last = row.time
        elif row.time is not None and row.error is None:
            last = row.time
        if last is None:
            held.append(row)
            continue
        if held:
            yield from held
            held.clear()
        yield row
    for row in held:
        if _untimed(row) and row.error is None:
            row.error = "system notice with no timestamped message in the file to date it"
        yield row


def stream_qianniu(
    read: Callable[[], Iterator[Chunk]], file: str, roles: RoleResolver
) -> Iterator[Message | InputError]:
    """Messages and rejected rows of a Qianniu export, in file order; raises :class:`FileProblem`.

    ``read`` gives the decoded text, once per pass.
    """
    stamped = False
    nicks: Counter[str] = Counter()  # message nicks, first seen first
    for row in _scan(read()):
        stamped = stamped or row.stamp is not None
        if row.kind == "msg":
            nicks[row.nick] += 1
    if not stamped:
        raise FileProblem(NOT_QIANNIU)

    shops = {p for n in nicks if (p := shop_prefix(n))}  # main accounts of sub-accounts
    agents = {n for n in nicks if n in shops or roles.is_agent_nick(n)}
    # In first-seen order, so max() breaks ties by the first nick in the file.
    candidates = {n: c for n, c in nicks.items() if n not in agents and n not in SYSTEM_NICKS}
    stem = PurePath(file).stem
    if stem in candidates or not candidates:
        buyer = stem
    else:
        buyer = max(candidates, key=candidates.__getitem__)
    shop = next((s for n in nicks if n in agents and (s := roles.shop_of(n))), None)

    for row in _dated(_scan(read())):
        if row.error is not None or row.time is None:
            yield InputError(file, row.line, row.error or "message without a time")
            continue
        if row.kind == "msg":
            if row.nick in SYSTEM_NICKS:
                role = Role.SYSTEM
            else:
                role = Role.BUYER if row.nick == buyer else Role.AGENT
        else:
            role = Role.SYSTEM
        yield Message(
            time=row.time,
            buyer=buyer,
            sender=row.nick,
            text=_join(row.head, row.body),
            role=role,
            file=file,
            line=row.line,
            shop=shop,
            transfer=row.transfer,
        )
