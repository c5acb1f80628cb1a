"""Labelled transcripts: load cases, run them, compare codes (docs/corpus-format.md).

One harness serves the project's tests (``tests/test_corpora.py``) and a
shop's CI (``cslint test``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cslint.api import check_paths
from cslint.config import Config, merge_table
from cslint.errors import ConfigError, load_toml
from cslint.ruleset import RulePack, load_pack

AGENT_NICK = "测试旗舰店:小美"
BUYER_NICK = "tb_buyer"
AGENT_TIME = "2025-03-03 10:00:00"
_TRANSCRIPT_KEYS = ("agent", "chat", "chats", "csv")
_CASE_KEYS = {"name", "expect", "config", "scope", *_TRANSCRIPT_KEYS}


@dataclass(frozen=True)
class Case:
    """One labelled transcript and the codes it must produce."""

    file: str
    line: int
    name: str
    expect: frozenset[str]
    scope: frozenset[str] | None  # None: every code of the active rules
    config: dict[str, Any]
    transcript: tuple[tuple[str, str], ...]  # (suffix, content) of each file to read

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    found: frozenset[str]  # restricted to the scope
    all_found: tuple[str, ...]
    input_errors: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.found == self.case.expect and not self.input_errors

    @property
    def missed(self) -> frozenset[str]:
        return self.case.expect - self.found

    @property
    def unexpected(self) -> frozenset[str]:
        return self.found - self.case.expect


@dataclass
class RuleTally:
    """Per-rule figures of a corpus run."""

    expected: int = 0
    found: int = 0
    missed: int = 0
    unexpected: int = 0

    @property
    def precision(self) -> float | None:
        hits = self.found - self.unexpected
        return hits / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        hits = self.expected - self.missed
        return hits / self.expected if self.expected else None


@dataclass
class CorpusReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def tally(self) -> dict[str, RuleTally]:
        table: dict[str, RuleTally] = {}
        for r in self.results:
            codes = r.case.expect | r.found
            for code in codes:
                t = table.setdefault(code, RuleTally())
                t.expected += code in r.case.expect
                t.found += code in r.found
                t.missed += code in r.missed
                t.unexpected += code in r.unexpected
        return dict(sorted(table.items()))


def _case_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[case]]"]


def _codes(value: Any, where: str, what: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ConfigError(where, None, f"{what} must be a list of rule codes")
    return frozenset(value)


def load_cases(path: Path) -> list[Case]:
    """The cases of one corpus file (a :class:`ConfigError` when it is malformed)."""
    data, text = load_toml(path)
    name = str(path)
    file_scope: frozenset[str] | None = None
    if "rules" in data or "rule" in data:
        file_scope = _codes(data.get("rules", data.get("rule")), name, "rules")
    file_config = data.get("config", {})
    cases = data.get("case", [])
    if not isinstance(cases, list) or not cases:
        raise ConfigError(name, None, "no [[case]] in this corpus file")
    lines = _case_lines(text)
    out: list[Case] = []
    for number, case in enumerate(cases):
        line = lines[number] if number < len(lines) else 1
        where = f"{name}:{line}"
        unknown = sorted(set(case) - _CASE_KEYS)
        if unknown:
            raise ConfigError(
                name,
                line,
                f"unknown key {unknown[0]!r} in case (known: {', '.join(sorted(_CASE_KEYS))})",
            )
        given = [k for k in _TRANSCRIPT_KEYS if k in case]
        if len(given) != 1:
            raise ConfigError(name, line, "a case needs exactly one of agent, chat, chats, csv")
        if "expect" not in case:
            raise ConfigError(
                name, line, "a case needs expect = [...] (an empty list for a clean case)"
            )
        scope = case.get("scope", None)
        case_scope = file_scope
        if scope == "all":
            case_scope = None
        elif scope is not None:
            case_scope = _codes(scope, where, "scope") | (file_scope or frozenset())
        expect = _codes(case["expect"], where, "expect")
        config = {**file_config, **case.get("config", {})}
        out.append(
            Case(
                file=name,
                line=line,
                name=str(case.get("name", f"case {number + 1}")),
                expect=expect,
                scope=None if case_scope is None else case_scope | expect,
                config=config,
                transcript=_transcript(given[0], case[given[0]], where),
            )
        )
    return out


def _transcript(key: str, value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if key == "agent":
        if not isinstance(value, str):
            raise ConfigError(where, None, "agent must be a string")
        row = {
            "time": AGENT_TIME,
            "buyer": BUYER_NICK,
            "sender": AGENT_NICK,
            "text": value,
            "role": "agent",
        }
        return ((".jsonl", json.dumps(row, ensure_ascii=False) + "\n"),)
    if key == "chats":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(where, None, "chats must be a list of transcripts")
        return tuple((".txt", v.lstrip("\n")) for v in value)
    if not isinstance(value, str):
        raise ConfigError(where, None, f"{key} must be a string")
    return ((".txt" if key == "chat" else ".csv", value.lstrip("\n")),)


def find_corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(
                sorted(
                    q
                    for q in p.rglob("*.toml")
                    if not any(part.startswith(".") for part in q.parts)
                )
            )
        elif p.exists():
            found.append(p)
        else:
            raise ConfigError(str(p), None, "no such file or directory")
    return found


class CorpusRunner:
    """Runs cases, compiling each distinct configuration's rule pack once."""

    def __init__(self, base: Config | None = None) -> None:
        self.base = base if base is not None else Config()
        self._packs: dict[str, tuple[Config, RulePack]] = {}

    def _config(self, case: Case) -> tuple[Config, RulePack]:
        key = json.dumps(case.config, sort_keys=True, default=str)
        if key not in self._packs:
            config = self.base
            if case.config:
                config = merge_table(config, case.config, origin=case.where, text="")
            config = replace(config, select=(), ignore=())
            self._packs[key] = (config, load_pack(config))
        return self._packs[key]

    def run_case(self, case: Case) -> CaseResult:
        config, pack = self._config(case)
        with tempfile.TemporaryDirectory(prefix="cslint-case-") as tmp:
            paths = []
            for n, (suffix, content) in enumerate(case.transcript):
                path = Path(tmp) / f"case{n}{suffix}"
                path.write_text(content, encoding="utf-8")
                paths.append(path)
            result = check_paths(paths, config, pack=pack)
        codes = tuple(sorted({v.code for v in result.violations}))
        in_scope = frozenset(c for c in codes if case.scope is None or c in case.scope)
        errors = tuple(f"{Path(e.file).name}:{e.line}: {e.reason}" for e in result.input_errors)
        return CaseResult(case=case, found=in_scope, all_found=codes, input_errors=errors)

    def run(self, cases: Sequence[Case]) -> CorpusReport:
        return CorpusReport([self.run_case(c) for c in cases])
