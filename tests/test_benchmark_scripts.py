"""The benchmark's variants do the work they claim (no timing is asserted here)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "gen.csv"
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), "--messages", "3000", "-o", str(path)],
        check=True,
    )
    return path


def _variant(script: str, path: Path, *args: str) -> dict[str, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), str(path), *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, int] = json.loads(out.splitlines()[-1])
    return result


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_lower_bound_reads_every_row(generated: Path, jobs: str) -> None:
    with generated.open(encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    bound = _variant("lower_bound.py", generated, "--jobs", jobs)
    assert bound["rows"] == len(texts)
    # each worker analyses the distinct texts of its own share: together at
    # least every distinct text once, at most once per row
    assert len(set(texts)) <= bound["distinct_texts"] <= len(texts)
    assert 0 < bound["distinct_agent_texts"] < bound["distinct_texts"]
    assert bound["findings"] > 0 and bound["pii"] > 0


def test_floor_reads_every_row(generated: Path) -> None:
    with generated.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    floor = _variant("floor.py", generated)
    assert floor["rows"] == rows and floor["hits"] > 0
