"""Personal data in chat text: find it (rule P002) and mask it (every output).

Kinds, as RULES.md P002 defines them:

- ``phone``: a mainland mobile number, ``1[3-9]`` + 9 digits, spaces or
  dashes allowed between digits (``138 1234 5678``, ``138-1234-5678``).
- ``id``: an 18-character resident ID number (17 digits + digit or X) whose
  birth date is a real date and whose ISO 7064 check digit is right.
- ``order``: an order number, 15–20 digits (an 18-digit run that is a valid ID
  number is an ID number instead).
- ``address``: a street address: a place level (省/市/区/县) followed, within
  a short stretch, by a street part (路/街/号/小区/栋/室 …) and a number.

Digit boundaries matter: a phone-shaped run inside a longer digit run is not a
phone, and a run of 12 digits (the usual Taobao item id) is nothing. Digits
inside a link (``http…``, ``….com/…``) are never personal data: a link names a
product, not a person.

Masking keeps the text's length, so spans computed on the raw text stay valid
in the masked text: ``13812345678`` → ``138****5678``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

PHONE = "phone"
ID_CARD = "id"
ORDER = "order"
ADDRESS = "address"

_ANY_DIGIT = re.compile(r"\d")
# A cheap necessary condition, checked before the real patterns: every phone
# is 1[3-9]\d and 8 more digits (_PHONE without its digit boundaries), every
# order or ID number holds 15 digits in a row, and every address holds one of
# the street parts of _ADDRESS. One search for all three (alternatives led by
# a literal first, which the regex engine scans for fast). The whole phone
# shape, not just its first three digits: a derived session id or a nick
# (tb_723318536#20250303-151929) nearly always holds a 1[3-9]\d, and every
# report masks both in every violation.
_HINT = re.compile(
    r"1[3-9]\d(?:[ -]?\d){8}|[路街道巷弄村栋幢室]|\d{15}|小区|花园|公寓|大厦|号楼|单元"
)
# The lookbehind makes a search start only at the beginning of a word run:
# without it, a long run of letters or digits is rescanned from every position.
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.-])[\w.-]+\.(?:com|cn|net|tv|hk)(?:/\S*)?", re.ASCII
)
# A run of digits, optionally grouped by single spaces/dashes (phone style).
_PHONE = re.compile(r"(?<![\d])1[3-9]\d(?:[ -]?\d){8}(?![\d])")
_DIGITS = re.compile(
    r"(?<![\dA-Za-z])\d{15,20}(?![\dA-Za-z])|(?<![\dA-Za-z])\d{17}[Xx](?![\dA-Za-z])"
)
_CJK = "\u4e00-\u9fff"
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_ADDRESS = re.compile(
    # a place level: a province name, or a short city/district/county name
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
    rf"|[{_CJK}]{{2,3}}(?:市|区|县))"
    rf"[{_CJK}A-Za-z0-9\-]{{0,24}}?"  # more place names, a road …
    r"(?:路|街|大道|道|巷|弄|村|小区|花园|公寓|大厦|栋|幢|号楼|单元|室)"  # a street part
    rf"[{_CJK}A-Za-z\-]{{0,12}}?"
    r"(?:\d+[A-Za-z]?(?:号楼|号|栋|幢|室|单元|楼|层|户|弄|-|#)?)+"  # house numbers
)
# a character of each street part of _ADDRESS (路 街 大道 道 巷 弄 村 小区 花园 …)
_STREET_CHARS = frozenset("路街道巷弄村区园寓厦栋幢楼元室")
# verbs and prepositions the short place-name pattern can take in before a city
_ADDRESS_LEAD = frozenset("到寄发送在是址于往至")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data: where it is and its comparable ``key``."""

    kind: str
    start: int
    end: int
    key: str  # digits only for numbers; the street part for addresses

    @property
    def masked(self) -> str:
        return mask_value(self.kind, self.key)


