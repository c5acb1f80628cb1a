"""Load rulesets (TOML), apply a shop's config, and compile a :class:`RulePack`.

A ruleset file::

    [ruleset]
    name = "service-standards"
    extends = []                  # bundled names or paths, loaded first
    [lists]                       # shared phrase lists, used as "@name"
    closings = ["感谢", "再见"]
    [[rule]]
    code = "W001"                 # letters then digits; a later definition replaces an earlier one
    name = "forbidden-phrase"
    kind = "phrase"               # a registered rule kind (cslint.rules)
    severity = "error"            # error | warning | info
    points = 2
    max_deductions = 1            # per session (default 1)
    message = "使用了禁用语「{match}」"
    suggestion = "…"              # optional
    description = "…"
    source = "000 售中话术规范 19"
    phrases = ["不行"]            # and the other lists the kind reads
    whitelist = []
    replacements = { "不行" = "无法办到" }
    yield_to = []
    [rule.params]
    boundary = "token"
    [rule.groups]                 # cooccurrence kinds: named trigger groups
    "拒绝" = ["不开"]

Everything that can be wrong with a ruleset is reported as a
:class:`~cslint.errors.ConfigError` naming the file and, where it can be
found, the line.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cslint.config import Config, RuleOverride
from cslint.errors import ConfigError, line_of, load_toml
from cslint.match import PhraseIndex
from cslint.model import RuleInfo, Severity
from cslint.rules import KINDS
from cslint.rules.base import PhraseHit, Rule, RuleSpec, ShopFacts
from cslint.text.analysis import TextAnalysis
from cslint.text.normalize import normalize_phrase

if TYPE_CHECKING:  # the type lru_cache returns; typeshed names it privately
    from functools import _lru_cache_wrapper

_CODE = re.compile(r"^[A-Z]{1,4}\d{3}$")
_RULE_KEYS = {
    "code",
    "name",
    "kind",
    "severity",
    "points",
    "max_deductions",
    "message",
    "suggestion",
    "description",
    "source",
    "replacements",
    "params",
    "groups",
    "yield_to",
}
CATEGORIES = {
    "W": "wording",
    "S": "style",
    "T": "timing",
    "F": "flow",
    "C": "commitment",
    "P": "platform",
}
MAX_PATTERN_LENGTH = 200


def data_dir(name: str) -> Path:
    """A folder of bundled data (``rulesets`` or ``corpora``).

    Installed, it is inside the package (``cslint/_data``); in a source
    checkout it is the folder at the top of the repository.
    """
    packaged = resources.files("cslint") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name


def bundled_rulesets() -> dict[str, Path]:
    """Bundled ruleset names and files."""
    return {p.stem: p for p in sorted(data_dir("rulesets").glob("*.toml"))}


def qualified_name(code: str, name: str) -> str:
    """The dotted name, e.g. ``wording.forbidden-phrase``."""
    return f"{CATEGORIES.get(code[0], 'custom')}.{name}"


@dataclass
class _Loaded:
    rules: dict[str, tuple[dict[str, Any], str, str]] = field(
        default_factory=dict
    )  # code -> (table, file, text)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _resolve(ref: str, base_dir: Path) -> Path:
    bundled = bundled_rulesets()
    if ref in bundled:
        return bundled[ref]
    path = Path(ref)
    if not path.is_absolute():
        path = base_dir / path
    return path


def _load_into(
    acc: _Loaded, ref: str, base_dir: Path, origin: str, stack: tuple[Path, ...]
) -> None:
    path = _resolve(ref, base_dir)
    if not path.is_file():
        known = ", ".join(bundled_rulesets())
        raise ConfigError(
            origin, None, f"ruleset {ref!r} not found (bundled: {known}; or a path to a .toml file)"
        )
    key = path.resolve()
    if key in stack:
        raise ConfigError(
            str(path),
            None,
            "ruleset extends itself (cycle: " + " -> ".join(p.name for p in (*stack, key)) + ")",
        )
    if str(key) in acc.files:
        return  # diamond: already loaded through another parent
    data, text = load_toml(path)
    name = str(path)
    unknown = sorted(set(data) - {"ruleset", "lists", "rule"})
    if unknown:
        raise ConfigError(
            name,
            line_of(text, unknown[0]),
            f"unknown table {unknown[0]!r} (known: ruleset, lists, rule)",
        )
    meta = data.get("ruleset", {})
    if not isinstance(meta, dict):
        raise ConfigError(name, line_of(text, "ruleset"), "[ruleset] must be a table")
    extends = meta.get("extends", [])
    if isinstance(extends, str):
        extends = [extends]
    if not isinstance(extends, list) or not all(isinstance(e, str) for e in extends):
        raise ConfigError(
            name, line_of(text, "extends"), "extends must be a list of ruleset names or paths"
        )
    for parent in extends:
        _load_into(acc, parent, path.parent, name, (*stack, key))
    lists = data.get("lists", {})
    if not isinstance(lists, dict):
        raise ConfigError(name, line_of(text, "[lists]"), "[lists] must be a table of phrase lists")
    for list_name, entries in lists.items():
        acc.lists[list_name] = _phrase_list(entries, f"lists.{list_name}", name, text, list_name)
    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise ConfigError(name, line_of(text, "rule"), "rules are written as [[rule]] tables")
    for table in rules:
        code = table.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ConfigError(
                name,
                line_of(text, f'code = "{code}"', "[[rule]]"),
                f"bad or missing rule code {code!r} (letters then three digits, e.g. W001)",
            )
        acc.rules[code] = (table, name, text)
    acc.files.append(str(key))


def _phrase_list(entries: Any, what: str, file: str, text: str, needle: str) -> list[str]:
    if not isinstance(entries, list):
        raise ConfigError(file, line_of(text, needle), f"{what} must be a list of phrases")
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise ConfigError(file, line_of(text, needle), f"{what}: {entry!r} is not a string")
        parts = entry.split("&")
        if any(not normalize_phrase(part) for part in parts) and not entry.startswith("@"):
            raise ConfigError(file, line_of(text, needle), f"{what}: empty entry {entry!r}")
        out.append(entry)
    return out


def _check_pattern(pattern: str, file: str, text: str) -> None:
    """Reject patterns that could backtrack without bound on hostile text.

    Rulesets are data a shop edits, and a pattern like ``(a+)+`` would hang a
    run on one long message. Python's ``re`` has no timeout, so patterns are
    bounded by shape (:func:`_regex_risk` reads the parsed pattern): short, no
    backreferences, and nothing that makes backtracking exponential or worse
    than quadratic. What is left is at most quadratic in the length of the
    text it sees, and a pattern only ever sees one sentence, which
    :mod:`cslint.text.sentences` caps at ``MAX_SENTENCE`` characters.
    """
    where = line_of(text, pattern[:30], pattern[:30].replace("\\", "\\\\"), "patterns") or None
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ConfigError(file, where, f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ConfigError(file, where, f"bad regular expression {pattern!r}: {exc}") from None
    risk = _regex_risk(pattern)
    if risk is not None:
        raise ConfigError(file, where, f"pattern {pattern!r}: {risk}")


# -- the shape of a regular expression (re's own parser) ------------------------------------

# A repeat that may take more than this many characters counts as unbounded.
_LARGE_REPEAT = 16
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_GROUPS = frozenset({"SUBPATTERN", "ATOMIC_GROUP"})
_CATEGORY_RE = {
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
    "CATEGORY_LINEBREAK": re.compile(r"\n"),
    "CATEGORY_NOT_LINEBREAK": re.compile(r"[^\n]"),
}
# Characters two character sets are compared on, with every literal of the pattern.
_SAMPLE = (
    "".join(chr(c) for c in range(128))
    + "\u00a0\u00e9\u2028\u3000\ufffd\uff11\uff21\uff1a\u3001\uff0c\u3002不行话好亲微信号"
    + "\U0001f600\U00020000"
)
_Item = tuple[Any, Any]
_CharSet = list[tuple[str, Any]]  # a union of (op name, argument) leaves; [("ANY", None)] = all


class _Shape:
    """What :func:`_regex_risk` needs of a parsed pattern: first characters,
    nullability, the characters a repeat can take, and the verdict."""

    def __init__(self, universe: str) -> None:
        self.universe = universe
        self._members: dict[str, frozenset[str]] = {}

    # characters ---------------------------------------------------------------
    def matches(self, leaf: tuple[str, Any], char: str) -> bool:
        op, av = leaf
        chars = {char, char.lower(), char.upper()}  # case-insensitive: an over-estimate
        if op == "ANY":
            return True
        if op == "LITERAL":
            return chr(av) in chars
        if op == "NOT_LITERAL":
            return chars != {chr(av)}
        if op == "IN":
            negate = False
            hit = False
            for sub_op, sub_av in av:
                name = str(sub_op)
                if name == "NEGATE":
                    negate = True
                elif name == "LITERAL":
                    hit = hit or chr(sub_av) in chars
                elif name == "RANGE":
                    hit = hit or any(sub_av[0] <= ord(c) <= sub_av[1] for c in chars)
                elif name == "CATEGORY":
                    regex = _CATEGORY_RE.get(str(sub_av))
                    hit = hit or regex is None or any(regex.fullmatch(c) for c in chars)
                else:
                    hit = True
            return hit != negate or (negate and len(chars) > 1)
        return True

    def members(self, chars: _CharSet) -> frozenset[str]:
        """The characters of the universe that ``chars`` matches."""
        found: set[str] = set()
        for leaf in chars:
            key = repr(leaf)
            known = self._members.get(key)
            if known is None:
                known = frozenset(c for c in self.universe if self.matches(leaf, c))
                self._members[key] = known
            found |= known
        return frozenset(found)

    def overlap(self, a: _CharSet, b: _CharSet) -> bool:
        return bool(a and b and self.members(a) & self.members(b))

    def first(self, items: list[_Item]) -> tuple[_CharSet, bool]:
        """The characters a match of ``items`` can start with, and whether it can be empty."""
        found: _CharSet = []
        for item in items:
            chars, nullable = self.first_item(item)
            found += chars
            if not nullable:
                return found, False
        return found, True

    def first_item(self, item: _Item) -> tuple[_CharSet, bool]:
        op, av = item
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            return [(name, av)], False
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            return [], True
        if name == "SUBPATTERN":
            return self.first(list(av[3]))
        if name == "ATOMIC_GROUP":
            return self.first(list(av))
        if name == "BRANCH":
            found: _CharSet = []
            nullable = False
            for branch in av[1]:
                chars, empty = self.first(list(branch))
                found += chars
                nullable = nullable or empty
            return found, nullable
        if name in _REPEATS:
            chars, empty = self.first(list(av[2]))
            return chars, empty or av[0] == 0
        return [("ANY", None)], True

    def chars(self, items: list[_Item]) -> _CharSet:
        """Every character a match of ``items`` can contain."""
        found: _CharSet = []
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
                found.append((name, av))
            elif name == "SUBPATTERN":
                found += self.chars(list(av[3]))
            elif name == "ATOMIC_GROUP":
                found += self.chars(list(av))
            elif name == "BRANCH":
                for branch in av[1]:
                    found += self.chars(list(branch))
            elif name in _REPEATS:
                found += self.chars(list(av[2]))
            elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
                found.append(("ANY", None))
        return found

    # the verdict ----------------------------------------------------------------
    def exponential(self, items: list[_Item], repeated: bool) -> str | None:
        """Why backtracking over ``items`` can be exponential (``repeated``: inside
        a group repeated more than once), or ``None``."""
        for op, av in items:
            name = str(op)
            if name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "backreferences are not allowed"
            if name in _REPEATS:
                low, high, body = av
                if repeated and low != high:
                    return (
                        "nested quantifiers can hang on long text; rewrite without a repeated "
                        "group of repeats"
                    )
                found = self.exponential(list(body), repeated or high > 1)
            elif name == "BRANCH":
                branches = [list(b) for b in av[1]]
                if repeated:
                    firsts = [self.first(b) for b in branches]
                    if any(empty for _, empty in firsts) or any(
                        self.overlap(a, b)
                        for i, (a, _) in enumerate(firsts)
                        for b, _ in firsts[i + 1 :]
                    ):
                        return (
                            "a repeated group whose alternatives can match the same text "
                            "can hang on long text; make every alternative start with a "
                            "different character"
                        )
                found = None
                for branch in branches:
                    found = found or self.exponential(branch, repeated)
            elif name == "SUBPATTERN":
                found = self.exponential(list(av[3]), repeated)
            elif name == "ATOMIC_GROUP":
                found = self.exponential(list(av), repeated)
            elif name in ("ASSERT", "ASSERT_NOT"):
                found = self.exponential(list(av[1]), repeated)
            else:
                found = None
            if found is not None:
                return found
        return None

    # polynomial: chains of unbounded repeats along each path ------------------------
    def large(self, item: _Item) -> bool:
        """A repeat that can take more than ``_LARGE_REPEAT`` characters."""
        return str(item[0]) in _REPEATS and item[1][1] > _LARGE_REPEAT

    def has_large(self, items: list[_Item]) -> bool:
        return any(self.large(item) or self.has_large(self.children(item)) for item in items)

    def children(self, item: _Item) -> list[_Item]:
        op, av = item
        name = str(op)
        if name == "SUBPATTERN":
            return list(av[3])
        if name == "ATOMIC_GROUP":
            return list(av)
        if name in _REPEATS:
            return list(av[2])
        if name in ("ASSERT", "ASSERT_NOT"):
            return list(av[1])
        if name == "BRANCH":
            return [sub for branch in av[1] for sub in branch]
        return []

    def paths(self, items: list[_Item]) -> list[list[_Step]]:
        """``items`` as flat sequences of steps, one per way through the branches and
        optional groups that hold an unbounded repeat (the others are single steps)."""
        done: list[list[_Step]] = [[]]
        for item in items:
            op, av = item
            name = str(op)
            options: list[list[_Step]]
            if name in ("SUBPATTERN", "ATOMIC_GROUP"):
                options = self.paths(self.children(item))
            elif name == "BRANCH" and self.has_large(self.children(item)):
                options = [p for branch in av[1] for p in self.paths(list(branch))]
            elif name in _REPEATS and av[1] == 1 and self.has_large(list(av[2])):
                options = [[], *self.paths(list(av[2]))]
            elif name in ("AT", "ASSERT", "ASSERT_NOT"):
                continue  # zero-width; lookaround bodies are judged on their own
            else:  # one step: a character, or a group or repeat taken as a whole
                chars, nullable = self.first_item(item)
                if name in _REPEATS or name == "BRANCH":
                    chars = self.chars([item])
                options = [[(chars, nullable, self.large(item))]]
            done = [path + option for path in done for option in options]
            if len(done) > _MAX_PATHS:
                raise _TooComplex
        return done

    def degree(self, path: list[_Step], anywhere: bool = False) -> int:
        """The longest chain of unbounded repeats over shared characters with only
        optional or shared characters between them, plus one when a search can
        start inside what they take: a failing search tries about
        ``len(text) ** degree`` ways."""
        large = [(i, chars) for i, (chars, _, big) in enumerate(path) if big]
        chain: list[int] = []
        chained: _CharSet = []
        for n, (j, chars_j) in enumerate(large):
            length = 1
            for m in range(n):
                i, chars_i = large[m]
                if self.overlap(chars_i, chars_j) and all(
                    path[k][1]
                    or (self.overlap(path[k][0], chars_i) and self.overlap(path[k][0], chars_j))
                    for k in range(i + 1, j)
                ):
                    length = max(length, chain[m] + 1)
                    chained += chars_i + chars_j
            chain.append(length)
        best = max(chain, default=0)
        if anywhere:  # tried at every position of the text (a lookaround)
            return best + 1
        starts: _CharSet = []
        for chars, nullable, big in path:
            if big:
                return best + 1  # a search can start with an unbounded repeat
            starts += chars
            if not nullable:
                break
        return best + (1 if self.overlap(starts, chained) else 0)

    def worst_degree(self, items: list[_Item], anywhere: bool = False) -> int:
        best = max((self.degree(path, anywhere) for path in self.paths(items)), default=0)
        for item in items:  # lookarounds: judged on their own, tried at every position
            best = max(best, self.lookaround_degree(item))
        return best

    def lookaround_degree(self, item: _Item) -> int:
        op, av = item
        if str(op) in ("ASSERT", "ASSERT_NOT"):
            return self.worst_degree(list(av[1]), anywhere=True)
        return max((self.lookaround_degree(c) for c in self.children(item)), default=0)


class _TooComplex(Exception):
    """More ways through a pattern than :func:`_regex_risk` looks at."""


_MAX_PATHS = 256
_Step = tuple[_CharSet, bool, bool]  # characters, can be empty, an unbounded repeat


def _literals(items: list[_Item]) -> str:
    """Every character a pattern names (literals and range ends), for comparisons."""
    out: list[str] = []
    for op, av in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            out.append(chr(av))
        elif name == "IN":
            for sub_op, sub_av in av:
                if str(sub_op) == "LITERAL":
                    out.append(chr(sub_av))
                elif str(sub_op) == "RANGE":
                    low, high = sub_av
                    out += [chr(low), chr(min(low + 1, high)), chr(high)]
        elif name == "SUBPATTERN":
            out.append(_literals(list(av[3])))
        elif name == "ATOMIC_GROUP":
            out.append(_literals(list(av)))
        elif name == "BRANCH":
            out += [_literals(list(branch)) for branch in av[1]]
        elif name in _REPEATS:
            out.append(_literals(list(av[2])))
        elif name in ("ASSERT", "ASSERT_NOT"):
            out.append(_literals(list(av[1])))
    return "".join(out)


def _regex_risk(pattern: str) -> str | None:
    """Why ``pattern`` could take exponential or worse-than-quadratic time, or ``None``.

    Rejected: backreferences; inside a group repeated more than once, a
    quantifier that can take a variable number of characters (``(a+)+``,
    ``(\\w+\\s?)+``, ``(.*a){20}``) or alternatives that can match nothing or
    start with the same character (``(a|aa)+``, ``(a|a)*``); and chains of
    unbounded quantifiers over the same characters that make a failing search
    try ``n ** 3`` splits or more: ``\\s*\\s*\\s*x``, or ``.*a.*b`` and
    ``加.*信.*号`` (two chained quantifiers, and starts that can fall inside
    what they take, count as three). Everything left is at most quadratic in
    the length of the text searched (``qq\\s*:?\\s*\\d+``, ``.*微信``).
    """
    parser: Any = importlib.import_module("re._parser")
    try:
        items = list(parser.parse(pattern).data)
    except Exception as exc:  # re.compile accepted it: only a parser change gets here
        return f"cannot be analysed ({exc})"
    shape = _Shape(_SAMPLE + _literals(items))
    reason = shape.exponential(items, repeated=False)
    if reason is not None:
        return reason
    try:
        degree = shape.worst_degree(items)
    except _TooComplex:
        return "too many alternatives to check that it cannot hang on long text; simplify it"
    if degree >= 3:
        return (
            "unbounded quantifiers in a row over the same characters can hang on long "
            "text (a failing search tries n**3 ways or more); merge them ([\\s:]* for "
            "\\s*:?\\s*) or bound them (.{0,10} for .*)"
        )
    return None


def _build_spec(
    code: str, table: dict[str, Any], file: str, text: str, lists: Mapping[str, list[str]]
) -> tuple[RuleSpec, type[Rule]]:
    start = line_of(text, f'code = "{code}"') or 0

    def fail(reason: str, *needles: str) -> ConfigError:
        line = line_of(text, *needles, after=max(start - 1, 0)) if needles else None
        return ConfigError(file, line or start or None, f"rule {code}: {reason}")

    kind_name = table.get("kind")
    if kind_name not in KINDS.kinds:
        raise fail(f"unknown kind {kind_name!r} (known: {', '.join(sorted(KINDS.kinds))})", "kind")
    kind = KINDS.kinds[kind_name]
    allowed = _RULE_KEYS | set(kind.lists)
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise fail(
            f"unknown key {unknown[0]!r} for kind {kind_name!r} (lists it reads: {', '.join(kind.lists) or 'none'})",
            unknown[0],
        )
    for key in ("name", "message"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise fail(f"missing {key}", key, "kind")
    try:
        severity = Severity(table.get("severity", "warning"))
    except ValueError:
        raise fail(
            f"severity must be one of {', '.join(s.value for s in Severity)}", "severity"
        ) from None
    points = table.get("points", 1)
    max_deductions = table.get("max_deductions", 1)
    for key, value in (("points", points), ("max_deductions", max_deductions)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail(f"{key} must be a whole number >= 0", key)

    spec_lists: dict[str, tuple[str, ...]] = {}
    for list_name in kind.lists:
        if list_name in table:
            entries = _phrase_list(table[list_name], list_name, file, text, list_name)
            spec_lists[list_name] = tuple(_expand(entries, lists, fail))
    groups = table.get("groups", {})
    if groups:
        if not getattr(kind, "accepts_groups", False):
            raise fail(f"kind {kind_name!r} takes no [rule.groups]", "groups")
        if not isinstance(groups, dict):
            raise fail("[rule.groups] must be a table of phrase lists", "groups")
        for group, entries in groups.items():
            spec_lists[f"group:{group}"] = tuple(
                _expand(_phrase_list(entries, f"groups.{group}", file, text, group), lists, fail)
            )
    for list_name in kind.required_lists:
        if not spec_lists.get(list_name):
            raise fail(f"kind {kind_name!r} needs a non-empty list {list_name!r}", "kind")
    for pattern in spec_lists.get("patterns", ()):
        _check_pattern(pattern, file, text)

    replacements = table.get("replacements", {})
    if not isinstance(replacements, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() for k, v in replacements.items()
    ):
        raise fail("replacements must map phrases to replacement strings", "replacements")
    params = dict(table.get("params", {}))
    _check_params(kind, params, fail)
    yield_to = table.get("yield_to", [])
    if not isinstance(yield_to, list) or not all(isinstance(c, str) for c in yield_to):
        raise fail("yield_to must be a list of rule codes", "yield_to")
    spec = RuleSpec(
        code=code,
        name=table["name"],
        kind=kind_name,
        severity=severity,
        points=points,
        max_deductions=max_deductions,
        message=table["message"],
        description=str(table.get("description", "")),
        source=str(table.get("source", "")),
        suggestion=table.get("suggestion"),
        lists=spec_lists,
        replacements=dict(replacements),
        params=params,
        origin=file,
        yield_to=tuple(yield_to),
    )
    return spec, kind


def _expand(entries: Iterable[str], lists: Mapping[str, list[str]], fail: Any) -> list[str]:
    out: list[str] = []
    for entry in entries:
        if entry.startswith("@"):
            if entry[1:] not in lists:
                raise fail(f"unknown shared list {entry!r} (define it under [lists])", entry)
            out.extend(lists[entry[1:]])
        else:
            out.append(entry)
    return out


def _check_params(kind: type[Rule], params: Mapping[str, Any], fail: Any) -> None:
    for name, value in params.items():
        if name not in kind.params:
            known = ", ".join(kind.params) or "none"
            raise fail(f"unknown parameter {name!r} for kind {kind.kind!r} (known: {known})", name)
        expected = kind.params[name].type
        ok = isinstance(value, expected) and not (
            isinstance(value, bool) and bool not in _as_tuple(expected)
        )
        if not ok:
            raise fail(f"parameter {name!r} must be {_type_names(expected)}, not {value!r}", name)


def _as_tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _type_names(t: type | tuple[type, ...]) -> str:
    return " or ".join(x.__name__ for x in _as_tuple(t))


def _apply_override(spec: RuleSpec, kind: type[Rule], o: RuleOverride) -> RuleSpec:
    def fail(reason: str) -> ConfigError:
        return ConfigError(o.origin or "<config>", None, f"[rules.{spec.code}]: {reason}")

    lists = dict(spec.lists)
    if o.add_phrases:
        main = (
            "phrases"
            if "phrases" in kind.lists
            else ("anchors" if "anchors" in kind.lists else None)
        )
        if main is None:
            raise fail(f"kind {kind.kind!r} has no phrase list to add to")
        lists[main] = (*lists.get(main, ()), *o.add_phrases)
    if o.add_whitelist:
        if "whitelist" not in kind.lists:
            raise fail(f"kind {kind.kind!r} has no whitelist")
        lists["whitelist"] = (*lists.get("whitelist", ()), *o.add_whitelist)
    for entries in (o.add_phrases, o.add_whitelist):
        for entry in entries:
            if not all(normalize_phrase(p) for p in entry.split("&")):
                raise fail(f"empty entry {entry!r}")
    severity = spec.severity
    if o.severity is not None:
        try:
            severity = Severity(o.severity)
        except ValueError:
            raise fail(f"severity must be one of {', '.join(s.value for s in Severity)}") from None
    params = {**spec.params, **o.params}
    _check_params(
        kind,
        o.params,
        lambda reason, *_: ConfigError(
            o.origin or "<config>", None, f"[rules.{spec.code}.params]: {reason}"
        ),
    )
    return replace(
        spec,
        points=o.points if o.points is not None else spec.points,
        max_deductions=o.max_deductions if o.max_deductions is not None else spec.max_deductions,
        severity=severity,
        message=o.message or spec.message,
        suggestion=o.suggestion if o.suggestion is not None else spec.suggestion,
        lists=lists,
        params=params,
    )


def _matches(code: str, name: str, prefix: str) -> bool:
    return (
        code.startswith(prefix) or qualified_name(code, name).startswith(prefix) or name == prefix
    )


# PhraseHit(...) without its Python-level __new__ (a named tuple's fields are
# its items): about a quarter of the sentence scan, which builds several hits
# per sentence.
_new_hit = tuple.__new__

#: How many sentences' hits a rule pack keeps (``RulePack._sentence_hits``).
#: The canned sentences that repeat fit in a few thousand; at 1M messages 32,768
#: cost each worker 20 MB more for no measurable speed (4,096: no measurable memory).
_SENTENCE_HITS_KEPT = 4_096


@dataclass
class RulePack:
    """The compiled rules of a run: rule objects plus one phrase automaton."""

    rules: list[Rule]
    shop: ShopFacts
    session_gap_s: int
    files: list[str]

    @cached_property
    def index(self) -> PhraseIndex[tuple[str, str]]:
        """One Aho-Corasick automaton over every list of every rule (built once)."""
        index: PhraseIndex[tuple[str, str]] = PhraseIndex()
        for rule in self.rules:
            for list_name, phrase in rule.phrases():
                index.add(phrase, (rule.code, list_name))
        index.build()
        return index

    @cached_property
    def _sentence_hits(self) -> _lru_cache_wrapper[dict[str, tuple[PhraseHit, ...]]]:
        """The hits in sentence ``number`` of a message, whose normalized text
        is ``text``, by rule code (read-only: shared): :meth:`_scan_sentence`,
        keeping the hits of the :data:`_SENTENCE_HITS_KEPT` sentences used last.

        Kept per ``(number, text)``: unique messages (a name, an order number)
        are mostly made of canned sentences, and a kept sentence skips the
        automaton and the building of its hits (40 % of the sentences of the
        benchmark's distinct texts). The least recently used sentence goes
        first when the cache is full (emptying it instead scans 8 % more
        sentences at 200k messages, 10 % more at 1M).
        """
        return lru_cache(maxsize=_SENTENCE_HITS_KEPT)(self._scan_sentence)

    def find_hits(self, analysis: TextAnalysis) -> Mapping[str, tuple[PhraseHit, ...]]:
        """Every rule's phrase hits in one analysed message, by rule code.

        Codes come in the order of their first hit, each code's hits in
        sentence order. Read-only: the mapping may be shared between texts.
        """
        sentences = analysis.sentences
        hits_in_sentence = self._sentence_hits
        if len(sentences) == 1:  # most texts: the sentence's own mapping
            return hits_in_sentence(0, sentences[0].norm.text)
        found: dict[str, tuple[PhraseHit, ...]] = {}
        for number, sentence in enumerate(sentences):
            for code, hits in hits_in_sentence(number, sentence.norm.text).items():
                before = found.get(code)
                found[code] = hits if before is None else before + hits
        return found

    def _scan_sentence(self, number: int, text: str) -> dict[str, tuple[PhraseHit, ...]]:
        found: dict[str, list[PhraseHit]] = {}
        for start, end, phrase, payloads in self.index.spans(text):
            for code, list_name in payloads:
                hit = _new_hit(PhraseHit, (number, start, end, list_name, phrase))
                hits = found.get(code)
                if hits is None:
                    found[code] = [hit]
                else:
                    hits.append(hit)
        return {code: tuple(hits) for code, hits in found.items()}

    def infos(self) -> list[RuleInfo]:
        return [
            RuleInfo(
                code=r.spec.code,
                name=r.spec.name,
                severity=r.spec.severity,
                points=r.spec.points,
                message=r.spec.message,
                description=r.spec.description,
                source=r.spec.source,
            )
            for r in self.rules
        ]

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)


def load_specs(config: Config) -> list[tuple[RuleSpec, type[Rule]]]:
    """Every rule of the configured rulesets, with the shop's overrides, before selection."""
    acc = _Loaded()
    for ref in config.extends:
        _load_into(
            acc, ref, config.base_dir, config.sources[-1] if config.sources else "<config>", ()
        )
    specs: list[tuple[RuleSpec, type[Rule]]] = []
    for code, (table, file, text) in acc.rules.items():
        spec, kind = _build_spec(code, table, file, text, acc.lists)
        override = config.rules.get(code)
        if override is not None:
            spec = _apply_override(spec, kind, override)
        specs.append((spec, kind))
    known = {spec.code for spec, _ in specs}
    for code, override in config.rules.items():
        if code not in known:
            raise ConfigError(
                override.origin or "<config>",
                None,
                f"[rules.{code}]: no rule {code} in the rulesets {', '.join(config.extends)}",
            )
    return specs


def load_pack(config: Config) -> RulePack:
    """The rule pack of a run: load, override, select, instantiate."""
    specs = load_specs(config)
    for prefix in (*config.select, *config.ignore):
        if not any(_matches(spec.code, spec.name, prefix) for spec, _ in specs):
            where = config.sources[-1] if config.sources else "<command line>"
            raise ConfigError(
                where, None, f"select/ignore: {prefix!r} matches no rule code or name"
            )
    rules: list[Rule] = []
    for spec, kind in specs:
        override = config.rules.get(spec.code)
        if override is not None and override.enabled is False:
            continue
        if config.select and not any(_matches(spec.code, spec.name, p) for p in config.select):
            continue
        if any(_matches(spec.code, spec.name, p) for p in config.ignore):
            continue
        rules.append(kind(spec))
    rules.sort(key=lambda r: r.code)
    return RulePack(
        rules=rules,
        shop=config.shop,
        session_gap_s=config.session_gap_s,
        files=list(config.sources),
    )
