"""Generate ``docs/rules.md`` from the bundled rulesets and the corpus.

``python -m cslint.docgen > docs/rules.md``; a test fails when the committed
file and the rulesets disagree, so the reference can never drift.
"""

from __future__ import annotations

import json

from cslint.config import Config
from cslint.corpus import Case, load_cases
from cslint.ruleset import bundled_rulesets, data_dir, load_specs, qualified_name

_HEADER = """\
# Rule reference

Generated from `rulesets/*.toml` and `corpora/*.toml` by
`python -m cslint.docgen > docs/rules.md`; do not edit by hand.

Every code is on by default (`extends = ["default"]`). Points are deducted at
most `max_deductions` times per session (default once); the session score is
max(0, 100 − deductions). Change points, parameters and lists per shop in
`cslint.toml` (see the README).
"""


def _example(case: Case) -> str:
    suffix, content = case.transcript[0]
    if suffix == ".jsonl":
        text = str(json.loads(content)["text"])
        return "`" + text.replace("`", "'") + "`"
    return "(transcript, see corpus)"


def render() -> str:
    specs = load_specs(Config())
    rulesets = {p.stem: p for p in bundled_rulesets().values()}
    out = [_HEADER, "| code | name | severity | points | ruleset |", "|---|---|---|---|---|"]
    for spec, _ in specs:
        ruleset = next(
            (name for name, path in rulesets.items() if str(path) == spec.origin), spec.origin
        )
        out.append(
            f"| [{spec.code}](#{spec.code.lower()}) | {qualified_name(spec.code, spec.name)} "
            f"| {spec.severity.value} | {spec.points} | {ruleset} |"
        )
    for spec, kind in specs:
        out += [
            "",
            f"## {spec.code}",
            "",
            f"**{qualified_name(spec.code, spec.name)}**: {spec.description}",
            "",
        ]
        out.append(f"- kind: `{spec.kind}` ({kind.description})")
        out.append(
            f"- severity: {spec.severity.value}; points: {spec.points}; max deductions per session: {spec.max_deductions}"
        )
        out.append(f"- message: {spec.message}")
        if spec.suggestion:
            out.append(f"- suggestion: {spec.suggestion}")
        params = {**{n: p.default for n, p in kind.params.items()}, **spec.params}
        for name, value in params.items():
            help_text = kind.params[name].help
            out.append(
                f"- parameter `{name}` = `{value!r}`" + (f": {help_text}" if help_text else "")
            )
        for name, entries in spec.lists.items():
            out.append(f"- {name}: " + "、".join(entries))
        if spec.replacements:
            out.append(
                "- replacements: " + "; ".join(f"{k} → {v}" for k, v in spec.replacements.items())
            )
        if spec.yield_to:
            out.append("- not reported inside a hit of: " + ", ".join(spec.yield_to))
        out.append(f"- source: {spec.source}")
        corpus = data_dir("corpora") / f"{spec.code}.toml"
        if corpus.is_file():
            cases = load_cases(corpus)
            fails = [c for c in cases if spec.code in c.expect][:4]
            passes = [c for c in cases if spec.code not in c.expect][:4]
            out += ["", "Fails:", ""] + [f"- {c.name}: {_example(c)}" for c in fails]
            out += ["", "Passes:", ""] + [f"- {c.name}: {_example(c)}" for c in passes]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
