"""``sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).

One run; ``tool.driver.rules`` lists every rule of the active pack with its
description, help and default level, and each result points at its rule by
``ruleId`` and ``ruleIndex``. Locations are relative URIs with forward
slashes (percent-encoded where needed) and a ``startLine`` of at least 1.
``partialFingerprints`` hash what identifies a finding across runs (code,
file, session and masked text, plus an occurrence counter for repeats), never
the line number, so a finding keeps its identity when rows move. Input errors
are tool execution notifications; the run itself is still successful.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path, PurePath
from typing import Any, ClassVar
from urllib.parse import quote

from cslint.model import InputError, RuleInfo, RunResult, Violation
from cslint.reporters.base import Reporter, ReportOptions
from cslint.reporters.common import excerpt, masked, masked_str, points_label, sarif_level

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://example.invalid/cslint/docs"
FINGERPRINT_KEY = "cslint/v1"
_URI_SAFE = "/:@!$&'()*+,;=-._~"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_RESULTS = '"__cslint_results__"'  # where render splices in the results, one per line


def artifact_uri(file: str) -> str:
    """``file`` as a SARIF ``uri``: relative to the working folder where it can be,
    forward slashes, percent-encoded (Chinese file names included)."""
    path = PurePath(file)
    if path.is_absolute():
        try:
            path = Path(file).relative_to(Path.cwd())
        except ValueError:
            return Path(file).as_uri()
    return quote(path.as_posix(), safe=_URI_SAFE)


def _location(file: str, line: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(file)},
            "region": {"startLine": max(1, line)},
        }
    }


def _template_text(message: str) -> str:
    """A rule's message template for display: ``{match}`` placeholders become ``…``."""
    return _PLACEHOLDER.sub("…", message)


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    short = _template_text(rule.message) if rule.message else rule.name
    description = rule.description or short
    source = f"Source: {rule.source}" if rule.source else ""
    help_text = description + (f"\n\n{source}" if source else "")
    help_markdown = (
        f"**{rule.code} {rule.name}** ({points_label(rule.points)})\n\n{description}"
        + (f"\n\n_{source}_" if source else "")
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": sarif_level(rule.severity)},
        "properties": {"points": rule.points, "source": rule.source},
    }


def _rules(result: RunResult) -> list[RuleInfo]:
    """The active pack's rules, plus any rule a violation names that the pack lacks."""
    rules = list(result.rules)
    known = {r.code for r in rules}
    for v in result.violations:
        if v.code not in known:
            known.add(v.code)
            rules.append(RuleInfo(v.code, v.name, v.severity, v.points, v.message, "", ""))
    return rules


def _fingerprint(v: Violation, masked_text: str, seen: Counter[str]) -> str:
    key = "\x1f".join((v.code, v.file, masked_str(v.session, False), masked_text))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    seen[digest] += 1
    return f"{digest}:{seen[digest]}"


def _result(v: Violation, index: int, options: ReportOptions, seen: Counter[str]) -> dict[str, Any]:
    text = masked_str(v.text, options.show_pii)
    message = masked_str(v.message, options.show_pii)
    if text:
        message += f": {excerpt(text, v.span, width=120)}"
    suggestion = masked(v.suggestion, options.show_pii)
    if suggestion:
        message += f" → {suggestion}"
    return {
        "ruleId": v.code,
        "ruleIndex": index,
        "level": sarif_level(v.severity),
        "message": {"text": message},
        "locations": [_location(v.file, v.line)],
        # Always hashed over the masked text: the identity must not depend on --show-pii.
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(v, masked_str(v.text, False), seen)},
        "properties": {
            "session": masked_str(v.session, options.show_pii),
            "buyer": masked_str(v.buyer, options.show_pii),
            "agent": v.agent,
            "points": v.points,
            "deducted": v.deducted,
        },
    }


def _notification(e: InputError, options: ReportOptions) -> dict[str, Any]:
    return {
        "level": "error" if e.kind == "file" else "warning",
        "message": {"text": masked_str(e.reason, options.show_pii)},
        "locations": [_location(e.file, e.line)],
    }


def sarif_log(result: RunResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it)."""
    rules = _rules(result)
    index = {r.code: i for i, r in enumerate(rules)}
    seen: Counter[str] = Counter()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cslint",
                        "version": options.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            _notification(e, options) for e in result.input_errors
                        ],
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": [_result(v, index[v.code], options, seen) for v in result.violations],
            }
        ],
    }


class SarifReporter(Reporter):
    """SARIF 2.1.0, valid against the OASIS schema."""

    name: ClassVar[str] = "sarif"
    extension: ClassVar[str] = ".sarif"

    def render(self, result: RunResult, options: ReportOptions) -> str:
        # json.dumps with indent runs in pure Python: pretty-print the frame only
        # and write each result compactly on its own line (100k results in ~1 s).
        log = sarif_log(result, options)
        results = log["runs"][0]["results"]
        log["runs"][0]["results"] = _RESULTS[1:-1]
        frame = json.dumps(log, ensure_ascii=False, indent=2)
        indent = " " * 6  # "results" sits in the run, three levels deep
        items = ",\n".join(
            indent + "  " + json.dumps(r, ensure_ascii=False, separators=(",", ":"))
            for r in results
        )
        array = f"[\n{items}\n{indent}]" if results else "[]"
        return frame.replace(_RESULTS, array, 1) + "\n"
