"""Column names and the row -> :class:`Message` conversion shared by csv, jsonl and xlsx.

Header cells are matched after stripping a BOM and surrounding whitespace,
ASCII case-insensitively, against the canonical names and the Chinese aliases
of FORMATS.md. Unknown columns are ignored. Two columns that mean the same
field (``时间`` and ``发送时间``) make the header ambiguous: a file-level error
rather than a silent pick.

Per row (:meth:`RowConverter.convert`), the first problem found rejects it:

- ``time``: see :mod:`cslint.readers.timeparse` (``bad timestamp '…'`` /
  ``impossible timestamp '…'``);
- ``buyer``: surrounding whitespace stripped; empty => ``empty buyer``;
- ``role``: see :mod:`cslint.readers.roles`; an empty cell means "infer";
- ``sender``: stripped; empty is allowed only for system rows (explicit
  ``system``, or an inferred transfer), else ``empty sender``;
- ``text`` is kept exactly as written (inner and outer whitespace included).
  An empty text is a valid message with empty text: it is what a picture,
  sticker or file message looks like once exported, it still answers the buyer
  (timing rules), and rejecting every picture would flood the input errors;
- ``session`` and ``shop``: stripped, empty => none.

Cells that are not strings (xlsx numbers, JSON numbers) become text: integers
and integral floats without ``.0`` (a numeric buyer ID ``12345`` stays
``12345``), ``None`` as empty. JSON objects or arrays are rejected.

Shop (:func:`fill_shops`): the ``shop`` cell if given; otherwise the part
before ``:`` of an agent sender ``店铺:客服``, or the sender itself when it is a
configured shop name. Messages still without a shop (buyer rows, mostly) take
the shop of the message of the same buyer in the same file that has one and
is nearest in time (the earlier one on a tie), so that a buyer's messages and
the agents' answers land in one session, also when the buyer talks to two
shops of an export in turn.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cslint.model import Message, Role, Transfer
from cslint.readers.roles import RoleResolver, UnknownRole, parse_role, parse_transfer
from cslint.readers.timeparse import TimeError, parse_time, parse_time_value
from cslint.share import SKIPPED, Share, Skipped

FIELDS = ("time", "buyer", "sender", "text", "role", "session", "shop")
REQUIRED = ("time", "buyer", "sender", "text")

_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("时间", "发送时间"),
    "buyer": ("买家", "客户", "客户名", "顾客"),
    "sender": ("发送人", "发送账号"),
    "text": ("内容", "发送内容", "消息"),
    "role": ("角色", "账号类型"),
    "session": ("会话", "会话ID"),
    "shop": ("店铺",),
}


def normalize_name(name: str) -> str:
    """A header cell or JSON key as compared: no BOM, no outer whitespace, ASCII lowercase."""
    return name.replace("\ufeff", "").strip().lower()


ALIASES: dict[str, str] = {normalize_name(f): f for f in FIELDS} | {
    normalize_name(alias): f for f, aliases in _ALIASES.items() for alias in aliases
}


class FileProblem(Exception):
    """A whole-file problem found by a reader: the file contributes no rows."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class RowCounts:
    """The rows a reader has yielded so far: messages and rejected rows (not SKIPPED ones)."""

    __slots__ = ("messages", "rejected")

    def __init__(self) -> None:
        self.messages = 0
        self.rejected = 0


@dataclass(frozen=True)
class Header:
    """Where each known field is in a header row, and how many cells the row uses."""

    index: dict[str, int]
    width: int  # up to the last non-blank header cell
    duplicate: str | None = None  # why the header is ambiguous, if it is

    @property
    def missing(self) -> list[str]:
        return [f for f in REQUIRED if f not in self.index]


def resolve_header(cells: Sequence[object], aliases: Mapping[str, str] = ALIASES) -> Header:
    """Map header cells to fields (the first of two cells for one field, noting it).

    ``aliases`` maps normalized header names to fields: the chat columns by
    default; phrase libraries pass their own.
    """
    index: dict[str, int] = {}
    duplicate: str | None = None
    for i, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        field = aliases.get(normalize_name(cell))
        if field is None:
            continue
        if field in index:
            if duplicate is None:
                first = str(cells[index[field]]).strip()
                duplicate = f"column '{field}' given twice ('{first}' and '{cell.strip()}')"
            continue
        index[field] = i
    width = 0
    for i, cell in enumerate(cells):
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            width = i + 1
    return Header(index, width, duplicate)


