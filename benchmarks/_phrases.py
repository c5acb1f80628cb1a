"""The bundled rulesets' phrases, read straight from the TOML (no cslint import).

Used by the hand-written baseline and the floor so that they search the same
phrases as cslint's automaton without paying for cslint's imports.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
_SKIP = {
    "patterns",
    "code",
    "name",
    "kind",
    "severity",
    "message",
    "suggestion",
    "description",
    "source",
    "yield_to",
    "params",
    "replacements",
    "groups",
}
# kinds whose lists cslint compares directly instead of searching (W003, W004)
_NOT_SEARCHED = {"curt-reply", "ending-particle"}


def _load() -> tuple[dict[str, list[str]], list[dict]]:
    lists: dict[str, list[str]] = {}
    rules: list[dict] = []
    for name in ("service-standards", "tmall-red-lines"):
        data = tomllib.loads((RULESETS / f"{name}.toml").read_text(encoding="utf-8"))
        lists.update(data.get("lists", {}))
        rules.extend(data.get("rule", []))
    return lists, rules


def _expand(entries: list[str], lists: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for e in entries:
        out.extend(lists[e[1:]] if e.startswith("@") else [e])
    return out


def all_phrases() -> list[str]:
    """Every phrase cslint's automaton searches ("a&b" gives a and b), lowercased."""
    lists, rules = _load()
    seen: dict[str, None] = {}
    for rule in rules:
        if rule.get("kind") in _NOT_SEARCHED:
            continue
        tables = [v for k, v in rule.items() if k not in _SKIP and isinstance(v, list)]
        tables += list(rule.get("groups", {}).values())
        for entries in tables:
            for entry in _expand(entries, lists):
                for part in entry.split("&"):
                    part = part.strip().lower()
                    if part:
                        seen.setdefault(part, None)
    return list(seen)


def design_card_words() -> tuple[set[str], set[str]]:
    """What a user takes from the design card: W001's forbidden phrases plus the
    不-words of W002's replacement map, and W002's whitelist."""
    _, rules = _load()
    by_code = {r["code"]: r for r in rules}
    forbidden = set(by_code["W001"]["phrases"]) | set(by_code["W002"].get("replacements", {}))
    whitelist = set(by_code["W002"].get("whitelist", []))
    return forbidden, whitelist


if __name__ == "__main__":
    p = all_phrases()
    print(len(p), p)
