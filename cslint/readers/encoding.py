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
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

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
_MIN_GB2312_SHARE = 0.9
_SAMPLE = 1 << 20  # characters looked at by the binary / plausibility checks
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
    shown = " ".join(f"{ord(c) - 0xDC00:02x}" for c in marks[:8])
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
    return _MARK_RE.sub(lambda m: "\ufffd" * len(m.group()), text)


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
