"""``cslint test``: the labelled corpus as a CI check, and the integration files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cslint.cli import main

ROOT = Path(__file__).resolve().parent.parent
LAST_LINE = re.compile(r"^(\d+) passed, (\d+) failed$")

GOOD_AND_WRONG = """\
rule = "W001"

[[case]]
name = "a forbidden phrase"
expect = ["W001"]
agent = "不行的亲"

[[case]]
name = "deliberately wrong: this reply is clean"
expect = ["W001"]
agent = "亲，您好，很高兴为您服务/:^_^"
"""


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def last_line(out: str) -> tuple[int, int]:
    lines = out.rstrip("\n").split("\n")
    m = LAST_LINE.match(lines[-1])
    assert m, f"last line is {lines[-1]!r}"
    return int(m.group(1)), int(m.group(2))


def test_bundled_corpus_passes() -> None:
    code, out, _ = run("test", "--isolated")
    passed, failed = last_line(out)
    assert code == 0, out
    assert failed == 0 and passed > 100
    assert re.search(
        r"^\s+rule\s+expected\s+found\s+missed\s+unexpected\s+precision\s+recall$", out, re.M
    )
    assert re.search(r"^\s+W001\s+\d+\s+\d+\s+0\s+0\s+1\.00\s+1\.00$", out, re.M)


def test_corpora_folder_from_the_checkout() -> None:
    code, out, _ = run("test", "corpora", cwd=ROOT)
    assert code == 0, out
    assert last_line(out)[1] == 0
    assert "22 corpus files" in out or "corpus files" in out


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    corpus = tmp_path / "shop" / "W001-mine.toml"
    corpus.parent.mkdir()
    corpus.write_text(GOOD_AND_WRONG, encoding="utf-8")
    code, out, _ = run("test", "--isolated", str(corpus.parent))
    assert code == 1
    assert last_line(out) == (1, 1)
    assert f"{corpus}:8: deliberately wrong: this reply is clean" in out
    assert (
        "    expected: W001" in out
        and "    found:    (none)" in out
        and "    missed:   W001" in out
    )
    assert re.search(r"^\s+W001\s+2\s+1\s+1\s+0\s+1\.00\s+0\.50$", out, re.M)


def test_unexpected_codes_are_listed(tmp_path: Path) -> None:
    corpus = tmp_path / "c.toml"
    corpus.write_text('[[case]]\nname = "clean?"\nexpect = []\nagent = "你好"\n', encoding="utf-8")
    code, out, _ = run("test", "--isolated", str(corpus))
    assert code == 1 and last_line(out) == (0, 1)
    assert "unexpected: W003, W005" in out


def test_a_shop_config_can_break_the_corpus(tmp_path: Path) -> None:
    """The point of `cslint test` in a shop's CI: a ruleset change that breaks a labelled case."""
    corpus = tmp_path / "corpora" / "W002.toml"
    corpus.parent.mkdir()
    corpus.write_text(
        'rule = "W002"\n[[case]]\nname = "不好意思 is negative"\nexpect = ["W002"]\nagent = "不好意思，没货了"\n',
        encoding="utf-8",
    )
    config = tmp_path / "cslint.toml"
    code, out, _ = run("test", "--isolated", str(corpus))
    assert code == 0 and last_line(out) == (1, 0)
    config.write_text('[rules.W002]\nadd_whitelist = ["不好意思"]\n', encoding="utf-8")
    code, out, _ = run("test", str(corpus.parent))  # found walking up
    assert code == 1 and last_line(out) == (0, 1)
    code, out, _ = run("test", "--isolated", "--config", str(config), str(corpus))
    assert code == 1 and last_line(out) == (0, 1)


