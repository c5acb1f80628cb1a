"""ruff and mypy are part of the test run: the tree stays clean or CI fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(
    shutil.which("ruff") is None, reason="ruff not installed (pip install '.[test]')"
)
def test_ruff_clean() -> None:
    paths = [p for p in ("cslint", "tests", "benchmarks", "examples") if (ROOT / p).is_dir()]
    proc = _run("ruff", "check", *paths)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(
    subprocess.run(
        [sys.executable, "-c", "import mypy"], capture_output=True, check=False
    ).returncode
    != 0,
    reason="mypy not installed (pip install '.[test]')",
)
def test_mypy_strict_clean() -> None:
    proc = _run(sys.executable, "-m", "mypy", "cslint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
