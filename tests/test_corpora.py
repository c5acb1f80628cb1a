"""One harness for every labelled case in corpora/ (docs/corpus-format.md).

Each case is a pytest item named after its file, line and name, so a failing
case reads like ``corpora/W001.toml:12 吧台 is not 应该是吧``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cslint.config import Config
from cslint.corpus import Case, CorpusRunner, load_cases
from cslint.ruleset import data_dir, load_specs

CORPORA = data_dir("corpora")
CASES: list[Case] = [case for path in sorted(CORPORA.glob("*.toml")) for case in load_cases(path)]
RUNNER = CorpusRunner()


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{Path(c.file).name}:{c.line} {c.name}" for c in CASES]
)
def test_case(case: Case) -> None:
    result = RUNNER.run_case(case)
    assert not result.input_errors, (
        f"{case.where}: the transcript itself is broken: {result.input_errors}"
    )
    assert result.found == case.expect, (
        f"{case.where} {case.name!r}: expected {sorted(case.expect)}, found {sorted(result.found)} "
        f"(all codes found: {list(result.all_found)})"
    )


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    """The proselint-style meta-test: a rule without examples is not done."""
    missing: list[str] = []
    for spec, _ in load_specs(Config()):
        in_scope = [c for c in CASES if c.scope is None or spec.code in c.scope]
        if not any(spec.code in c.expect for c in in_scope):
            missing.append(f"{spec.code}: no failing case")
        if not any(
            spec.code not in c.expect
            for c in in_scope
            if c.scope is not None and spec.code in c.scope
        ):
            missing.append(f"{spec.code}: no passing case")
        if not (CORPORA / f"{spec.code}.toml").is_file():
            missing.append(f"{spec.code}: no corpora/{spec.code}.toml")
    assert not missing, "\n".join(missing)