def missing_reason(missing: Sequence[str]) -> str:
    return "missing column(s): " + ", ".join(missing)


def cell_text(value: object) -> str:
    """A cell as text (see the module docstring); raises ``TypeError`` for containers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict | list):
        raise TypeError("an object or array, not text")
    return str(value)


# Enum members looked up once: ``Role.AGENT`` costs a class attribute lookup through
# the enum machinery (about 0.1 µs on Python 3.11), once per row in convert_owned.
_AGENT = Role.AGENT
_SYSTEM = Role.SYSTEM

# How many distinct names (or texts) a converter keeps to share before starting over.
_MAX_SHARED = 1 << 15


class RowConverter:
    """Turns the cells of one row into a :class:`Message` or a rejection reason.

    One converter reads one file (or sheet) top to bottom and remembers what
    repeats from row to row: the previous timestamp, and names and texts, so
    that equal ones are one shared string. A buyer's name is on every row of the
    conversation and canned replies are in many: with the shared timestamps,
    a message and its strings take 199 bytes instead of 451 (benchmark, 100k
    rows), and later comparisons of equal strings are identity tests. Tables
    of its own rather than ``sys.intern``: as fast, bounded, and interned
    strings are immortal on Python 3.12.0-3.12.4 (cpython#113993), a leak when
    streaming.
    """

    def __init__(
        self, roles: RoleResolver, file: str, *, excel: bool = False, share: Share | None = None
    ) -> None:
        self.roles = roles
        self.file = file
        self.excel = excel
        self.share = share  # a worker's share of the rows (cslint.share); None: every row
        # Exports are in time order with many rows per second (61 % of the rows of
        # the benchmark repeat the previous row's time): one string comparison
        # replaces the parse, and those messages share one ``datetime``.
        self._last_time_cell: str | None = None
        self._last_time = datetime.min
        self._names: dict[str, str] = {}  # cell as written -> the shared stripped name
        self._texts: dict[str, str] = {}  # text -> the shared equal text
        # buyer cell as written -> whether this worker reads its rows (see owns)
        self.owned: dict[str, bool] = {}

    def _name(self, cell: str) -> str:
        """The cell stripped, as the string every row naming it shares."""
        names = self._names
        name = names.get(cell)
        if name is None:
            if len(names) >= _MAX_SHARED:
                names.clear()
            stripped = cell.strip()
            name = names[cell] = names.setdefault(stripped, stripped)
        return name

    def owns(self, buyer_v: object) -> bool:
        """Whether this worker reads the row whose buyer cell is ``buyer_v`` (with no
        share, every row). The answer for a text cell is remembered in :attr:`owned`."""
        share = self.share
        if share is None:
            return True
        if type(buyer_v) is str:
            known = self.owned.get(buyer_v)
            if known is not None:
                return known
        try:
            buyer = self._name(buyer_v if type(buyer_v) is str else cell_text(buyer_v))
        except TypeError:
            buyer = ""  # rejected as a bad cell, by the worker that reads buyer-less rows
        mine = share.owns(buyer) if buyer else share.first
        if type(buyer_v) is str:
            if len(self.owned) >= _MAX_SHARED:
                self.owned.clear()
            self.owned[buyer_v] = mine
        return mine

    def unattributed(self, reason: str) -> str | Skipped:
        """``reason`` for a row rejected before its buyer is known, or :data:`SKIPPED`
        in a worker that does not read such rows."""
        if self.share is None or self.share.first:
            return reason
        return SKIPPED

    def _text(self, text: str) -> str:
        """The text as the string every equal text shares."""
        texts = self._texts
        if len(texts) >= _MAX_SHARED:
            texts.clear()
        return texts.setdefault(text, text)

    def convert(
        self,
        line: int,
        time_v: object,
        buyer_v: object,
        sender_v: object,
        text_v: object,
        role_v: object = None,
        session_v: object = None,
        shop_v: object = None,
    ) -> Message | str | Skipped:
        """A message, or the reason the row is rejected, or :data:`SKIPPED` for
        another worker's row (see :mod:`cslint.share`)."""
        if self.share is not None and not self.owns(buyer_v):
            return SKIPPED  # before the work a skipped row would cost
        return self.convert_owned(
            line, time_v, buyer_v, sender_v, text_v, role_v, session_v, shop_v
        )

    def convert_owned(
        self,
        line: int,
        time_v: object,
        buyer_v: object,
        sender_v: object,
        text_v: object,
        role_v: object = None,
        session_v: object = None,
        shop_v: object = None,
    ) -> Message | str:
        """:meth:`convert` for a row this worker reads (:meth:`owns` said so)."""
        # Hot path (once per row): plain strings skip the general cell conversion,
        # and absent columns (None) skip it too.
        if type(time_v) is str:
            if time_v == self._last_time_cell:
                when = self._last_time
            else:
                try:
                    when = parse_time(time_v)
                except TimeError as exc:
                    return str(exc)
                self._last_time_cell = time_v
                self._last_time = when
        else:
            try:
                when = parse_time_value(time_v, excel=self.excel)
            except TimeError as exc:
                return str(exc)
        try:
            buyer_s = buyer_v if type(buyer_v) is str else cell_text(buyer_v)
            sender_s = sender_v if type(sender_v) is str else cell_text(sender_v)
            text_s = text_v if type(text_v) is str else cell_text(text_v)
            role_s = "" if role_v is None else cell_text(role_v)
            session_s = "" if session_v is None else cell_text(session_v)
            shop_s = "" if shop_v is None else cell_text(shop_v)
        except TypeError as exc:
            return f"bad cell: {exc}"
        # The tables' lookups inlined; an empty string falls through to the
        # method, which gives the same answer.
        names = self._names
        buyer = names.get(buyer_s) or self._name(buyer_s)
        if not buyer:
            return "empty buyer"
        # A buyer's own row names the same cell twice.
        sender = buyer if sender_s == buyer_s else (names.get(sender_s) or self._name(sender_s))
        text = self._texts.get(text_s) or self._text(text_s)
        role: Role | None = None
        if role_s:
            try:
                role = parse_role(role_s)
            except UnknownRole as exc:
                return str(exc)
        transfer: Transfer | None = None
        if role is None:
            role, transfer = self.roles.infer(sender, buyer, text)
        elif role is _SYSTEM:
            transfer = parse_transfer(text)
        if not sender and role is not _SYSTEM:
            return "empty sender"
        shop = self._name(shop_s) if shop_s else None
        if not shop and role is _AGENT:
            shop = self.roles.shop_of(sender)
        return Message(
            when,
            buyer,
            sender,
            text,
            role,
            self.file,
            line,
            (self._name(session_s) or None) if session_s else None,
            shop or None,
            transfer,
        )


def fill_shops(messages: list[Message]) -> list[Message]:
    """Give shop-less messages the shop of the nearest message in time of their
    buyer in the same file that has one (the earlier on a tie; see the module doc)."""
    placed: dict[str, list[tuple[datetime, int, str]]] = {}
    missing = False
    for n, m in enumerate(messages):
        if m.shop is None:
            missing = True
        else:
            placed.setdefault(m.buyer, []).append((m.time, n, m.shop))
    if not missing or not placed:
        return messages
    only: dict[str, str] = {}  # buyers with one shop in the file: no search
    for buyer, found in placed.items():
        if all(shop == found[0][2] for _, _, shop in found):
            only[buyer] = found[0][2]
        else:
            found.sort()
    # The positional constructor, not ``dataclasses.replace`` (3x slower), on a
    # copy of the list: this runs for every buyer row of a file without a shop column.
    filled = messages.copy()
    for i, m in enumerate(messages):
        if m.shop is None:
            shop = only.get(m.buyer)
            if shop is None and m.buyer in placed:
                shop = nearest_row(placed[m.buyer], m.time)[2]
            if shop is not None:
                filled[i] = Message(
                    m.time,
                    m.buyer,
                    m.sender,
                    m.text,
                    m.role,
                    m.file,
                    m.line,
                    m.session,
                    shop,
                    m.transfer,
                )
    return filled


def nearest_row(
    found: list[tuple[datetime, int, str]], when: datetime
) -> tuple[datetime, int, str]:
    """The entry of ``found`` (``(time, order read, shop)``, sorted, not empty)
    nearest to ``when``: the earlier one on a tie, the first read of equal times."""
    after = bisect_left(found, (when,))  # the first entry at or after ``when``
    if after < len(found):
        later = found[after]
        if after == 0 or later[0] == when:
            return later
        if later[0] - when < when - found[after - 1][0]:
            return later
    # the earlier time wins: its first entry in input order
    return found[bisect_left(found, (found[after - 1][0],))]
