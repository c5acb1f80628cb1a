"""The command line through click's runner, and once for real as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint import __version__
from cslint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "week"

CLEAN_CSV = "time,buyer,sender,text\n2025-03-03 10:00:00,tb_a,tb_a,在吗\n2025-03-03 10:00:03,tb_a,店:小美,亲，您好，在的呢/:^_^\n2025-03-03 10:00:20,tb_a,tb_a,好的谢谢\n2025-03-03 10:00:24,tb_a,店:小美,不客气亲，感谢您的光临，有问题随时联系哦/:^_^\n"
DIRTY_CSV = "time,buyer,sender,text\n2025-03-03 10:00:00,tb_a,tb_a,能开发票吗\n2025-03-03 10:00:03,tb_a,店:小美,亲，特价商品是没有发票的哦/:^_^\n"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    (tmp_path / "clean.csv").write_text(CLEAN_CSV, encoding="utf-8")
    (tmp_path / "dirty.csv").write_text(DIRTY_CSV, encoding="utf-8")
    return tmp_path


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    for command in ("check", "rules", "rule", "config"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Exit codes" in out, command


def test_exit_0_when_clean(logs: Path) -> None:
    code, out, _ = run("check", "--isolated", str(logs / "clean.csv"))
    assert code == 0, out
    assert "0 violations" in out or "No violations" in out or "Found 0" in out


def test_exit_1_with_violations_and_json_fields(logs: Path) -> None:
    code, out, _ = run("check", "--isolated", "-f", "json", str(logs / "dirty.csv"))
    assert code == 1
    doc = json.loads(out)
    assert set(doc) >= {"violations", "input_errors", "summary"}
    v = next(v for v in doc["violations"] if v["code"] == "P001")
    for field in (
        "code",
        "name",
        "severity",
        "points",
        "message",
        "suggestion",
        "file",
        "line",
        "session",
        "buyer",
        "agent",
        "time",
        "text",
        "span",
    ):
        assert field in v
    assert v["line"] == 3 and v["points"] == 6 and v["agent"] == "店:小美"
    start, end = v["span"]
    assert "发票" in v["text"][start:end]
    s = doc["summary"]
    assert s["rows_read"] == s["messages"] + s["rejected"] == 2
    assert s["by_rule"]["P001"] == 1


def test_exit_2_for_a_missing_path_but_others_are_checked(logs: Path) -> None:
    code, out, err = run(
        "check", "--isolated", "-f", "json", str(logs / "dirty.csv"), str(logs / "nope.csv")
    )
    assert code == 2
    doc = json.loads(out)
    assert any(v["code"] == "P001" for v in doc["violations"])
    assert doc["input_errors"][0]["file"].endswith("nope.csv")
    assert "nope.csv" in err


def test_exit_2_for_bad_rows_with_file_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(DIRTY_CSV + "2025-02-30 10:00:00,tb_a,tb_a,坏时间\n", encoding="utf-8")
    code, out, _ = run("check", "--isolated", str(path))
    assert code == 2
    assert f"{path.name}:4:" in out or ":4: " in out


def test_exit_2_for_a_broken_config(tmp_path: Path, logs: Path) -> None:
    cfg = tmp_path / "broken.toml"
    cfg.write_text("[shop\n", encoding="utf-8")
    code, out, err = run("check", "--config", str(cfg), str(logs / "dirty.csv"))
    assert code == 2
    assert f"{cfg}:1:" in err and "TOML" in err
    assert "Traceback" not in err + out


def test_output_file_and_missing_folder(logs: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(
        "check", "--isolated", "-f", "json", "-o", str(target), str(logs / "dirty.csv")
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["violations"] >= 1
    code, _, err = run(
        "check",
        "--isolated",
        "-o",
        str(tmp_path / "no" / "such" / "r.txt"),
        str(logs / "dirty.csv"),
    )
    assert code == 2 and "does not exist" in err


def test_select_and_ignore(logs: Path) -> None:
    _, out, _ = run("check", "--isolated", "-f", "json", "--select", "W,S", str(logs / "dirty.csv"))
    assert all(v["code"][0] in "WS" for v in json.loads(out)["violations"])
    code, _, err = run("check", "--isolated", "--select", "Q9", str(logs / "dirty.csv"))
    assert code == 2 and "Q9" in err


def test_rules_rule_and_config_commands(tmp_path: Path) -> None:
    code, out, _ = run("rules", "--isolated", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 22
    assert {"code", "name", "points", "severity", "source"} <= set(rows[0])
    code, out, _ = run("rules", "--isolated")
    assert code == 0 and "P001" in out and "platform.invoice-refusal" in out
    code, out, _ = run("rule", "w001", "--isolated")
    assert code == 0 and "forbidden-phrase" in out and "Fails:" in out and "Passes:" in out
    code, _, err = run("rule", "Z001", "--isolated")
    assert code == 2 and "Z001" in err
    (tmp_path / "cslint.toml").write_text("[rules.W001]\npoints = 4\n", encoding="utf-8")
    code, out, _ = run("config", str(tmp_path))
    merged = json.loads(out)
    assert code == 0 and merged["active_rules"]["W001"]["points"] == 4
    assert merged["sources"] == [str(tmp_path / "cslint.toml")]


def _real(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs the command as installed (`python -m cslint`, from the source tree)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "cslint", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_real_cli_on_the_real_examples() -> None:
    """Installs nothing: runs `python -m cslint` from the source tree on examples/."""
    proc = _real("check", str(EXAMPLES), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    summary = doc["summary"]
    assert summary["files"] >= 8 and summary["rejected"] == 0 and summary["input_errors"] == 0
    assert summary["rows_read"] == summary["messages"] + summary["rejected"]
    found = set(summary["by_rule"])
    # the examples are written to show every family of rules
    assert {"W001", "W002", "P001", "P002", "P006", "T001", "F001", "S001", "C001"} <= found
    assert "13812345678" not in proc.stdout  # masked


def test_the_installed_entry_point_keeps_exit_codes_and_flushes_its_output() -> None:
    # `python -m cslint` is cslint.cli:entry, as the installed command, which leaves
    # with os._exit: nothing may be lost on the way out
    version = _real("--version")
    assert version.returncode == 0 and __version__ in version.stdout
    missing = _real("check", "no/such/path", "-f", "json")
    assert missing.returncode == 2 and json.loads(missing.stdout)["summary"]["input_errors"] == 1
    assert "no such file" in missing.stderr
    usage = _real("check", "--format", "nope", str(EXAMPLES))
    assert usage.returncode == 2 and "Invalid value" in usage.stderr


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    shell = f"'{sys.executable}' -m cslint check '{EXAMPLES}' | head -c 10"
    proc = subprocess.run(
        ["sh", "-c", shell], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert len(proc.stdout) == 10 and "Traceback" not in proc.stderr
