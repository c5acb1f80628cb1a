"""Per-file encoding detection: UTF-8 (BOM or not), UTF-16 with BOM, GB18030/GBK.

Order of decisions (:func:`decode`):

1. A BOM decides: ``EF BB BF`` UTF-8, ``FF FE`` UTF-16 LE, ``FE FF`` UTF-16 BE
   (``FF FE 00 00`` / ``00 00 FE FF``, UTF-32, is refused).
2. NUL bytes (U+0000) do not occur in text. A file where at most
   ``max(3, 5 %)`` lines hold one, and no more lines than hold none (a stray
   NUL written by a crashed export tool), is read: each such line is a bad
   line (``binary data in the line (NUL bytes)``) and its row is rejected,
   the other rows are kept. More NUL lines than that make the file binary;
   so does UTF-16 without a BOM, which has NULs on nearly every line (it is
   not supported: it cannot be told from binary reliably).
3. Strict UTF-8. Pure ASCII is reported as ``utf-8``.
4. Strict GB18030 (a superset of GBK and GB2312). GB18030 accepts most byte
   soups, so the result must also look like Chinese: at least 90 % of its
   non-ASCII characters in GB2312 (real simplified-Chinese chat is ~99 %;
   Big5, Shift-JIS or random bytes read as GBK score 0-50 %; emoji, which
   GB18030 can hold, count for neither side). Below that,
   charset-normalizer judges: the file is GB18030 only if it lists a GB
   encoding among its candidates (this accepts traditional characters saved as
   GBK and refuses Big5). EUC-KR text is byte-for-byte valid GB2312 and cannot
   be told apart; it would be read as (garbled) GB18030, an accepted risk for
   Taobao exports.
5. Neither decodes strictly: each line is decoded on its own in UTF-8 and in
   GB18030 and the encoding with fewer bad lines wins (a tie goes to UTF-8; the
   GB18030 candidate must still look like Chinese). If the winner has at most
   ``max(3, 5 %)`` bad lines, and no more bad lines than good non-blank ones
   (a one-line file that is all bad is not "a few bad lines"), the file is read
   and each bad line is reported
   (``bad_lines``: line -> ``"undecodable bytes (…)"``), its bad bytes replaced
   by U+FFFD so the line's structure (quotes, separators) stays; readers reject
   the row or message the line belongs to. A final character cut off by the end
   of the file is one such bad line. More bad lines than that: the file is
   undecodable, with charset-normalizer's guess in the reason when it has one.
6. A decoded text where more than 10 % of the characters are control
   characters is a binary file.

Line ends: CRLF and lone CR become LF after decoding, so line ``n`` of the text
is physical line ``n`` of the file (a lone CR counts as a line end, as the csv
module and text editors count it).

Streaming (what the readers use): :func:`plan_text` is a first pass over the
file, ``CHUNK`` bytes at a time, that takes exactly the decisions above
without holding the file; :func:`text_chunks` is the second pass, which
yields the text as :class:`Chunk` s of whole lines with their bad lines.

- The common files (UTF-8, GB18030 or UTF-16, each strictly valid and without
  NUL) are checked by one strict incremental decode; nothing is kept but the
  first ``_SAMPLE`` characters that steps 4 and 6 look at.
- Otherwise (NUL bytes, undecodable lines) the first pass counts what the
  thresholds of steps 2 and 5 need: lines, non-blank lines and bad lines, for
  UTF-8 and, when it can change the outcome, GB18030 (whose count stops as soon
  as it cannot beat UTF-8).
- UTF-8 and GB18030 never hold a CR or LF byte inside a character, so both
  passes end lines on bytes and decode whole lines only: a bad byte never
  swallows a line end, as in :func:`decode`, which reads each line on its own.
  A chunk decodes strictly in one go; one that fails (or holds a NUL) decodes
  in runs of good lines, and each bad line on its own with its bytes marked.
- Memory stays bounded by a few chunks, the longest line and the 1 MB head
  the checks look at, except on one rare path: a UTF-16 file with bad bytes or
  NUL characters is decoded whole, by :func:`decode`.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LABEL = {"utf-8": "UTF-8", "gb18030": "GB18030", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}
_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "cp936", "hz"})
_SUPPORTED = _GB_FAMILY | {"utf_8", "utf_16", "utf_16_le", "utf_16_be", "ascii"}
_CONTROL_RE = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Emoji (and the joiners, selectors and tags of their sequences) are neither
# Chinese nor garbage: GB18030 encodes them in four bytes that byte soup rarely
# forms, and chat is full of them. They are left out of the GB2312 share.
_NON_ASCII_RE = re.compile(
    r"[^\x00-\x7f\udc00-\udfff\ufffd\u200d\ufe0f\u20e3"
    r"\U0001f000-\U0001faff\U000e0020-\U000e007f]+"
)
_MARK_RE = re.compile(r"[\udc00-\udcff]+")
_MARK_CHAR_RE = re.compile(r"[\udc00-\udcff]")
_WINDOW = 1 << 14  # bytes decoded at once in a chunk with bad lines (a failed try copies them)
_MIN_GB2312_SHARE = 0.9
_SAMPLE = 1 << 20  # characters looked at by the binary / plausibility checks
CHUNK = 1 << 18  # bytes read at a time when a file is streamed
HEAD_BYTES = 1 << 16  # what format sniffing looks at: bytes of a file, characters of its text
_ERRORS = "cslint-mark"

UNDECODABLE = "undecodable file: not UTF-8, UTF-16 or GB18030"
NUL_LINE = "binary data in the line (NUL bytes)"

# Magic numbers worth naming when a binary file is handed to a text reader.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive, e.g. an .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Office file, e.g. .xls"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def _mark(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: each bad byte becomes U+DC00+byte (never produced by strict decoding)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(0xDC00 + b) for b in bad), exc.end


codecs.register_error(_ERRORS, _mark)


@dataclass(frozen=True)
class Decoded:
    """A decoded file: LF-only ``text``, the encoding used, and bad lines (1-based)."""

    text: str
    encoding: str
    bad_lines: Mapping[int, str]


class UndecodableError(ValueError):
    """The file as a whole is not text in a supported encoding; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _lf(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _magic(data: bytes) -> str:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f"binary file ({what})"
    return "binary file"


def _check_text(text: str, data: bytes) -> None:
    sample = text[:_SAMPLE]
    if "\x00" in text or len(_CONTROL_RE.findall(sample)) * 10 > len(sample):
        raise UndecodableError(_magic(data))


def _gb2312_share(text: str) -> float:
    """Share of non-ASCII characters (bad bytes aside) that GB2312 has: ~1.0 for Chinese."""
    chars = "".join(_NON_ASCII_RE.findall(text[:_SAMPLE]))
    if not chars:
        return 1.0
    known = len(chars.encode("gb2312", "ignore").decode("gb2312"))
    return known / len(chars)


def _charset_normalizer_encodings(data: bytes) -> list[str]:
    """Candidate encodings charset-normalizer sees, best first (empty: not text)."""
    from charset_normalizer import from_bytes

    try:
        return [str(match.encoding) for match in from_bytes(data[:_SAMPLE])]
    except Exception:  # a judge that fails has no opinion
        return []


def _looks_chinese(text: str, data: bytes) -> bool:
    if _gb2312_share(text) >= _MIN_GB2312_SHARE:
        return True
    return any(enc in _GB_FAMILY for enc in _charset_normalizer_encodings(data))


def _undecodable(data: bytes) -> UndecodableError:
    guesses = [e for e in _charset_normalizer_encodings(data) if e not in _SUPPORTED]
    if guesses:
        return UndecodableError(f"{UNDECODABLE} (it may be {guesses[0]})")
    return UndecodableError(UNDECODABLE)


def _describe(marks: str, label: str, truncated: bool) -> str:
    shown = bytes(ord(c) - 0xDC00 for c in marks[:8]).hex(" ")
    if len(marks) > 8:
        shown += " …"
    if truncated:
        return f"undecodable bytes (the file ends in the middle of a {label} character: {shown})"
    return f"undecodable bytes (not valid {label}: {shown})"


def _collect_bad(text: str, label: str, data_ends_mid_line: bool) -> dict[int, str]:
    """Bad lines of a marked, LF-only text; their reasons name the first bad bytes."""
    bad: dict[int, str] = {}
    line, pos = 1, 0
    for m in _MARK_RE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if line not in bad:
            truncated = data_ends_mid_line and m.end() == len(text)
            bad[line] = _describe(m.group(), label, truncated)
    return bad


def _decode_lines(data: bytes, encoding: str) -> tuple[str, dict[int, str]]:
    """Decode line by line (so a bad byte never swallows a line end) with marks."""
    parts: list[str] = []
    for raw in data.split(b"\n"):
        try:
            parts.append(raw.decode(encoding))
        except UnicodeDecodeError:
            parts.append(raw.decode(encoding, _ERRORS))
    text = "\n".join(parts)
    ends_mid_line = not data.endswith(b"\n")
    return text, _collect_bad(text, _LABEL[encoding], ends_mid_line)


def _clean(text: str) -> str:
    return _MARK_CHAR_RE.sub("\ufffd", text)  # one U+FFFD per bad byte


def _few(bad: Mapping[int, str], text: str) -> bool:
    """At most ``max(3, 5 %)`` bad lines, and no more bad than good non-blank lines."""
    lines = text.split("\n")
    good = sum(1 for line in lines if line.strip()) - len(bad)
    return len(bad) <= max(3, len(lines) // 20) and len(bad) <= good


def decode(data: bytes) -> Decoded:
    """Decode a whole file; raises :class:`UndecodableError` for a file-level failure."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-16-le" and data.startswith(b"\xff\xfe\x00\x00"):
                raise UndecodableError(f"{UNDECODABLE} (it looks like UTF-32)")
            return _decode_bom(data, bom, encoding)
    if data.startswith(b"\x00\x00\xfe\xff"):
        raise UndecodableError(f"{UNDECODABLE} (it looks like UTF-32)")
    if b"\x00" not in data:
        return _decode_plain(data)
    nul = _nul_lines(data)
    decoded = _decode_plain(data.replace(b"\x00", b" "))
    bad = {**nul, **decoded.bad_lines}
    if not _few(bad, decoded.text):
        raise UndecodableError(_magic(data))
    return Decoded(decoded.text, decoded.encoding, bad)


def _nul_lines(data: bytes) -> dict[int, str]:
    """The lines (1-based) with a NUL byte; a file with more than a few is binary."""
    lines = _lf_bytes(data).split(b"\n")
    bad = {n: NUL_LINE for n, line in enumerate(lines, 1) if b"\x00" in line}
    good = sum(1 for line in lines if line.strip()) - len(bad)
    if len(bad) > max(3, len(lines) // 20) or len(bad) > good:
        raise UndecodableError(_magic(data))
    return bad


def _decode_plain(data: bytes) -> Decoded:
    """A file without BOM and without NUL bytes."""
    try:
        text = _lf(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text, data)
        return Decoded(text, "utf-8", {})
    try:
        text = _lf(data.decode("gb18030"))
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text, data)
        if not _looks_chinese(text, data):
            raise _undecodable(data)
        return Decoded(text.removeprefix("\ufeff"), "gb18030", {})  # GB18030's own BOM
    return _decode_damaged(data)


def _decode_bom(data: bytes, bom: bytes, encoding: str) -> Decoded:
    body = data[len(bom) :]
    name = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = _lf(body.decode(name))
        bad: dict[int, str] = {}
    except UnicodeDecodeError:
        if name == "utf-8":
            text, bad = _decode_lines(_lf_bytes(body), name)
        else:
            text = _lf(body.decode(name, _ERRORS))
            bad = _collect_bad(text, _LABEL[name], True)
        if not _few(bad, text):
            raise _undecodable(data) from None
        text = _clean(text)
    if "\x00" in text:  # U+0000 in UTF-16 or UTF-8: a few such lines are bad lines
        nul = {n: NUL_LINE for n, line in enumerate(text.split("\n"), 1) if "\x00" in line}
        bad = {**nul, **bad}
        if not _few(bad, text):
            raise UndecodableError(_magic(data))
        text = text.replace("\x00", "\ufffd")
    _check_text(text, data)
    return Decoded(text, encoding, bad)


def _lf_bytes(data: bytes) -> bytes:
    # Safe for UTF-8 and GB18030: CR and LF bytes never occur inside their multi-byte characters.
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _decode_damaged(data: bytes) -> Decoded:
    lf = _lf_bytes(data)
    u_text, u_bad = _decode_lines(lf, "utf-8")
    candidates: list[tuple[int, int, str, str, dict[int, str]]] = []
    if _few(u_bad, u_text):
        candidates.append((len(u_bad), 0, "utf-8", u_text, u_bad))
    g_text, g_bad = _decode_lines(lf, "gb18030")
    if _few(g_bad, g_text) and _looks_chinese(g_text, data):
        candidates.append((len(g_bad), 1, "gb18030", g_text, g_bad))
    if not candidates:
        raise _undecodable(data)
    _, _, encoding, text, bad = min(candidates, key=lambda c: (c[0], c[1]))
    text = _clean(text)
    _check_text(text, data)
    return Decoded(text.removeprefix("\ufeff"), encoding, bad)


def decode_head(head: bytes) -> str:
    """Best-effort text of a file's first bytes, for sniffing only (never raises)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            body = head[len(bom) :]
            return _lf(body.decode(encoding.removesuffix("-sig"), "replace"))
    for encoding in ("utf-8", "gb18030"):
        try:
            return _lf(head.decode(encoding))
        except UnicodeDecodeError as exc:
            # A head cut in the middle of a character is still that encoding.
            if exc.start >= len(head) - 4 and exc.reason != "invalid start byte":
                return _lf(head[: exc.start].decode(encoding, "replace"))
    return _lf(head.decode("utf-8", "replace"))


class Chunk(NamedTuple):
    """Consecutive lines of a decoded file; ``lines[0]`` is line ``first`` (1-based).

    Every line ends with ``\\n`` but the file's last one when the file does not.
    ``bad`` maps the chunk's bad lines to why they are bad (see :func:`decode`).
    """

    first: int
    lines: list[str]
    bad: Mapping[int, str]


@dataclass(frozen=True)
class TextPlan:
    """How the second pass decodes a file: what :func:`decode` would decide for it."""

    encoding: str  # the name decode() gives
    codec: str  # the codec of the text after the BOM
    skip: int  # bytes of BOM before the text
    # decode() blanks NUL bytes before decoding a file without BOM, and turns NUL
    # characters into U+FFFD after decoding one with a BOM (a line with one is bad either way).
    blank_nul: bool
    strip_bom: bool  # GB18030 has a BOM of its own, decoded as U+FEFF: dropped
    head: str  # the first HEAD_BYTES characters of the text, for sniffing
    blank: bool  # the text is whitespace only
    whole: Decoded | None = None  # the rare path: decoded in memory by decode()


@dataclass
class _Tally:
    """What one encoding makes of a file, counted line by line (first pass, careful path)."""

    lines: int = 1  # pieces of the text split at LF
    nonblank: int = 0  # line 1 with its U+FEFF, as decode() judges a GB18030 candidate
    bom_line: bool = False  # line 1 is a U+FEFF and whitespace: blank once the BOM is dropped
    undecodable: int = 0
    bad: int = 0  # undecodable or NUL lines
    nul: int = 0  # lines with a NUL byte
    byte_nonblank: int = 0  # non-blank lines as bytes (ASCII whitespace), as _nul_lines counts
    sample: str = ""  # the first _SAMPLE characters of the text (before a BOM is dropped)
    stopped: bool = False  # counting stopped early: this encoding cannot win


def plan_text(path: Path) -> TextPlan | None:
    """First pass: how to decode ``path`` (``None``: it has no bytes).

    Raises :class:`UndecodableError` for a file :func:`decode` refuses, and
    ``OSError`` when the file cannot be read.
    """
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
    if not head:
        return None
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding == "utf-16-le" and head.startswith(b"\xff\xfe\x00\x00"):
                raise UndecodableError(f"{UNDECODABLE} (it looks like UTF-32)")
            if encoding == "utf-8-sig":
                return _plan_utf8_bom(path, head)
            return _plan_utf16(path, head, len(bom), encoding)
    if head.startswith(b"\x00\x00\xfe\xff"):
        raise UndecodableError(f"{UNDECODABLE} (it looks like UTF-32)")
    return _plan_plain(path, head)


def _plan(encoding: str, codec: str, skip: int, strip_bom: bool, head: str, more: bool) -> TextPlan:
    """A plan from the text's first characters; ``more``: non-blank text they may not show."""
    if strip_bom:
        head = head.removeprefix("\ufeff")
    blank = not more and not head.strip()
    return TextPlan(encoding, codec, skip, skip == 0, strip_bom, head[:HEAD_BYTES], blank)


@dataclass
class _Strict:
    """A strict decode of a whole text, chunk by chunk."""

    head: str = ""  # the first _SAMPLE characters of the LF-only text, or more (or all of it)
    more: bool = False  # non-blank text follows the head
    failed_at: int = -1  # bytes read when decoding failed or met a NUL; -1: it did neither


def _strict_scan(path: Path, skip: int, codec: str) -> _Strict:
    """Decode the text strictly, keeping only its first characters."""
    decoder = codecs.getincrementaldecoder(codec)()
    # UTF-8 and GB18030 have a NUL character exactly where the bytes have a NUL
    # byte (no multi-byte character holds one): looking in the bytes saves a
    # scan of the (wider) text. UTF-16 text is looked at as text.
    nul_in_bytes = not codec.startswith("utf-16")
    scan = _Strict()
    parts: list[str] = []
    size = read = 0
    held_cr = False  # a CR at the end of a piece may be the first half of a CRLF
    with path.open("rb") as fh:
        fh.seek(skip)
        while True:
            data = fh.read(CHUNK)
            read += len(data)
            try:
                piece = decoder.decode(data, final=not data)
            except UnicodeDecodeError:
                scan.failed_at = read
                return scan
            if b"\x00" in data if nul_in_bytes else "\x00" in piece:
                scan.failed_at = read
                return scan
            if size < _SAMPLE:
                if held_cr:
                    piece = "\r" + piece
                held_cr = piece.endswith("\r")
                piece = _lf(piece[:-1] if held_cr else piece)
                parts.append(piece)
                size += len(piece)
            elif not scan.more and piece.strip():
                scan.more = True
            if not data:
                break
    if held_cr:
        parts.append("\n")
    scan.head = "".join(parts)
    return scan


def _plan_plain(path: Path, head: bytes) -> TextPlan:
    """A file without BOM: decode()'s steps 2 to 6."""
    utf8_scan = _strict_scan(path, 0, "utf-8")
    if utf8_scan.failed_at < 0:
        _check_text(utf8_scan.head, head)
        return _plan("utf-8", "utf-8", 0, False, utf8_scan.head, utf8_scan.more)
    gb_scan = _strict_scan(path, 0, "gb18030")
    if gb_scan.failed_at < 0:
        _check_text(gb_scan.head, head)
        if not _looks_chinese(gb_scan.head, head):
            raise _undecodable(head)
        return _plan("gb18030", "gb18030", 0, True, gb_scan.head, gb_scan.more)
    # NUL bytes, or undecodable lines: decode() judges the file with its NULs blanked.
    head = head.replace(b"\x00", b" ")
    gb: _Tally | None = None
    if gb_scan.failed_at > utf8_scan.failed_at:  # more of it reads as GB18030: count that first
        gb = full = _tally(path, 0, "gb18030")
        # UTF-8 is out once it has more bad lines than _few allows, or any against a valid GB18030.
        utf8 = _tally(path, 0, "utf-8", stop_at=max(3, gb.lines // 20) + 1 if gb.undecodable else 1)
    else:
        utf8 = full = _tally(path, 0, "utf-8")
    if full.nul and (
        full.nul > max(3, full.lines // 20) or full.nul > full.byte_nonblank - full.nul
    ):
        raise UndecodableError(_magic(head))
    winner, codec = utf8, "utf-8"
    if utf8.undecodable:
        few_utf8 = not utf8.stopped and _few_counts(utf8.undecodable, utf8.lines, utf8.nonblank)
        if gb is None:
            # GB18030 can only win with fewer bad lines than a UTF-8 that qualifies.
            gb = _tally(path, 0, "gb18030", stop_at=utf8.undecodable if few_utf8 else None)
        if not gb.undecodable:
            _check_text(gb.sample, head)
            if not _looks_chinese(gb.sample, head):
                raise _undecodable(head)
            winner, codec = gb, "gb18030"
        else:
            gb_ok = (
                not gb.stopped
                and _few_counts(gb.undecodable, gb.lines, gb.nonblank)
                and _looks_chinese(gb.sample, head)
            )
            if not few_utf8 and not gb_ok:
                raise _undecodable(head)
            if gb_ok and (not few_utf8 or gb.undecodable < utf8.undecodable):
                winner, codec = gb, "gb18030"
            _check_text(winner.sample, head)
    else:
        _check_text(utf8.sample, head)
    nonblank = winner.nonblank - winner.bom_line  # as in the text decode() returns
    if full.nul and not _few_counts(winner.bad, winner.lines, nonblank):
        raise UndecodableError(_magic(head))
    return _plan(codec, codec, 0, codec == "gb18030", winner.sample, nonblank > 0)


def _plan_utf8_bom(path: Path, head: bytes) -> TextPlan:
    """UTF-8 with BOM: decode()'s _decode_bom."""
    skip = len(codecs.BOM_UTF8)
    scan = _strict_scan(path, skip, "utf-8")
    if scan.failed_at < 0:
        _check_text(scan.head, head)
        return _plan("utf-8-sig", "utf-8", skip, False, scan.head, scan.more)
    tally = _tally(path, skip, "utf-8")
    if tally.undecodable and not _few_counts(tally.undecodable, tally.lines, tally.nonblank):
        raise _undecodable(head)
    if tally.nul and not _few_counts(tally.bad, tally.lines, tally.nonblank):
        raise UndecodableError(_magic(head))
    _check_text(tally.sample, head)
    return _plan("utf-8-sig", "utf-8", skip, False, tally.sample, tally.nonblank > 0)


def _plan_utf16(path: Path, head: bytes, skip: int, codec: str) -> TextPlan:
    """UTF-16 with BOM: streamed when strictly valid without NUL, else decoded whole."""
    scan = _strict_scan(path, skip, codec)
    if scan.failed_at < 0:
        _check_text(scan.head, head)
        return _plan(codec, codec, skip, False, scan.head, scan.more)
    whole = decode(path.read_bytes())
    text = whole.text
    return TextPlan(codec, codec, skip, False, False, text[:HEAD_BYTES], not text.strip(), whole)


def _few_counts(bad: int, lines: int, nonblank: int) -> bool:
    """:func:`_few` on counts."""
    return bad <= max(3, lines // 20) and bad <= nonblank - bad


def _tally(path: Path, skip: int, codec: str, stop_at: int | None = None) -> _Tally:
    """Count lines, non-blank and bad lines of the text as the second pass would decode it.

    With ``stop_at``, counting stops once that many lines are undecodable.
    """
    tally = _Tally()
    parts: list[str] = []
    size = 0
    first = 1
    with path.open("rb") as fh:
        fh.seek(skip)
        for data, ends_file in _byte_chunks(fh):
            raw_lines = data.split(b"\n")
            tally.byte_nonblank += sum(map(bool, map(bytes.strip, raw_lines)))
            if b"\x00" in data:
                tally.nul += sum(1 for raw in raw_lines if b"\x00" in raw)
            limit = None if stop_at is None else stop_at - tally.undecodable
            lines, bad = _decode_chunk(data, first, codec, skip == 0, ends_file, limit)
            if first == 1 and lines and lines[0].startswith("\ufeff"):
                tally.bom_line = not lines[0][1:].strip()
            first += len(lines)
            tally.lines += len(raw_lines) - 1
            tally.nonblank += sum(map(bool, map(str.strip, lines)))
            tally.undecodable += sum(1 for reason in bad.values() if reason != NUL_LINE)
            tally.bad += len(bad)
            if size < _SAMPLE:
                text = "".join(lines)
                parts.append(text)
                size += len(text)
            if stop_at is not None and tally.undecodable >= stop_at:
                tally.stopped = True
                break
    tally.sample = "".join(parts)[:_SAMPLE]
    return tally


def _byte_chunks(fh: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The rest of ``fh`` as LF-only pieces of whole lines, about ``CHUNK`` bytes each.

    The flag is true for the last piece, the end of the file, which may end
    without a line end (and may be empty).
    """
    unfinished: list[bytes] = []  # a line still waiting for its end
    held_cr = False  # the last read ended with CR: it may be the first half of a CRLF
    while data := fh.read(CHUNK):
        if held_cr:
            data = b"\r" + data
        held_cr = data.endswith(b"\r")
        if held_cr:
            data = data[:-1]
        data = _lf_bytes(data)
        cut = data.rfind(b"\n") + 1
        if not cut:
            unfinished.append(data)
            continue
        unfinished.append(data[:cut])
        yield b"".join(unfinished), False
        unfinished = [data[cut:]]
    if held_cr:
        unfinished.append(b"\n")
    yield b"".join(unfinished), True


def _decode_chunk(
    data: bytes, first: int, codec: str, blank_nul: bool, ends_file: bool, limit: int | None = None
) -> tuple[list[str], dict[int, str]]:
    """The lines of a piece of LF-only bytes (whole lines, or the file's end) and its bad lines.

    ``limit``: stop decoding at that many undecodable lines (see _decode_marking_lines).
    """
    if b"\x00" not in data:
        try:
            return io.StringIO(data.decode(codec)).readlines(), {}
        except UnicodeDecodeError:
            pass
    nul_lines: list[int] = []
    if blank_nul and b"\x00" in data:
        pieces = data.split(b"\n")
        nul_lines = [n for n, raw in enumerate(pieces, first) if b"\x00" in raw]
        data = data.replace(b"\x00", b" ")
    text, bad = _decode_marking_lines(data, first, codec, ends_file, limit)
    lines = io.StringIO(text).readlines()
    if "\x00" in text:  # with a BOM, NUL characters are bad too (and shown as U+FFFD)
        for i, line in enumerate(lines):
            if "\x00" in line:
                nul_lines.append(first + i)
                lines[i] = line.replace("\x00", "\ufffd")
    for number in nul_lines:
        bad.setdefault(number, NUL_LINE)  # undecodable bytes are the reason given first
    return lines, bad


def _decode_marking_lines(
    data: bytes, first: int, codec: str, ends_file: bool, limit: int | None = None
) -> tuple[str, dict[int, str]]:
    """Decode line by line, as decode() does, and say why each bad line is bad.

    Where a strict decode fails is always inside the first bad line (a
    character cut by a line end fails before the line end), so good lines are
    decoded in runs of about ``_WINDOW`` bytes and only bad ones on their own.
    With ``limit``, decoding stops at that many bad lines (the text is then cut short).
    """
    label = _LABEL[codec]
    view = memoryview(data)
    size = len(data)
    parts: list[str] = []
    bad: dict[int, str] = {}
    pos, line = 0, first  # the next byte to decode and its line
    after_bad = False  # bad lines come in runs: after one, try the next line alone
    while pos < size:
        if after_bad or pos + _WINDOW >= size:
            end = data.find(b"\n", pos) + 1 if after_bad else 0
        else:
            end = data.find(b"\n", pos + _WINDOW) + 1
        end = end or size
        try:
            parts.append(str(view[pos:end], codec))
            line += data.count(b"\n", pos, end)
            pos, after_bad = end, False
            continue
        except UnicodeDecodeError as exc:
            failed = pos + exc.start
        start = data.rfind(b"\n", pos, failed) + 1 or pos
        stop = data.find(b"\n", failed)
        parts.append(str(view[pos:start], codec))
        line += data.count(b"\n", pos, start)
        text = _mark_line(data[start:] if stop < 0 else data[start:stop], codec)
        marks = _MARK_RE.search(text)
        assert marks is not None  # a failed strict decode marks at least one byte
        truncated = ends_file and stop < 0 and marks.end() == len(text)
        bad[line] = _describe(marks.group(), label, truncated)
        parts.append(_clean(text))
        if stop < 0 or len(bad) == limit:
            break
        parts.append("\n")
        pos, line, after_bad = stop + 1, line + 1, True
    return "".join(parts), bad


def _mark_line(raw: bytes, codec: str) -> str:
    """A bad line decoded with each bad byte marked (see ``_mark``)."""
    if codec == "utf-8":
        # UTF-8 never refuses an ASCII byte, so "surrogateescape" marks exactly
        # as _mark does, in C. GB18030 can (a four-byte character cut short by
        # the line end), which "surrogateescape" would leave unmarked.
        return raw.decode(codec, "surrogateescape")
    return raw.decode(codec, _ERRORS)


def text_chunks(path: Path, plan: TextPlan) -> Iterator[Chunk]:
    """Second pass: the text of ``path`` as :func:`plan_text` planned it, in chunks of lines."""
    if plan.whole is not None:
        yield Chunk(1, io.StringIO(plan.whole.text).readlines(), plan.whole.bad_lines)
        return
    with path.open("rb") as fh:
        fh.seek(plan.skip)
        if plan.codec.startswith("utf-16"):
            chunks = _utf16_chunks(fh, plan.codec)
        else:
            chunks = _line_chunks(fh, plan.codec, plan.blank_nul)
        first = next(chunks, None)
        if first is None:
            return
        if plan.strip_bom and first.lines:
            first.lines[0] = first.lines[0].removeprefix("\ufeff")
        yield first
        yield from chunks


def _line_chunks(fh: BinaryIO, codec: str, blank_nul: bool) -> Iterator[Chunk]:
    """UTF-8 or GB18030: chunks of whole lines, decoded strictly, line by line where that fails."""
    first = 1
    for data, ends_file in _byte_chunks(fh):
        lines, bad = _decode_chunk(data, first, codec, blank_nul, ends_file)
        if lines:
            yield Chunk(first, lines, bad)
            first += len(lines)


def _utf16_chunks(fh: BinaryIO, codec: str) -> Iterator[Chunk]:
    """A strictly valid UTF-16 text (the first pass checked it), in chunks of lines."""
    text = io.TextIOWrapper(fh, encoding=codec, newline=None)
    first = 1
    try:
        while lines := text.readlines(CHUNK):
            yield Chunk(first, lines, {})
            first += len(lines)
    except UnicodeDecodeError:
        raise UndecodableError(f"{UNDECODABLE} (the file changed while it was read)") from None
