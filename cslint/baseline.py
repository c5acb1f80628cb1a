"""Baselines: findings a shop accepts for now, so that only new ones fail CI.

``cslint check --write-baseline FILE`` / ``cslint phrases --write-baseline
FILE`` write every current finding to ``FILE``; ``--baseline FILE`` drops the
findings listed there from later runs. The file is JSON, sorted, one entry
per distinct finding, meant to be committed and reviewed::

    {
      "version": 1,
      "tool": "cslint",
      "entries": [
        {"code": "W002", "text_hash": "3f1c…", "snippet": "「不好意思」，没货了", "reason": ""}
      ]
    }

Decisions:

- **Keyed on content, not place.** ``text_hash`` is the SHA-256 of the rule
  code, the message's normalized text and the normalized text of the matched
  span (:func:`finding_key`). Normalized: NFKC, case folded, whitespace
  removed, so re-indenting a library, moving a phrase, adding lines above it
  or re-exporting a log with other line numbers keeps the entry; editing the
  phrase's words makes it a new finding. One entry covers every occurrence of
  the same finding (a canned reply used in a hundred chats is one entry).
- **No personal data in the file.** The hash is over the raw text, but the
  only readable field, ``snippet``, is masked like every output
  (``138****5678``); ``reason`` is free text for the reviewer ("" by default)
  and is kept when the baseline is rewritten.
- **Stale entries** (an entry whose rule is active but that matched nothing
  in this run: the phrase was fixed or deleted) are listed after the text
  report and in the summary field ``stale_baseline``; they never fail a run
  on their own. Entries of rules not active in the run (``--select``,
  ``--ignore``, a disabled rule) are neither matched nor stale. Run
  ``--write-baseline`` to drop stale entries.
- Baselined findings are removed from the result before scoring, so session
  scores, points and counts are those of the remaining findings; the summary
  says how many were dropped (``baselined``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cslint.errors import ConfigError
from cslint.model import RunResult, SessionResult, Violation

BASELINE_VERSION = 1
SNIPPET_WIDTH = 40
_HASH = re.compile(r"^[0-9a-f]{64}$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth telling that is neither a violation nor an input error.

    Duplicate phrases in a library, a fix that was not applied, a stale
    baseline entry. Notices never change the exit code.
    """

    file: str
    line: int
    message: str
    kind: str = "notice"

    def __str__(self) -> str:
        if not self.file:
            return self.message
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "kind": self.kind, "message": self.message}


@dataclass
class NotedResult(RunResult):
    """A :class:`RunResult` that also carries notices and extra summary fields.

    Reporters render it unchanged; its :meth:`summary` adds ``notices`` and
    whatever ``extra`` holds (``baselined``, ``stale_baseline``, ``phrases`` …).
    """

    notices: list[Notice] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        summary = super().summary()
        summary["notices"] = [n.to_dict() for n in self.notices]
        summary.update(self.extra)
        return summary


def noted(result: RunResult) -> NotedResult:
    """``result`` as a :class:`NotedResult` (itself when it already is one)."""
    if isinstance(result, NotedResult):
        return result
    return NotedResult(
        violations=result.violations,
        input_errors=result.input_errors,
        sessions=result.sessions,
        files=result.files,
        rules=result.rules,
        meta=result.meta,
    )


# -- keys -------------------------------------------------------------------


