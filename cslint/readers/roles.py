"""Who sent a message: explicit role values, and inference from nicks.

Explicit values (case-insensitive, surrounding whitespace ignored):

- agent: ``agent``, ``seller``, ``客服``, ``卖家``, ``商家``, ``主账号``,
  ``子账号``, ``机器人``, ``自动回复``
- buyer: ``buyer``, ``customer``, ``买家``, ``顾客``, ``客户``
- system: ``system``, ``系统``

An empty value means "not given" (the role is inferred); anything else is an
unknown role and the row is rejected. An explicit role is trusted even when it
contradicts the nick (``role=buyer`` on a ``店铺:客服`` sender stays buyer).

Inference when no role is given, in this order:

1. the text is a transfer ``A --> B`` (also ``A-->B``), the sender is not the
   buyer, and ``A`` or ``B`` looks like an agent nick => system, with
   :class:`~cslint.model.Transfer` ``(A, B)``. (The agent-nick condition keeps a
   buyer's or agent's ``北京-->上海`` an ordinary message.)
2. the sender is a system nick (``系统``, ``系统消息``, ``系统提示``,
   ``system``) => system;
3. the sender is the row's buyer => buyer;
4. otherwise => agent. An agent nick (``店铺名:客服名`` with ``:`` or the
   full-width ``：``, a configured shop name, a nick equal to or ending with a
   configured bot name such as ``…:服务助手``) is an agent, and so is any
   other sender: the buyer column names the buyer, so whoever else writes in
   the conversation is a shop account.

A row whose explicit role is ``system`` and whose text is ``A --> B`` is a
transfer whatever the nicks look like. A transfer text is one line of at most
512 characters (longer texts are messages, and never reach the regex).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from cslint.model import Role, Transfer

ROLE_WORDS: dict[str, Role] = {
    "agent": Role.AGENT,
    "seller": Role.AGENT,
    "客服": Role.AGENT,
    "卖家": Role.AGENT,
    "商家": Role.AGENT,
    "主账号": Role.AGENT,
    "子账号": Role.AGENT,
    "机器人": Role.AGENT,
    "自动回复": Role.AGENT,
    "buyer": Role.BUYER,
    "customer": Role.BUYER,
    "买家": Role.BUYER,
    "顾客": Role.BUYER,
    "客户": Role.BUYER,
    "system": Role.SYSTEM,
    "系统": Role.SYSTEM,
}

SYSTEM_NICKS = frozenset({"系统", "系统消息", "系统提示", "system"})

# One line ``A --> B``; ``.`` does not cross line breaks, so a multi-line text never is one.
_TRANSFER_RE = re.compile(r"\s*(\S.*?)\s*-->\s*(\S.*?)\s*")


_MAX_TRANSFER = 512  # a transfer line is two nicks; longer texts are messages (and no regex work)


# The answers of :meth:`RoleResolver.infer` without a transfer, built once.
_AS_AGENT: tuple[Role, Transfer | None] = (Role.AGENT, None)
_AS_BUYER: tuple[Role, Transfer | None] = (Role.BUYER, None)
_AS_SYSTEM: tuple[Role, Transfer | None] = (Role.SYSTEM, None)


class UnknownRole(ValueError):
    """A role value that is none of the known words; ``str(exc)`` is the reason."""


def parse_transfer(text: str) -> Transfer | None:
    """``Transfer(A, B)`` when ``text`` is exactly one ``A --> B`` line, else ``None``."""
    if "-->" not in text or len(text) > _MAX_TRANSFER or "\n" in text:
        return None
    m = _TRANSFER_RE.fullmatch(text)
    if m is None:
        return None
    return Transfer(m.group(1), m.group(2))


def parse_role(value: str) -> Role | None:
    """The role a cell names, ``None`` for an empty cell; raises :class:`UnknownRole`."""
    key = value.strip().lower()
    if not key:
        return None
    role = ROLE_WORDS.get(key)
    if role is None:
        shown = value.strip()
        if len(shown) > 30:
            shown = shown[:27] + "..."
        raise UnknownRole(f"unknown role '{shown}' (expected agent, buyer or system)")
    return role


def shop_prefix(nick: str) -> str | None:
    """``店铺`` for a sub-account nick ``店铺:客服`` (``:`` or ``：``), else ``None``."""
    i, j = nick.find(":"), nick.find("：")
    if i < 0 or 0 <= j < i:
        i = j
    if i < 0:
        return None
    return nick[:i].strip() or None


class RoleResolver:
    """Role inference for one run, built once from the configured names."""

    def __init__(self, shop_names: Iterable[str], bot_names: Iterable[str]) -> None:
        self.shop_names = frozenset(n for n in shop_names if n)
        self.bot_names = tuple(n for n in bot_names if n)
        # Nicks repeat on every row of a conversation: remember the answers.
        self._agent: dict[str, bool] = {}
        self._shop: dict[str, str | None] = {}

    def is_agent_nick(self, nick: str) -> bool:
        """A sub-account (``店铺:客服``), a configured shop name, or a bot nick."""
        known = self._agent.get(nick)
        if known is None:
            known = self._agent[nick] = (
                ":" in nick
                or "：" in nick
                or nick in self.shop_names
                or any(nick.endswith(bot) for bot in self.bot_names)
            )
        return known

    def shop_of(self, nick: str) -> str | None:
        """The shop a nick names: the part before ``:``, or the nick if it is a shop name."""
        try:
            return self._shop[nick]
        except KeyError:
            prefix = shop_prefix(nick)
            if prefix is None and nick in self.shop_names:
                prefix = nick
            if prefix is not None:
                # One string per shop, whichever nick names it (shops are few).
                prefix = sys.intern(prefix)
            self._shop[nick] = prefix
            return prefix

    def infer(self, sender: str, buyer: str, text: str) -> tuple[Role, Transfer | None]:
        """Role (and transfer) of a row that gives no role; see the module docstring."""
        # The buyer's own rows (half of all rows) first: no transfer can apply to them.
        if sender == buyer:
            return _AS_SYSTEM if sender in SYSTEM_NICKS else _AS_BUYER
        transfer = parse_transfer(text)
        if transfer is not None and (
            self.is_agent_nick(transfer.from_agent) or self.is_agent_nick(transfer.to_agent)
        ):
            return Role.SYSTEM, transfer
        return _AS_SYSTEM if sender in SYSTEM_NICKS else _AS_AGENT
