"""Find emoticons in a chat message (RULES.md, "Terms": *emoticon*).

Four families, found by one compiled regex in a single left-to-right scan:

* **Wangwang codes** — ``/:`` plus 1–4 printable ASCII characters (``/:^_^``
  ``/:087`` ``/:-f`` ``/:^$^`` ``/:?``). Greedy up to 4 characters, stopping at a
  space, a non-ASCII character (CJK) or the next ``/:``. Three digits form a
  complete numeric code (``/:0871`` is ``/:087`` + ``1``). A code does not *end*
  in ``,.;!?~"'`` unless that is its only character, so ``/:^_^,`` and
  ``/:087.`` leave the punctuation to the text while ``/:?`` stays a code.
  Letters are allowed (``/:-f``, ``/:Q``), so ``/:^_^ok`` swallows the ``o``:
  agents put a space or CJK after a code in practice.
* **Bracket codes** — 1–4 CJK characters in ASCII (or full-width) square
  brackets: ``[微笑]`` ``[表情]`` ``[动画表情]``; but not the attachment
  placeholders exports write for pictures, files, links… (:data:`PLACEHOLDERS`).
  Lenticular brackets ``【】`` are *not* emoticons: shops use them for labels
  and headings (``【买家】`` ``【手机膜】`` in the seed documents).
* **Unicode emoji** — a whole emoji sequence is one span: skin-tone modifiers,
  variation selectors, ZWJ sequences (👨‍👩‍👧), keycaps (1️⃣), flags (🇨🇳)
  and tag sequences. Characters whose default presentation is text (©, ↔,
  ☀, ✔) count only with U+FE0F, except ❤ ♥ ☺ ☹ ✌ ☝ which chat users type
  bare. Decorative symbols that are not emoji (★ ☆ ♪ → ※) are not emoticons.
* **Kaomoji** — a fixed list (:data:`KAOMOJI`), matched longest first. Entries
  that begin or end with an ASCII letter or digit (``T_T``, ``QAQ``,
  ``O(∩_∩)O``, ``:D``) must not touch another ASCII letter or digit on that
  side, and the sad ``:(`` must not be followed by a word character (so
  ``备注:(请写尺码)`` is not a smiley).

Detection runs on the width-folded text (``／：＾＿＾`` is ``/:^_^``); the fold
is one character for one character, so spans index the original text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

__all__ = ["KAOMOJI", "PLACEHOLDERS", "find_emoticons", "find_in_folded", "fold_width"]

#: Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to ASCII; a few
#: full-width currency signs to their usual form. One char in, one char out.
_WIDTH: Final[dict[int, int]] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH.update({0xFFE0: 0xA2, 0xFFE1: 0xA3, 0xFFE2: 0xAC, 0xFFE4: 0xA6, 0xFFE5: 0xA5})
# The same as a list indexed by code point: str.translate is twice as fast with
# it (a dict makes it raise and catch KeyError for every unmapped character).
# Characters past its end (emoji, extension B) raise IndexError: kept as is.
_WIDTH_TABLE: Final[list[int]] = list(range(0xFFE6))
for _code, _target in _WIDTH.items():
    _WIDTH_TABLE[_code] = _target
_WIDE: Final = re.compile("[\uff01-\uff5e\u3000\uffe0-\uffe2\uffe4\uffe5]")
_FOLDED: Final[dict[str, str]] = {chr(wide): chr(narrow) for wide, narrow in _WIDTH.items()}
# Up to this many kinds of wide characters, replacing each kind is faster than
# translating every character; chat text mostly holds one or two, "，" above all.
_REPLACE_KINDS: Final = 4


def fold_width(text: str) -> str:
    """Full-width ASCII forms and U+3000 to their ASCII counterparts (1:1)."""
    if "，" in text:  # in 86 % of the benchmark's distinct messages
        text = text.replace("，", ",")
    if _WIDE.search(text) is None:
        return text
    kinds = set(_WIDE.findall(text))
    if len(kinds) > _REPLACE_KINDS:
        return text.translate(_WIDTH_TABLE)
    for wide in kinds:
        text = text.replace(wide, _FOLDED[wide])
    return text


#: ``[xx]`` codes that are attachment placeholders of chat exports, not emoticons.
#: ``[表情]`` and ``[动画表情]`` (a sticker the export could not render) *are* emoticons.
PLACEHOLDERS: Final[frozenset[str]] = frozenset((
    "图片", "语音", "视频", "文件", "链接", "商品", "宝贝", "订单", "位置", "地址",
    "名片", "红包", "卡片", "转账", "撤回", "优惠券", "图片消息", "语音消息", "视频消息",
    "文件消息", "商品链接", "宝贝链接", "订单信息", "订单链接", "商品卡片", "系统消息",
    "消息撤回", "语音通话", "视频通话",
))  # fmt: skip

#: Common kaomoji (written here in any width; they are width-folded on compile).
KAOMOJI: Final[tuple[str, ...]] = (
    # smiles
    "^_^", "^o^", "^O^", "^-^", "^^", "^.^", "^ω^", "^▽^", "^3^", "^_~", "^_-", "^_^;",
    "(^_^)", "(^o^)", "(^O^)", "(^-^)", "(^^)", "(^ω^)", "(^▽^)", "(^_-)", "(^_^)v",
    "(*^_^*)", "(*^▽^*)", "(*^o^*)", "(*^ω^*)", "(*^__^*)", "(*^-^*)", "(*￣▽￣*)",
    "O(∩_∩)O", "o(∩_∩)o", "(∩_∩)", "o(*￣▽￣*)o", "o(*^▽^*)o",
    "~\\(≧▽≦)/~", "\\(≧▽≦)/", "(≧▽≦)", "(≧∇≦)", "≧▽≦", "≧∇≦", "(≧ω≦)", "≧ω≦",
    "o(≧v≦)o", "ヾ(≧▽≦*)o", "(￣▽￣)", "￣▽￣", "(￣︶￣)", "(￣▽￣)ノ", "(´▽`)",
    "(｡･ω･｡)", "(。・ω・。)", "(・ω・)", "(^人^)", "(づ￣3￣)づ", "(*/ω＼*)",
    "(๑•̀ㅂ•́)و✧", "(｡♥‿♥｡)", "(づ｡◕‿‿◕｡)づ", "(๑´ڡ`๑)", "ღ( ´･ᴗ･` )",
    # sad, surprised, embarrassed
    "T_T", "T^T", "T.T", "TAT", "QAQ", "QwQ", "(╥﹏╥)", "╥﹏╥", "(╯▽╰)", "╯▽╰",
    "(⊙o⊙)", "(⊙_⊙)", "⊙﹏⊙", "⊙▽⊙", ">_<", ">.<", ">﹏<", "-_-", "-_-||",
    "-_-#", "=_=", "@_@", "~_~", "(ーー;)", "(°ー°〃)", "(╯°□°)╯",
    # western
    ":-)", ":)", ";-)", ";)", ":-D", ":D", ":-P", ":P", ":-(", ":(",
)  # fmt: skip

_ALNUM: Final = "A-Za-z0-9"

# The pattern below begins with one character class (every character an
# emoticon can start with) and dispatches on that character with a lookbehind.
# Python's regex engine then skips to candidate characters in C instead of
# trying ~100 alternatives at every position: 16 µs -> ~1 µs on a message.

# Wangwang, after "/": ":" then three digits, or up to 4 printable ASCII chars
# not ending in sentence punctuation (unless that is the only one), never
# running into the next "/:".
_WW_CHAR: Final = r"(?:(?!/:)[!-~])"
_WW_END: Final = r"(?:(?!/:)[!-~](?<![,.;!?~\"']))"
_WANGWANG_REST: Final = rf":(?:\d{{3}}|{_WW_CHAR}{{0,3}}{_WW_END}|{_WW_CHAR})"

# Bracket code, after "[".
_CJK_CLASS: Final = "\u3400-\u4dbf\u4e00-\u9fff"
_BRACKET_REST: Final = rf"(?P<code>[{_CJK_CLASS}]{{1,4}})\]"


def _kaomoji_groups() -> list[tuple[str, str]]:
    """``(first char, regex for the rest)`` for every kaomoji first character."""
    groups: dict[str, list[str]] = {}
    for face in sorted({fold_width(k) for k in KAOMOJI}, key=lambda k: (-len(k), k)):
        rest = re.escape(face[1:])
        if face.endswith("("):  # a sad face, not a colon before a parenthesis
            rest += r"(?![^\W_])"
        elif face[-1].isascii() and face[-1].isalnum():
            rest += f"(?![{_ALNUM}])"
        groups.setdefault(face[0], []).append(rest)
    out: list[tuple[str, str]] = []
    for first, rests in groups.items():
        guard = f"(?<![{_ALNUM}]{re.escape(first)})" if first.isascii() and first.isalnum() else ""
        out.append((first, guard + "(?:" + "|".join(rests) + ")"))
    return out


# Emoji: see the module docstring. BMP characters with Emoji_Presentation=Yes,
# plus the bare hearts and faces people type without U+FE0F.
_PRES_BMP: Final = (
    "\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653"
    "\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea"
    "\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e"
    "\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55"
    "\u263a\u2639\u2764\u2665\u270c\u261d"
)
# Emoji=Yes characters whose default presentation is text: emoji only with
# U+FE0F, a skin tone, or inside a ZWJ sequence.
_TEXT_BMP: Final = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u2328\u23cf"
    "\u23ed-\u23ef\u23f1\u23f2\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb\u25fc"
    "\u2600-\u2604\u260e\u2611\u2618\u2620\u2622\u2623\u2626\u262a\u262e\u262f"
    "\u2638\u2640\u2642\u265f\u2660\u2663\u2666\u2668\u267b\u267e\u2692\u2694-\u2697"
    "\u2699\u269b\u269c\u26a0\u26a7\u26b0\u26b1\u26c8\u26cf\u26d1\u26d3\u26e9"
    "\u26f0\u26f1\u26f4\u26f7-\u26f9\u2702\u2708\u2709\u270d\u270f\u2712\u2714"
    "\u2716\u271d\u2721\u2733\u2734\u2744\u2747\u2763\u27a1\u2934\u2935"
    "\u2b05-\u2b07\u3030\u303d\u3297\u3299"
)
# Supplementary-plane pictographs (emoticons, transport, symbols & pictographs
# A/B, mahjong, cards, enclosed supplements), without the regional indicators.
_PRES_SMP: Final = "\U0001f000-\U0001f1e5\U0001f200-\U0001faff\U0001fc00-\U0001fffd"
_RI: Final = "\U0001f1e6-\U0001f1ff"
_KEYCAP: Final = "0-9#*"
_MOD: Final = "[\U0001f3fb-\U0001f3ff]"
_TAGS: Final = "(?:[\U000e0020-\U000e007e]+\U000e007f)"
_ELEMENT_NEXT: Final = (
    rf"(?:[{_RI}]{{2}}|[{_PRES_BMP}{_PRES_SMP}{_TEXT_BMP}]\ufe0f?{_MOD}?\ufe0f?{_TAGS}?)"
)
# After the first character of an emoji sequence.
_EMOJI_REST: Final = (
    rf"(?:(?<=[{_RI}])[{_RI}]?"
    rf"|(?<=[{_KEYCAP}])\ufe0f?\u20e3"
    rf"|(?<=[{_PRES_BMP}{_PRES_SMP}])[\ufe0f\ufe0e]?{_MOD}?\ufe0f?{_TAGS}?"
    rf"|(?<=[{_TEXT_BMP}])(?:\ufe0f{_MOD}?|{_MOD}\ufe0f?){_TAGS}?)"
    rf"(?:\u200d{_ELEMENT_NEXT})*"
)


def _compile(keycaps: bool) -> re.Pattern[str]:
    kaomoji = _kaomoji_groups()
    firsts = r"/\[" + "".join(re.escape(first) for first, _ in kaomoji)
    emoji_firsts = _RI + (_KEYCAP if keycaps else "") + _PRES_BMP + _PRES_SMP + _TEXT_BMP
    branches = [f"(?<=/){_WANGWANG_REST}", rf"(?<=\[){_BRACKET_REST}"]
    branches += [f"(?<={re.escape(first)}){rest}" for first, rest in kaomoji]
    branches.append(_EMOJI_REST)  # last: kaomoji win where both could start
    return re.compile(f"[{firsts}{emoji_firsts}](?:{'|'.join(branches)})")


# A keycap emoji (1️⃣) always holds U+20E3. Without one, a digit, "#" or "*"
# cannot start an emoticon, and the pattern that leaves them out of its first
# character class skips order and phone numbers instead of trying every branch
# on each of their digits. The full pattern is compiled (~6 ms) on first need.
_NO_KEYCAP_RE: Final = _compile(keycaps=False)


@cache
def _with_keycaps() -> re.Pattern[str]:
    return _compile(keycaps=True)


def find_in_folded(folded: str) -> list[tuple[int, int]]:
    """:func:`find_emoticons` on a text already passed through :func:`fold_width`."""
    pattern = _with_keycaps() if "\u20e3" in folded else _NO_KEYCAP_RE
    spans: list[tuple[int, int]] = []
    # search() from the last end is finditer() for a pattern that cannot match
    # empty, and costs less on the many messages without any emoticon.
    m = pattern.search(folded)
    while m is not None:
        code = m.group("code")
        if code is None or code not in PLACEHOLDERS:
            spans.append(m.span())
        m = pattern.search(folded, m.end())
    return spans


def find_emoticons(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``[start, end)`` spans of the emoticons in ``text``."""
    return find_in_folded(fold_width(text))
