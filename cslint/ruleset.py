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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from cslint.config import Config, RuleOverride
from cslint.errors import ConfigError, line_of, load_toml
from cslint.match import PhraseIndex
from cslint.model import RuleInfo, Severity
from cslint.rules import KINDS
from cslint.rules.base import PhraseHit, Rule, RuleSpec, ShopFacts
from cslint.text.analysis import TextAnalysis
from cslint.text.normalize import normalize_phrase

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
    bounded by shape: no nested quantifiers, no backreferences, short.
    """
    where = line_of(text, pattern[:30])
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ConfigError(file, where, f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(file, where, f"bad regular expression {pattern!r}: {exc}") from None
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        raise ConfigError(file, where, f"pattern {pattern!r}: backreferences are not allowed")
    if re.search(r"\([^()]*[+*}][^()]*\)\s*[+*{]", pattern):
        raise ConfigError(
            file,
            where,
            f"pattern {pattern!r}: nested quantifiers can hang on long text; rewrite without a repeated group of repeats",
        )


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
    try:
        _check_params(
            kind,
            o.params,
            lambda reason, *_: ConfigError(
                o.origin or "<config>", None, f"[rules.{spec.code}.params]: {reason}"
            ),
        )
    except ConfigError:
        raise
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

    def find_hits(self, analysis: TextAnalysis) -> dict[str, tuple[PhraseHit, ...]]:
        """Every rule's phrase hits in one analysed message, by rule code."""
        found: dict[str, list[PhraseHit]] = {}
        index = self.index
        for number, sentence in enumerate(analysis.sentences):
            text = sentence.norm.text
            if not text:
                continue
            for start, end, (code, list_name) in index.find(text):
                found.setdefault(code, []).append(
                    PhraseHit(number, start, end, list_name, text[start:end])
                )
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
        files=[s for s in config.sources],
    )
