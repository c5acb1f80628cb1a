"""Find, read and merge a shop's configuration.

Order, lowest first: bundled defaults < the ``cslint.toml`` (or
``pyproject.toml`` ``[tool.cslint]``) found walking up from the first checked
path < ``--config FILE`` < command-line flags. ``cslint config`` prints the
merged result.

Schema (every key optional)::

    extends = ["default"]          # bundled ruleset names or paths to TOML rulesets
    select = ["W", "P001"]         # code prefixes or dotted-name prefixes
    ignore = ["W004"]
    session_gap_s = 1800
    [shop]
    names = ["美动态旗舰店"]        # main-account nicks (agents); `name = "…"` also works
    bot_names = ["服务助手"]
    free_shipping = true
    free_shipping_from = 2025-03-01
    free_shipping_until = 2025-03-31
    [rules.W001]                   # per-rule overrides
    points = 3
    max_deductions = 2
    severity = "warning"
    add_phrases = ["我不知道"]      # appended to the rule's main list
    add_whitelist = ["不好意思"]
    [rules.T001.params]
    first_response_s = 10
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cslint.errors import ConfigError, line_of, load_toml
from cslint.rules.base import ShopFacts

CONFIG_NAMES = ("cslint.toml", ".cslint.toml")
DEFAULT_EXTENDS = ("default",)
DEFAULT_SESSION_GAP_S = 1800

_TOP_KEYS = {"extends", "select", "ignore", "session_gap_s", "shop", "rules"}
_SHOP_KEYS = {
    "name",
    "names",
    "bot_names",
    "free_shipping",
    "free_shipping_from",
    "free_shipping_until",
}
_RULE_KEYS = {
    "points",
    "max_deductions",
    "severity",
    "message",
    "suggestion",
    "params",
    "add_phrases",
    "add_whitelist",
    "enabled",
}


@dataclass(frozen=True)
class RuleOverride:
    """What a shop changes about one rule."""

    points: int | None = None
    max_deductions: int | None = None
    severity: str | None = None
    message: str | None = None
    suggestion: str | None = None
    enabled: bool | None = None
    params: dict[str, Any] = field(default_factory=dict)
    add_phrases: tuple[str, ...] = ()
    add_whitelist: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class Config:
    """The merged configuration of a run."""

    extends: tuple[str, ...] = DEFAULT_EXTENDS
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    session_gap_s: int = DEFAULT_SESSION_GAP_S
    shop: ShopFacts = field(default_factory=ShopFacts)
    rules: dict[str, RuleOverride] = field(default_factory=dict)
    base_dir: Path = field(default_factory=Path.cwd)  # where relative `extends` paths start
    sources: tuple[str, ...] = ()  # the files merged, lowest first

    def to_dict(self) -> dict[str, Any]:
        """A plain, TOML-like view (what ``cslint config`` prints)."""
        shop = self.shop
        return {
            "sources": list(self.sources),
            "extends": list(self.extends),
            "select": list(self.select),
            "ignore": list(self.ignore),
            "session_gap_s": self.session_gap_s,
            "shop": {
                "names": list(shop.names),
                "bot_names": list(shop.bot_names),
                "free_shipping": shop.free_shipping,
                "free_shipping_from": _iso(shop.free_shipping_from),
                "free_shipping_until": _iso(shop.free_shipping_until),
            },
            "rules": {
                code: {
                    k: (list(v) if isinstance(v, tuple) else v)
                    for k, v in vars(o).items()
                    if v not in (None, (), {}) and k != "origin"
                }
                for code, o in sorted(self.rules.items())
            },
        }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def find_config_file(start: Path) -> Path | None:
    """The nearest ``cslint.toml`` or ``pyproject.toml`` with ``[tool.cslint]`` above ``start``."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.cslint" in _head(pyproject):
            return pyproject
    return None


