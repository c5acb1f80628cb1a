"""The bundled rulesets are data, and data is tested like code (cf. codespell)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from cslint.config import Config
from cslint.model import Message, Role, Session
from cslint.rules.base import RuleSpec, SessionContext
from cslint.ruleset import bundled_rulesets, load_pack, load_specs
from cslint.text.normalize import normalize_phrase

AGENT_NICK, BUYER_NICK = "测试旗舰店:小美", "tb_buyer"
SPECS: list[RuleSpec] = [spec for spec, _ in load_specs(Config())]


def test_bundled_names() -> None:
    assert {"default", "service-standards", "tmall-red-lines"} <= set(bundled_rulesets())


def test_codes_are_unique_and_well_formed() -> None:
    codes = [s.code for s in SPECS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[WSTFCP]\d{3}", c) for c in codes)
    assert len(codes) == 22


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_no_duplicate_phrase_in_a_list(spec: RuleSpec) -> None:
    for name, entries in spec.lists.items():
        counts = Counter(normalize_phrase(e) for e in entries)
        dupes = [e for e, n in counts.items() if n > 1]
        assert not dupes, f"{spec.code} list {name} repeats {dupes}"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_nothing_both_forbidden_and_whitelisted(spec: RuleSpec) -> None:
    forbidden = {normalize_phrase(p) for p in spec.list("phrases")}
    whitelist = {normalize_phrase(p) for p in spec.list("whitelist")}
    assert not forbidden & whitelist, f"{spec.code}: {forbidden & whitelist}"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_every_rule_is_documented(spec: RuleSpec) -> None:
    assert spec.description and spec.source and spec.message, spec.code
    assert spec.points >= 0


def _agent_session(text: str) -> Session:
    from datetime import datetime

    message = Message(
        datetime(2025, 3, 3, 10), BUYER_NICK, AGENT_NICK, text, Role.AGENT, "<replacement>", 1
    )
    return Session("s", BUYER_NICK, None, (message,))


REPLACEMENTS = sorted({(s.code, v) for s in SPECS for v in s.replacements.values()})


@pytest.mark.parametrize(("code", "replacement"), REPLACEMENTS)
def test_every_suggested_replacement_is_itself_clean(code: str, replacement: str) -> None:
    """A fix must never introduce a finding: every replacement passes every message rule."""
    pack = load_pack(Config())
    ctx_text = f"亲，{replacement}哦"  # a replacement lands inside a sentence
    session = _agent_session(ctx_text)
    from cslint.text.analysis import analyze

    ctx = SessionContext(session, pack.shop, analyze, pack.find_hits)
    found = [v.code for rule in pack.rules if rule.judges_one_message() for v in rule.check(ctx)]
    assert not found, f"{code} suggests {replacement!r}, which breaks {found}"