def test_broken_corpus_file_exits_2_and_others_still_run(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(
        GOOD_AND_WRONG.split("[[case]]", 2)[0]
        + "[[case]]"
        + GOOD_AND_WRONG.split("[[case]]", 2)[1],
        encoding="utf-8",
    )
    (tmp_path / "broken.toml").write_text("[[case]\nname = 1\n", encoding="utf-8")
    (tmp_path / "bad_key.toml").write_text(
        '[[case]]\nname = "x"\nexpect = []\nagnet = "typo"\n', encoding="utf-8"
    )
    code, out, _ = run("test", "--isolated", str(tmp_path))
    assert code == 2
    assert last_line(out) == (1, 0)
    assert "broken.toml:1: TOML syntax error" in out
    assert "unknown key 'agnet'" in out


def test_broken_transcript_exits_2(tmp_path: Path) -> None:
    corpus = tmp_path / "c.toml"
    corpus.write_text(
        '[[case]]\nname = "no text column"\nexpect = []\ncsv = """\ntime,buyer\n2025-03-03 10:00:00,a\n"""\n',
        encoding="utf-8",
    )
    code, out, _ = run("test", "--isolated", str(corpus))
    assert code == 2
    assert last_line(out) == (0, 1)
    assert "the transcript is broken" in out


def test_missing_path_exits_2(tmp_path: Path) -> None:
    code, out, _ = run("test", "--isolated", str(tmp_path / "nope"))
    assert code == 2
    assert "no such file or directory" in out
    assert last_line(out) == (0, 0)


def test_verbose_lists_every_case(tmp_path: Path) -> None:
    corpus = tmp_path / "c.toml"
    corpus.write_text(GOOD_AND_WRONG, encoding="utf-8")
    code, out, _ = run("test", "--isolated", "-v", str(corpus))
    assert code == 1
    assert f"PASS  {corpus}:3: a forbidden phrase" in out
    assert f"FAIL  {corpus}:8: deliberately wrong" in out


def test_subprocess_last_line_from_a_clean_checkout() -> None:
    """As CI runs it: a real process, from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "cslint", "test", "corpora"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert last_line(proc.stdout)[1] == 0


# -- integration files ------------------------------------------------------------


def _hooks(text: str) -> dict[str, dict[str, str]]:
    """The hooks of .pre-commit-hooks.yaml (flat ``key: value`` entries; PyYAML not needed)."""
    hooks: dict[str, dict[str, str]] = {}
    for block in re.split(r"^- ", text, flags=re.M)[1:]:
        entry: dict[str, str] = {}
        for line in block.splitlines():
            m = re.match(r"^\s*(\w+): (.*?)\s*(#.*)?$", line)
            if m:
                value = m.group(2)
                if value.startswith("'") and value.endswith("'"):
                    value = value[1:-1].replace("''", "'")
                entry[m.group(1)] = value
        hooks[entry["id"]] = entry
    return hooks


def test_pre_commit_hooks_file() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    hooks = _hooks(text)
    assert {"cslint-phrases", "cslint-phrases-fix", "cslint-test"} <= set(hooks)
    assert all(h["language"] == "python" for h in hooks.values())
    assert hooks["cslint-phrases"]["entry"] == "cslint phrases"
    assert hooks["cslint-phrases-fix"]["entry"] == "cslint phrases --fix"
    phrases = re.compile(hooks["cslint-phrases"]["files"])
    for name in (
        "快捷短语.txt",
        "shop/quick_replies.csv",
        "phrases/快捷短语-售前.xlsx",
        "Quick-Replies.TXT",
        "售前话术.csv",
    ):
        assert phrases.search(name), name
    for name in ("logs/chat_2025-03-03.txt", "quick_replies.md", "README.txt"):
        assert not phrases.search(name), name
    test_hook = hooks["cslint-test"]
    assert test_hook["entry"] == "cslint test" and test_hook["pass_filenames"] == "false"
    watched = re.compile(test_hook["files"])
    for name in ("cslint.toml", "rulesets/mine.toml", "corpora/W001.toml", "shop/corpora/x.toml"):
        assert watched.search(name), name
    assert not watched.search("src/app.toml")
    try:
        import yaml
    except ImportError:
        return
    assert [h["id"] for h in yaml.safe_load(text)] == list(hooks)


def test_github_workflow_example() -> None:
    path = ROOT / "examples" / "ci" / "github-workflow.yml"
    text = path.read_text(encoding="utf-8")
    assert "--format sarif -o cslint.sarif" in text
    assert "github/codeql-action/upload-sarif" in text
    assert "cslint test" in text
    assert "security-events: write" in text
    try:
        import yaml
    except ImportError:
        return
    workflow = yaml.safe_load(text)
    assert isinstance(workflow, dict) and "jobs" in workflow


def test_ci_doc_mentions_everything() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for needle in (
        "pre-commit",
        "cslint-phrases",
        "cslint-test",
        "upload-sarif",
        "--write-baseline",
        "--baseline",
        "stale",
        "cslint test",
    ):
        assert needle in text, needle