def _head(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def load_config(
    paths: Sequence[str | Path] = (),
    config_file: str | Path | None = None,
    *,
    discover: bool = True,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    overlay: dict[str, Any] | None = None,
) -> Config:
    """Merge bundled defaults, the discovered file, ``config_file`` and flags."""
    config = Config()
    if discover:
        start = Path(paths[0]) if paths else Path.cwd()
        if start.exists():
            found = find_config_file(start)
            if found is not None and (
                config_file is None or found.resolve() != Path(config_file).resolve()
            ):
                config = merge_file(config, found)
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(str(path), None, "config file not found")
        config = merge_file(config, path)
    if overlay:
        config = merge_table(config, overlay, origin="<inline>", text="")
    if select:
        config = replace(config, select=tuple(select))
    if ignore:
        config = replace(config, ignore=config.ignore + tuple(ignore))
    return config


def merge_file(config: Config, path: Path) -> Config:
    """``config`` with the settings of one file on top."""
    data, text = load_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("cslint", {})
        if not isinstance(table, dict):
            raise ConfigError(
                str(path), line_of(text, "[tool.cslint"), "[tool.cslint] must be a table"
            )
        data = table
    merged = merge_table(config, data, origin=str(path), text=text)
    return replace(merged, base_dir=path.parent, sources=(*config.sources, str(path)))


def merge_table(config: Config, data: dict[str, Any], *, origin: str, text: str) -> Config:
    """Validate one config table and lay it over ``config``."""

    def fail(reason: str, *needles: str) -> ConfigError:
        return ConfigError(origin, line_of(text, *needles) if needles else None, reason)

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(
            f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})", unknown[0]
        )
    updates: dict[str, Any] = {}
    for key in ("extends", "select", "ignore"):
        if key in data:
            updates[key] = tuple(_str_list(data[key], key, fail))
    if "session_gap_s" in data:
        gap = data["session_gap_s"]
        if not isinstance(gap, int) or isinstance(gap, bool) or gap <= 0:
            raise fail("session_gap_s must be a positive whole number of seconds", "session_gap_s")
        updates["session_gap_s"] = gap
    if "shop" in data:
        updates["shop"] = _merge_shop(config.shop, data["shop"], fail)
    if "rules" in data:
        rules = dict(config.rules)
        table = data["rules"]
        if not isinstance(table, dict):
            raise fail("[rules] must be a table of rule codes", "rules")
        for code, body in table.items():
            rules[code] = _merge_rule(rules.get(code, RuleOverride()), code, body, fail, origin)
        updates["rules"] = rules
    return replace(config, **updates)


def _str_list(value: Any, key: str, fail: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"{key} must be a list of non-empty strings", key)
    return [v.strip() for v in value]


def _date(value: Any, key: str, fail: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(f"{key} must be a date like 2025-03-01", key)


def _merge_shop(shop: ShopFacts, table: Any, fail: Any) -> ShopFacts:
    if not isinstance(table, dict):
        raise fail("[shop] must be a table", "shop")
    unknown = sorted(set(table) - _SHOP_KEYS)
    if unknown:
        raise fail(
            f"unknown [shop] setting {unknown[0]!r} (known: {', '.join(sorted(_SHOP_KEYS))})",
            unknown[0],
        )
    names = list(shop.names)
    if "name" in table:
        names += _str_list(table["name"], "name", fail)
    if "names" in table:
        names += _str_list(table["names"], "names", fail)
    updates: dict[str, Any] = {"names": tuple(dict.fromkeys(names))}
    if "bot_names" in table:
        updates["bot_names"] = tuple(_str_list(table["bot_names"], "bot_names", fail))
    if "free_shipping" in table:
        if not isinstance(table["free_shipping"], bool):
            raise fail("free_shipping must be true or false", "free_shipping")
        updates["free_shipping"] = table["free_shipping"]
    for key in ("free_shipping_from", "free_shipping_until"):
        if key in table:
            updates[key] = _date(table[key], key, fail)
    return replace(shop, **updates)


def _merge_rule(old: RuleOverride, code: str, body: Any, fail: Any, origin: str) -> RuleOverride:
    if not isinstance(body, dict):
        raise fail(f"[rules.{code}] must be a table", f"rules.{code}", code)
    unknown = sorted(set(body) - _RULE_KEYS)
    if unknown:
        raise fail(
            f"unknown setting {unknown[0]!r} for rule {code} (known: {', '.join(sorted(_RULE_KEYS))})",
            unknown[0],
        )
    updates: dict[str, Any] = {"origin": origin}
    for key in ("points", "max_deductions"):
        if key in body:
            value = body[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(f"{code}.{key} must be a whole number >= 0", key)
            updates[key] = value
    for key in ("severity", "message", "suggestion"):
        if key in body:
            if not isinstance(body[key], str):
                raise fail(f"{code}.{key} must be a string", key)
            updates[key] = body[key]
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise fail(f"{code}.enabled must be true or false", "enabled")
        updates["enabled"] = body["enabled"]
    if "params" in body:
        if not isinstance(body["params"], dict):
            raise fail(f"{code}.params must be a table", "params")
        updates["params"] = {**old.params, **body["params"]}
    for key in ("add_phrases", "add_whitelist"):
        if key in body:
            updates[key] = (*getattr(old, key), *_str_list(body[key], key, fail))
    return replace(old, **updates)