def is_id_number(value: str) -> bool:
    """Whether ``value`` is an 18-character ID number with a real birth date and check digit."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= 31:
        return False  # most 18-digit order numbers: no exception raised and caught
    try:
        date(year, month, day)
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def _link_spans(text: str) -> list[tuple[int, int]]:
    if "." not in text and "://" not in text:
        return []  # every link holds one or the other: most texts, no search
    return [m.span() for m in _LINK.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def find_pii(text: str) -> list[PiiMatch]:
    """Every piece of personal data in ``text``, sorted by position."""
    if _ANY_DIGIT.search(text) is None:
        return []  # every kind, addresses included, carries a number
    if _HINT.search(text) is None:
        return []  # most numbers in chats are prices, sizes and times
    return list(_find_all(text))


# Keyed by text: a canned reply or a pasted address comes back again and again
# (P002 looks at every message, the reporters mask every violation's text).
# Bounded, so memory stays flat however long the run.
@lru_cache(maxsize=4096)
def _find_all(text: str) -> tuple[PiiMatch, ...]:
    links = _link_spans(text)
    found: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []
    for m in _DIGITS.finditer(text):
        start, end = m.span()
        if _inside(links, start, end):
            continue
        value = m.group()
        kind = ID_CARD if is_id_number(value) else ORDER
        if kind == ORDER and not value.isdigit():
            continue  # 17 digits + X that fails the ID check: neither
        found.append(PiiMatch(kind, start, end, value.upper()))
        taken.append((start, end))
    for m in _PHONE.finditer(text):
        start, end = m.span()
        if _inside(links, start, end) or _inside(taken, start, end):
            continue
        found.append(PiiMatch(PHONE, start, end, re.sub(r"\D", "", m.group())))
    # every address holds a street part, and so one of these characters: most
    # texts with numbers in them (prices, order numbers) hold none
    if not _STREET_CHARS.isdisjoint(text):
        found.extend(_addresses(text, links))
    found.sort(key=lambda p: (p.start, -p.end))
    return tuple(found)


def _addresses(text: str, links: list[tuple[int, int]]) -> list[PiiMatch]:
    found: list[PiiMatch] = []
    for m in _ADDRESS.finditer(text):
        start, end = m.span()
        while end - start > 4 and text[start] in _ADDRESS_LEAD:
            start += 1  # 寄到杭州市… : the address starts at the place name
        if _inside(links, start, end):
            continue
        found.append(PiiMatch(ADDRESS, start, end, address_key(text[start:end])))
    return found


def address_key(value: str) -> str:
    """Compare addresses on their street part: the same street and number
    written after 浙江省杭州市 or after 杭州 alone is the same address."""
    return re.sub(r"\s", "", value[_address_prefix_len(value) :]) or value


def mask_value(kind: str, value: str) -> str:
    """Mask one value, keeping its length (``13812345678`` → ``138****5678``)."""
    n = len(value)
    if kind == ADDRESS:
        keep = _address_prefix_len(value)
        return value[:keep] + "*" * (n - keep)
    if kind == PHONE:
        digits = [i for i, ch in enumerate(value) if ch.isdigit()]
        hidden = set(digits[3:7])
        return "".join("*" if i in hidden else ch for i, ch in enumerate(value))
    # order and id numbers: keep the first 3 and the last 4
    if n <= 7:
        return "*" * n
    return value[:3] + "*" * (n - 7) + value[-4:]


def _address_prefix_len(value: str) -> int:
    """Keep the place names up to the last 省/市/区/县 of the head; hide the street part."""
    keep = 0
    for i, ch in enumerate(value[:12]):
        if ch in "省市区县":
            keep = i + 1
    return keep


def mask_text(text: str) -> str:
    """``text`` with every piece of personal data masked; same length as ``text``."""
    matches = find_pii(text)
    if not matches:
        return text
    out: list[str] = []
    pos = 0
    for m in matches:
        if m.start < pos:
            continue  # overlaps an earlier match (an address holding a phone number)
        out.append(text[pos : m.start])
        out.append(mask_value(m.kind, text[m.start : m.end]))
        pos = m.end
    out.append(text[pos:])
    return "".join(out)