def normalize_for_key(text: str) -> str:
    """NFKC, case folded, without whitespace: what a baseline key sees of a text."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def matched_text(v: Violation) -> str:
    if v.span is None:
        return ""
    return v.text[v.span[0] : v.span[1]]


def finding_key(v: Violation) -> str:
    """The content key of a finding: SHA-256 of code, normalized text and normalized match."""
    payload = "\x00".join((v.code, normalize_for_key(v.text), normalize_for_key(matched_text(v))))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def snippet(v: Violation) -> str:
    """A short masked excerpt with the match marked, for people reading the baseline."""
    from cslint.reporters.common import excerpt, masked_str

    return excerpt(masked_str(v.text, False), v.span, width=SNIPPET_WIDTH)


# -- the file ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    text_hash: str
    snippet: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "text_hash": self.text_hash,
            "snippet": self.snippet,
            "reason": self.reason,
        }


@dataclass
class Baseline:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)  # (code, hash) -> entry
    path: str = ""

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, v: Violation) -> Entry | None:
        return self.entries.get((v.code, finding_key(v)))


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; every problem is a :class:`ConfigError` (exit 2)."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise ConfigError(name, None, "baseline file not found (create it with --write-baseline)")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ConfigError(name, None, f"cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(name, None, "baseline is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(name, exc.lineno, f"baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ConfigError(
            name, None, 'not a cslint baseline (expected {"version": 1, "entries": [...]})'
        )
    if data.get("version") != BASELINE_VERSION:
        raise ConfigError(
            name,
            None,
            f"unsupported baseline version {data.get('version')!r} (this cslint writes {BASELINE_VERSION})",
        )
    baseline = Baseline(path=name)
    for number, item in enumerate(data["entries"], start=1):
        if not isinstance(item, dict):
            raise ConfigError(name, None, f"entry {number} is not an object")
        code, text_hash = item.get("code"), item.get("text_hash")
        if not isinstance(code, str) or not code:
            raise ConfigError(name, None, f"entry {number}: missing code")
        if not isinstance(text_hash, str) or not _HASH.match(text_hash):
            raise ConfigError(name, None, f"entry {number}: text_hash must be 64 hex digits")
        reason = item.get("reason", "")
        snip = item.get("snippet", "")
        if not isinstance(reason, str) or not isinstance(snip, str):
            raise ConfigError(name, None, f"entry {number}: snippet and reason must be text")
        baseline.entries[(code, text_hash)] = Entry(code, text_hash, snip, reason)
    return baseline


def build_baseline(violations: Iterable[Violation], previous: Baseline | None = None) -> Baseline:
    """One entry per distinct finding; reasons carried over from ``previous``."""
    out = Baseline()
    for v in violations:
        key = (v.code, finding_key(v))
        if key in out.entries:
            continue
        old = previous.entries.get(key) if previous is not None else None
        out.entries[key] = Entry(v.code, key[1], snippet(v), old.reason if old is not None else "")
    return out


def dump_baseline(baseline: Baseline) -> str:
    entries = sorted(baseline.entries.values(), key=lambda e: (e.code, e.snippet, e.text_hash))
    doc = {"version": BASELINE_VERSION, "tool": "cslint", "entries": [e.to_dict() for e in entries]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_baseline(path: str | Path, violations: Iterable[Violation]) -> Baseline:
    """Write the baseline of ``violations`` to ``path`` atomically (keeping reasons already there).

    Raises :class:`~cslint.output.OutputError` when the file cannot be written.
    """
    from cslint.output import write_atomic

    path = Path(path)
    previous: Baseline | None = None
    if path.is_file():
        try:
            previous = load_baseline(path)
        except ConfigError:
            previous = None  # an unreadable old baseline is simply replaced
    baseline = build_baseline(violations, previous)
    write_atomic(path, dump_baseline(baseline))
    baseline.path = str(path)
    return baseline


# -- applying ---------------------------------------------------------------


@dataclass
class Applied:
    """What applying a baseline did."""

    result: NotedResult
    baselined: list[Violation]
    stale: list[Entry]


def apply_baseline(
    result: RunResult,
    baseline: Baseline,
    *,
    active_codes: Iterable[str],
    max_deductions: Mapping[str, int],
) -> Applied:
    """Drop baselined findings, rescore sessions, and list stale entries."""
    from cslint.scoring import score_session

    matched: set[tuple[str, str]] = set()
    dropped: list[Violation] = []

    def keep(v: Violation) -> bool:
        key = (v.code, finding_key(v))
        if key in baseline.entries:
            matched.add(key)
            return False
        return True

    in_sessions: set[int] = set()
    sessions: list[SessionResult] = []
    every: list[Violation] = []
    for s in result.sessions:
        in_sessions.update(id(v) for v in s.violations)
        kept: list[Violation] = []
        for v in s.violations:
            (kept if keep(v) else dropped).append(v)
        if len(kept) == len(s.violations):
            sessions.append(s)
            every.extend(s.violations)
            continue
        scored, deductions = score_session(kept, max_deductions)
        sessions.append(
            replace(
                s, violations=tuple(scored), deductions=deductions, score=max(0, 100 - deductions)
            )
        )
        every.extend(scored)
    for v in result.violations:  # run-level findings that name no session
        if id(v) not in in_sessions:
            (every if keep(v) else dropped).append(v)
    every.sort(key=Violation.sort_key)
    active = set(active_codes)
    stale = sorted(
        (e for key, e in baseline.entries.items() if e.code in active and key not in matched),
        key=lambda e: (e.code, e.snippet),
    )
    out = noted(result)
    out = NotedResult(
        violations=every,
        input_errors=out.input_errors,
        sessions=sessions,
        files=out.files,
        rules=out.rules,
        meta={**out.meta, "baseline": baseline.path},
        notices=list(out.notices),
        extra={
            **out.extra,
            "baselined": len(dropped),
            "stale_baseline": [e.to_dict() for e in stale],
        },
    )
    return Applied(out, dropped, stale)


def stale_lines(stale: Sequence[Entry], path: str) -> list[str]:
    """How the text output lists stale entries."""
    if not stale:
        return []
    n = len(stale)
    lines = [
        f"{path}: {n} stale baseline entr{'y' if n == 1 else 'ies'} (fixed or gone; rewrite with --write-baseline):"
    ]
    for e in stale:
        reason = f"  ({e.reason})" if e.reason else ""
        lines.append(f"  {e.code} {e.snippet}{reason}")
    return lines
