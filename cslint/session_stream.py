"""Sessions as the messages stream by, for runs whose memory must not grow with the input.

:class:`SessionStream` takes messages in input order, straight from the readers
(shops *not* filled per file), and hands back each session as soon as it can
no longer change, so the engine can check it and forget its messages. The
sessions it hands back are exactly those :func:`cslint.sessionize.sessionize`
builds from the whole input (after the readers' per-file shop filling), or it
raises :class:`OutOfOrder` and the caller checks the input in memory instead.
It never guesses.

When is a session done?

- A buyer's session ends when the same buyer writes again more than the gap
  later (``gap_s``; the same gap rule as :func:`~cslint.sessionize.sessionize`).
- Otherwise, at a *sweep*: the latest time read so far in the current file is
  the *watermark*; a session whose last message is more than two gaps before
  it is closed (one gap of the rule, one gap of slack for rows a little out of
  order). The watermark starts again with each file, so files that each
  cover the whole week (one per agent, one per buyer) do not close each
  other's sessions; those stay open until their own file moves past them, or
  to the end.
- Explicit session ids (a ``session`` column) close the same way.

What makes the input unfit for streaming (:class:`OutOfOrder`, with the
reason): a message that belongs in, or right next to, a session already
closed (the input is not in time order across its files); a message of an
explicit session id already closed; a session id seen with two shops; a
buyer with two shops whose placement cannot be settled as the rows go by
(below). Time-ordered exports (one file, or one file per day) rarely hit
these; per-buyer exports do not either.

Shops, as batch reading places them (the readers fill a shop-less buyer row
with the shop of its buyer's row nearest in time *in the same file*;
sessionize then folds the rest into the buyer's only shop): for a buyer with
one shop, a shop-less message gets that shop once the buyer is seen with it
in that file, or in a row without a session id anywhere. A session closes
with the one shop all its messages get. One whose messages do not all have
their shop yet waits, keeping its messages, until they do; at the end of the
input the rest are settled (shop-less, or out of order if they would split).
Buyer-only sessions of exports without a shop column would wait forever, so
past ``MAX_WAITING`` waiting sessions the oldest all-shop-less ones are
checked without a shop, and a shop turning up later for that buyer is out of
order. Rows with a session id but no shop are out of order too (exports with
session ids carry the shop).

Buyers with several shops (one export of a merchant's shops, a buyer asking
shop A in the morning and shop B at noon): the buyer's messages are collected
as one conversation, split where the buyer is silent more than the gap, as
for anyone. When a conversation closes, every later message of that buyer is
more than the gap after it (else the input is out of order), so a shop-less
message whose nearest shop row of its file, among the conversation's and the
latest one before it, is at most the gap away has its batch placement
already; the conversation's messages are then grouped by shop and each
shop's split at the gap, as sessionize does. A message with no such row is
out of order, and so is a second shop for a buyer with session ids, with
sessions waiting, or with a message placed earlier by a row more than the gap
away (a second shop could have been nearer).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter

from cslint.model import Message, Session
from cslint.readers.columns import nearest_row
from cslint.sessionize import derived_id, split_at_gaps

_by_time = attrgetter("time")

# Sweep for sessions to close every this many messages: a sweep costs the number
# of open sessions, so this keeps it a small fraction of the work per message.
SWEEP_EVERY = 2048
# Sessions that may wait for their shop before the oldest shop-less ones are
# checked without one (memory stays bounded for exports with no shop at all).
MAX_WAITING = 4096


class OutOfOrder(Exception):
    """The input cannot be sessionized as a stream; ``str(exc)`` says why."""


@dataclass(slots=True)
class _Open:
    """A session collecting messages, or closed and waiting for its shop."""

    buyer: str  # derived sessions: their buyer; explicit ones: the first message's
    explicit: str | None  # the explicit session id, if any
    messages: list[Message] = field(default_factory=list)
    reads: list[int] = field(default_factory=list)  # per message: the file it was read from
    first: datetime = datetime.max
    last: datetime = datetime.min

    def add(self, m: Message, read: int) -> None:
        self.messages.append(m)
        self.reads.append(read)
        if m.time < self.first:
            self.first = m.time
        if m.time > self.last:
            self.last = m.time


class SessionStream:
    """Feed messages with :meth:`add`; every call returns the sessions it completed.

    Call :meth:`end_file` after each file and :meth:`close` at the end (it
    returns the rest). Sessions come back in completion order, not sorted.
    """

    def __init__(self, gap_s: int = 1800) -> None:
        if gap_s < 0:
            raise ValueError(f"gap_s must be >= 0, not {gap_s}")
        self.gap = timedelta(seconds=gap_s)
        self._slack = 2 * self.gap
        self._by_buyer: dict[str, _Open] = {}
        self._by_id: dict[str, _Open] = {}
        self._closed_end: dict[str, datetime] = {}  # buyer -> end of its last closed session
        self._closed_ids: set[str] = set()
        # what the input has shown of each buyer's shop (see the module docstring)
        self._shop: dict[str, str] = {}
        # buyer -> the files where it has a shop: one name (most buyers), else a set
        self._shop_files: dict[str, str | set[str]] = {}
        self._shop_without_id: set[str] = set()
        self._id_shop: dict[str, str] = {}
        self._checked_shopless: set[str] = set()  # buyers with a session checked without a shop
        # Buyers who talk to two shops or more (see "Buyers with several shops"),
        # and what it takes to accept one: per (buyer, file) the latest shop row of
        # the buyer's sessions handed back so far; per buyer, the time before which
        # a row of another shop could have been nearer to a shop-less row already
        # placed by a row more than the gap away; the buyers with session ids.
        self._several: set[str] = set()
        self._last_shop_row: dict[tuple[str, int], tuple[datetime, str]] = {}
        self._placed_until: dict[str, datetime] = {}
        self._with_ids: set[str] = set()
        # closed sessions whose shop is not settled (derived ones only: rows with a
        # session id carry their shop), by buyer, oldest buyer first
        self._waiting: dict[str, list[_Open]] = {}
        self._waiting_count = 0
        self._mark: datetime | None = None
        self._since_sweep = 0
        self._read = 0  # the number of the file being read (batch reading fills shops per file)

    # ------------------------------------------------------------------ input

    def add(self, m: Message) -> list[Session]:
        done: list[Session] = []
        if m.shop is not None:
            self._learn_shop(m, done)
        if m.session is not None:
            self._add_explicit(m)
        else:
            self._add_derived(m, done)
        mark = self._mark
        if mark is None or m.time > mark:
            self._mark = m.time
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self._sweep(done)
        return done

    def end_file(self) -> None:
        """The next messages come from another file: its own watermark starts."""
        self._read += 1
        self._mark = None
        self._since_sweep = 0

    def close(self) -> list[Session]:
        """Every session still open or waiting for its shop."""
        done: list[Session] = []
        for o in [*self._by_buyer.values(), *self._by_id.values()]:
            self._finish(o, done)
        self._by_buyer.clear()
        self._by_id.clear()
        for waiting in self._waiting.values():
            for o in waiting:
                shops = self._shops_of(o)
                if len(shops) > 1:
                    first = o.messages[0]
                    raise OutOfOrder(
                        f"{first.file}:{first.line}: the messages of buyer {o.buyer!r} "
                        f"from {o.first} on would get different shops"
                    )
                done.append(self._session(o, shops.pop()))
        self._waiting.clear()
        self._waiting_count = 0
        return done

    @property
    def explicit_ids(self) -> set[str]:
        """The session ids from the input (a ``session`` column) of the sessions handed back."""
        return self._closed_ids

    # --------------------------------------------------------------- grouping

    def _add_derived(self, m: Message, done: list[Session]) -> None:
        buyer, t, gap = m.buyer, m.time, self.gap
        o = self._by_buyer.get(buyer)
        if o is not None:
            if t - o.last > gap:
                del self._by_buyer[buyer]
                self._finish(o, done)
                o = None
            elif o.first - t > gap:
                raise OutOfOrder(
                    f"{m.file}:{m.line}: buyer {buyer!r} has a message more than the session "
                    "gap before their open session"
                )
        if o is None:
            o = self._by_buyer[buyer] = _Open(buyer, None)
        if t < o.first:
            ended = self._closed_end.get(buyer)
            if ended is not None and t - ended <= gap:
                raise OutOfOrder(
                    f"{m.file}:{m.line}: buyer {buyer!r} has a message that belongs with a "
                    "session already checked (the input is not in time order across files)"
                )
        o.add(m, self._read)

    def _add_explicit(self, m: Message) -> None:
        sid = m.session
        assert sid is not None
        if m.shop is None:
            raise OutOfOrder(f"{m.file}:{m.line}: a row with a session id but no shop")
        if m.buyer in self._several:
            raise OutOfOrder(
                f"{m.file}:{m.line}: buyer {m.buyer!r} talks to several shops and has session ids"
            )
        self._with_ids.add(m.buyer)
        if sid in self._closed_ids:
            raise OutOfOrder(f"{m.file}:{m.line}: session {sid!r} continues after it was checked")
        o = self._by_id.get(sid)
        if o is None:
            o = self._by_id[sid] = _Open(m.buyer, sid)
        o.add(m, self._read)

    def _sweep(self, done: list[Session]) -> None:
        self._since_sweep = 0
        if self._mark is None:
            return
        horizon = self._mark - self._slack
        for table in (self._by_buyer, self._by_id):
            stale = [key for key, o in table.items() if o.last < horizon]
            for key in stale:
                self._finish(table.pop(key), done)

    # ------------------------------------------------------------------ shops

    def _learn_shop(self, m: Message, done: list[Session]) -> None:
        shop, buyer = m.shop, m.buyer
        assert shop is not None
        if buyer in self._checked_shopless:
            raise OutOfOrder(
                f"{m.file}:{m.line}: buyer {buyer!r} turns up with a shop after a session of "
                "theirs was checked without one"
            )
        known = self._shop.setdefault(buyer, shop)
        if known != shop:
            self._accept_another_shop(m)
        files = self._shop_files.get(buyer)
        if files is None:
            self._shop_files[buyer] = m.file
        elif type(files) is str:
            if files != m.file:
                self._shop_files[buyer] = {files, m.file}
        else:
            assert isinstance(files, set)
            files.add(m.file)
        if m.session is None:
            self._shop_without_id.add(buyer)
        else:
            known = self._id_shop.setdefault(m.session, shop)
            if known != shop:
                raise OutOfOrder(f"{m.file}:{m.line}: session {m.session!r} is seen with two shops")
        if buyer not in self._waiting:
            return
        waiting = self._waiting.pop(buyer)
        self._waiting_count -= len(waiting)
        for o in waiting:
            shops = self._shops_of(o)
            if len(shops) == 1 and None not in shops:
                done.append(self._session(o, shops.pop()))
            else:
                self._wait(o)

    def _accept_another_shop(self, m: Message) -> None:
        """Let buyer ``m.buyer``, seen with another shop, talk to ``m.shop`` too, if
        nothing handed back so far would have been placed otherwise (else the input
        is out of order)."""
        buyer = m.buyer
        placed_until = self._placed_until.get(buyer)
        if buyer not in self._several and (
            m.session is not None
            or buyer in self._with_ids
            or buyer in self._waiting
            or buyer in self._checked_shopless
        ):
            raise OutOfOrder(f"{m.file}:{m.line}: buyer {buyer!r} is seen with two shops")
        if placed_until is not None and m.time < placed_until:
            # this row could be nearer than the row of the buyer's first shop that
            # placed an earlier shop-less row of theirs
            raise OutOfOrder(f"{m.file}:{m.line}: buyer {buyer!r} is seen with two shops")
        self._several.add(buyer)

    def _shop_of(self, m: Message) -> str | None:
        """The shop batch reading gives ``m``, as far as the input has shown it."""
        if m.shop is not None:
            return m.shop
        buyer = m.buyer
        shop = self._shop.get(buyer)
        if shop is not None and (
            buyer in self._shop_without_id or _among(m.file, self._shop_files[buyer])
        ):
            return shop
        return None

    def _shops_of(self, o: _Open) -> set[str | None]:
        """The shops batch reading gives the messages of ``o`` (:meth:`_shop_of` of each)."""
        msgs = o.messages
        shops: set[str | None] = {m.shop for m in msgs}
        if None not in shops:
            return shops
        # The shop-less messages are all of buyer o.buyer (derived sessions: rows with a
        # session id carry their shop), so what the input has shown of that buyer's
        # shop is looked up once, not once per message.
        buyer = o.buyer
        shop = self._shop.get(buyer)
        if shop is None:
            return shops
        shops.discard(None)
        if buyer in self._shop_without_id:
            shops.add(shop)
            return shops
        files = self._shop_files[buyer]
        for m in msgs:
            if m.shop is None:
                shops.add(shop if _among(m.file, files) else None)
        return shops

    def _finish(self, o: _Open, done: list[Session]) -> None:
        """``o`` takes no more messages: hand it back, or let it wait for its shop."""
        if o.explicit is not None:
            self._closed_ids.add(o.explicit)
        else:
            self._closed_end[o.buyer] = o.last
            if o.buyer in self._several:
                done.extend(self._sessions_by_shop(o))
                self._remember_shop_rows(o)
                return
        shops = self._shops_of(o)
        if len(shops) == 1 and None not in shops:
            done.append(self._session(o, shops.pop()))
            return
        self._wait(o)
        if self._waiting_count > MAX_WAITING:
            self._give_up_waiting(done)

    def _wait(self, o: _Open) -> None:
        self._waiting.setdefault(o.buyer, []).append(o)
        self._waiting_count += 1

    def _give_up_waiting(self, done: list[Session]) -> None:
        """Check the oldest buyers' all-shop-less sessions without a shop."""
        for buyer in list(self._waiting):
            if self._waiting_count <= MAX_WAITING // 2:
                return
            waiting = self._waiting[buyer]
            if any(self._shops_of(o) != {None} for o in waiting):
                continue  # part-placed: it waits for the end
            del self._waiting[buyer]
            self._waiting_count -= len(waiting)
            self._checked_shopless.add(buyer)
            done.extend(self._session(o, None) for o in waiting)

    def _session(self, o: _Open, shop: str | None) -> Session:
        msgs = o.messages
        if o.explicit is not None:
            msgs.sort(key=_by_time)
            return Session(o.explicit, msgs[0].buyer, shop, tuple(msgs))
        reads = o.reads
        if reads[0] == reads[-1]:  # read from one file (nearly every session)
            msgs.sort(key=_by_time)  # stable: equal times stay in the order read
            self._settle_one_file(o, shop)
        else:
            if shop is not None:
                self._note_far_placements(o)
            self._remember_shop_rows(o)
            msgs.sort(key=_by_time)
        return Session(derived_id(o.buyer, msgs[0].time), o.buyer, shop, tuple(msgs))

    def _settle_one_file(self, o: _Open, shop: str | None) -> None:
        """:meth:`_note_far_placements` (for a session with a shop) and
        :meth:`_remember_shop_rows` of a derived session read from one file, its
        messages in time order. The placements are worked out only when some
        shop-less message has no shop row of the session within the gap: else
        none was farther than the gap, and there is nothing to note."""
        if shop is not None and not self._placed_within_gap(o):
            self._note_far_placements(o)
        self._remember_shop_rows(o)

    def _placed_within_gap(self, o: _Open) -> bool:
        """Whether every shop-less message of ``o`` (one file, in time order) has
        a shop row of ``o`` within the gap, before or after it."""
        gap = self.gap
        latest: datetime | None = None  # the time of the latest shop row so far
        unplaced: datetime | None = None  # a shop-less message with no shop row near before it
        for m in o.messages:
            if m.shop is not None:
                if unplaced is not None and m.time - unplaced > gap:
                    return False
                unplaced = None
                latest = m.time
            elif unplaced is None and (latest is None or m.time - latest > gap):
                unplaced = m.time
        return unplaced is None

    # ------------------------------------------------- buyers with several shops

    def _placements(self, o: _Open) -> Iterator[tuple[Message, timedelta | None, str | None]]:
        """Each shop-less message of ``o`` with the shop row nearest to it among those of
        its file known so far (in ``o``, and the latest before ``o``): its distance and
        shop, chosen as :func:`~cslint.readers.columns.fill_shops` chooses; ``None``
        without one. A shop row a later session brings is more than the gap away."""
        reads = o.reads
        rows: dict[int, list[tuple[datetime, int, str]]] = {
            reads[n]: [] for n, m in enumerate(o.messages) if m.shop is None
        }
        for n, m in enumerate(o.messages):  # in the order read
            if m.shop is not None and reads[n] in rows:
                rows[reads[n]].append((m.time, n, m.shop))
        for read, found in rows.items():
            prev = self._last_shop_row.get((o.buyer, read))
            if prev is not None and prev[0] <= o.first:  # from a session before o
                found.append((prev[0], -1, prev[1]))
            found.sort()
        for n, m in enumerate(o.messages):
            if m.shop is None:
                found = rows[reads[n]]
                if not found:
                    yield m, None, None
                else:
                    near = nearest_row(found, m.time)
                    yield m, abs(near[0] - m.time), near[2]

    def _note_far_placements(self, o: _Open) -> None:
        """Remember until when a row of another shop could change how a shop-less
        message of ``o`` was placed: its placing row's distance past it, when that
        is more than the gap (nearer rows than the gap cannot come any more)."""
        until = self._placed_until.get(o.buyer)
        for m, distance, _ in self._placements(o):
            if distance is None:  # placed from another file, or by the buyer's only shop
                limit = datetime.max
            elif distance > self.gap:
                limit = m.time + distance
            else:
                continue
            if until is None or limit > until:
                until = limit
        if until is not None:
            self._placed_until[o.buyer] = until

    def _sessions_by_shop(self, o: _Open) -> list[Session]:
        """The sessions batch reading makes of ``o``, the messages of a buyer who
        talks to several shops: each shop-less message takes its nearest shop
        row's shop, then each shop's messages split at the gap."""
        placed: dict[int, str] = {}
        for m, distance, shop in self._placements(o):
            if distance is None or distance > self.gap or shop is None:
                raise OutOfOrder(
                    f"{m.file}:{m.line}: buyer {o.buyer!r} talks to several shops and this "
                    "row has no shop row of theirs within the session gap in its file"
                )
            placed[id(m)] = shop
        by_shop: dict[str, list[Message]] = {}
        for m in o.messages:
            by_shop.setdefault(m.shop or placed[id(m)], []).append(m)
        sessions: list[Session] = []
        for shop, msgs in by_shop.items():
            msgs.sort(key=_by_time)
            sessions.extend(split_at_gaps(o.buyer, shop, msgs, self.gap))
        return sessions

    def _remember_shop_rows(self, o: _Open) -> None:
        """Keep, per file, the latest shop row of ``o`` (the first read among equal times)."""
        last = self._last_shop_row
        for m, read in zip(o.messages, o.reads, strict=True):
            if m.shop is not None:
                key = (o.buyer, read)
                known = last.get(key)
                if known is None or m.time > known[0]:
                    last[key] = (m.time, m.shop)


def _among(file: str, files: str | set[str]) -> bool:
    return file == files if type(files) is str else file in files
