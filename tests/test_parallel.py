"""``--jobs N`` gives exactly the output of ``--jobs 1``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cslint import parallel
from cslint.api import check_paths
from cslint.config import load_config
from cslint.reporters import get_reporter
from cslint.reporters.base import ReportOptions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "week"


def _json(jobs: int) -> str:
    config = load_config([EXAMPLES], None, discover=False)
    result = check_paths([EXAMPLES], config, jobs=jobs)
    return get_reporter("json").render(result, ReportOptions())


def test_jobs_give_identical_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_SESSIONS_PER_JOB", 1)  # force real workers on 35 sessions
    assert parallel.effective_jobs(2, 35) == 2
    one, two = _json(1), _json(2)
    assert one == two
    assert json.loads(two)["summary"]["sessions"] == 35


def test_small_inputs_stay_in_process() -> None:
    assert parallel.effective_jobs(8, 100) == 1
    assert parallel.effective_jobs(1, 10**6) == 1
    assert parallel.effective_jobs(2, 10**6) == 2
