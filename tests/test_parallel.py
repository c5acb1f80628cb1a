"""``--jobs N`` gives exactly the output of ``--jobs 1``."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint import parallel
from cslint.api import check_paths
from cslint.cli import main
from cslint.config import load_config
from cslint.engine import Engine
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


def _killed(self: Engine, session: object) -> object:
    os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
    return None


def test_a_killed_worker_ends_the_run_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_SESSIONS_PER_JOB", 1)
    monkeypatch.setattr(Engine, "check_session", _killed)  # only workers check sessions here
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "-f", "sarif", "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert "worker process ended without its result" in result.stderr
    assert "Traceback" not in result.stderr
