"""P002 buyer-info leak: one buyer's personal data in an agent message to another.

Personal data is what :func:`cslint.pii.find_pii` finds (mobile, order and ID
numbers, street addresses; item ids and links are not personal data, and digit
boundaries are respected). A value *belongs* to the buyer of the session where
it first appears in the run, whether that buyer sent it or the agent sent it
in their session (RULES.md P002). An agent message in a session with another
buyer B that contains the value is a leak, unless B had sent the same value
themselves by then (a shared household phone, a gift address the buyer typed):
repeating to B what B wrote is no leak.

Run-level state, kept small on purpose (a week of a large shop's logs is
millions of messages):

- ``observe`` returns, per session, one entry per distinct value (its
  earliest occurrence, and the earliest time the session's buyer sent it)
  plus a candidate for each agent occurrence that the session's own buyer
  had not already sent (its message as an :class:`~cslint.rules.base.Anchor`,
  its span and kind; no violation is built yet). Values are kept as 12-byte
  digests, not as text.
- ``finish`` first collects the values that have candidates (usually few),
  then indexes owners and senders of those values only, then builds the
  violations it reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from cslint.model import Role, Violation
from cslint.pii import ADDRESS, ID_CARD, ORDER, PHONE, find_pii, mask_value
from cslint.rules.base import Anchor, ParamSpec, Rule, RuleSpec, SessionContext, register
from cslint.rules.flow import fill_fields

__all__ = ["LeakCandidate", "LeakObservation", "PiiLeak"]

_TIME = "%Y-%m-%d %H:%M:%S"
_LABELS = {PHONE: "手机号", ORDER: "订单号", ID_CARD: "身份证号", ADDRESS: "地址"}
_BUYER, _AGENT = 0, 1  # who sent an occurrence; a buyer wins a tie in time
_CLEAN_TEXTS = 16_384  # texts P002 remembers as holding no personal data


def _digest(kind: str, key: str) -> bytes:
    return hashlib.blake2b(f"{kind}\0{key}".encode(), digest_size=12).digest()


@dataclass(frozen=True, slots=True)
class LeakCandidate:
    """An agent occurrence of a value that the session's buyer had not sent
    before: where it is, and of which kind (the violation, with the masked
    value, is built only if ``finish`` reports it)."""

    key: bytes
    anchor: Anchor
    span: tuple[int, int]
    kind: str


@dataclass(frozen=True, slots=True)
class LeakObservation:
    """What P002 keeps of one session (no message lists).

    ``seen``: per value, its earliest occurrence in the session ``(digest,
    time, sender)`` with sender 0 = buyer, 1 = agent. ``sent``: per value the
    session's buyer sent, the earliest time. ``candidates``: agent
    occurrences the buyer had not sent before.
    """

    buyer: str
    seen: tuple[tuple[bytes, datetime, int], ...]
    sent: tuple[tuple[bytes, datetime], ...]
    candidates: tuple[LeakCandidate, ...]


@register
class PiiLeak(Rule):
    """P002: personal data (kinds in ``kinds``) that buyer A sent, or that the
    agent sent in A's session, appears in an agent message of a session with
    another buyer B, anywhere in the run.

    One violation per value occurrence in the agent message; the span is the
    value's span in the raw text. Placeholders: ``{value}`` (masked, e.g.
    ``138****5678``), ``{kind}`` (手机号/订单号/身份证号/地址), ``{kind_code}``
    (phone/order/id/address), ``{owner}`` (the buyer the value belongs to) and
    ``{first_seen}`` (when it first appeared); the last two are filled at the
    end of the run.
    """

    kind = "pii-leak"
    description = (
        "Personal data that buyer A sent (or the agent sent in A's session) appears in an "
        "agent message of a session with another buyer B, anywhere in the run."
    )
    params: ClassVar[Mapping[str, ParamSpec]] = {
        "kinds": ParamSpec(
            (list, tuple),
            [PHONE, ORDER, ID_CARD, ADDRESS],
            "kinds of personal data checked: phone, order, id, address",
        ),
    }

    def __init__(self, spec: RuleSpec) -> None:
        super().__init__(spec)
        self.kinds = frozenset(k for k in self.param("kinds") if isinstance(k, str))
        # Texts found to hold no personal data: canned replies come back again
        # and again, and a set lookup is much cheaper than a call. Emptied when
        # full, so memory stays flat on a long run.
        self._clean: set[str] = set()

    def observe(self, ctx: SessionContext) -> LeakObservation | None:
        clean = self._clean
        msgs = ctx.messages
        # time order, buyer first within a second; most texts are known clean
        # (canned replies, 在吗): one pass picks the others, the only ones looked at
        unknown = [i for i in ctx.timeline() if msgs[i].text not in clean]
        if not unknown:
            return None
        kinds = self.kinds
        seen: dict[bytes, tuple[datetime, int]] = {}
        sent: dict[bytes, datetime] = {}
        candidates: list[LeakCandidate] = []
        for i in unknown:
            m = msgs[i]
            found = find_pii(m.text)
            if not found:
                if len(clean) >= _CLEAN_TEXTS:
                    clean.clear()
                clean.add(m.text)
                continue
            sender = _BUYER if m.role is Role.BUYER else _AGENT
            anchor: Anchor | None = None
            for match in found:
                if match.kind not in kinds:
                    continue
                key = _digest(match.kind, match.key)
                if key not in seen:
                    seen[key] = (m.time, sender)
                if sender == _BUYER:
                    sent.setdefault(key, m.time)
                elif key not in sent:
                    if anchor is None:
                        anchor = ctx.anchor(i)
                    span = (match.start, match.end)
                    candidates.append(LeakCandidate(key, anchor, span, match.kind))
        if not seen:
            return None
        return LeakObservation(
            buyer=ctx.session.buyer,
            seen=tuple((k, t, s) for k, (t, s) in seen.items()),
            sent=tuple(sent.items()),
            candidates=tuple(candidates),
        )

    def finish(self, observations: Iterable[Any]) -> Iterable[Violation]:
        obs_list = [o for o in observations if isinstance(o, LeakObservation)]
        wanted = {c.key for o in obs_list for c in o.candidates}
        if not wanted:
            return []
        owner: dict[bytes, tuple[datetime, int, str]] = {}
        senders: dict[bytes, dict[str, datetime]] = {}
        for o in obs_list:
            for key, time, sender in o.seen:
                if key in wanted:
                    first = (time, sender, o.buyer)
                    if key not in owner or first < owner[key]:
                        owner[key] = first
            for key, time in o.sent:
                if key in wanted:
                    by_buyer = senders.setdefault(key, {})
                    if o.buyer not in by_buyer or time < by_buyer[o.buyer]:
                        by_buyer[o.buyer] = time
        found: list[Violation] = []
        for o in obs_list:
            for c in o.candidates:
                first_time, _, first_buyer = owner[c.key]
                if first_buyer == o.buyer:
                    continue
                own_send = senders.get(c.key, {}).get(o.buyer)
                if own_send is not None and own_send <= c.anchor.time:
                    continue
                start, end = c.span
                violation = c.anchor.violation(
                    self.spec,
                    span=c.span,
                    value=mask_value(c.kind, c.anchor.text[start:end]),
                    kind=_LABELS.get(c.kind, c.kind),
                    kind_code=c.kind,
                )
                found.append(
                    fill_fields(violation, owner=first_buyer, first_seen=first_time.strftime(_TIME))
                )
        return found
