"""`check --jobs N` as a stream: N workers, one share of the buyers each, the same report."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_streaming import (
    EXAMPLES,
    _generate,
    _in_memory,
    streamed_run,
)

from cslint import spool, stream_parallel
from cslint.api import check_paths
from cslint.cli import main
from cslint.config import Config, load_config
from cslint.model import Violation
from cslint.reporters import get_reporter
from cslint.reporters.base import ReportOptions, StreamingReporter
from cslint.rules.base import Anchor, Rule, SessionContext
from cslint.ruleset import RulePack, load_pack
from cslint.session_stream import OutOfOrder
from cslint.streaming import stream_check

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="workers are forked",
)


@pytest.fixture(autouse=True)
def small_inputs_use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_parallel, "MIN_BYTES_PER_JOB", 1)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("gen") / "gen.csv", 3000, 11)


def _streamed(paths: list[Path], fmt: str, jobs: int) -> tuple[str, str | None]:
    """The report, and the workers' spool folder (removed by then)."""
    report, run = streamed_run(paths, fmt, ReportOptions(), jobs=jobs)
    return report, run.folder


def test_the_input_is_large_enough_for_workers(generated: Path) -> None:
    assert stream_parallel.workers_for(3, [generated]) == 3
    assert stream_parallel.workers_for(1, [generated]) == 1


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("fmt", ["json", "text", "csv"])
def test_workers_write_the_one_process_report(
    generated: Path, fmt: str, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _in_memory([generated], fmt, ReportOptions())
    monkeypatch.setattr(spool, "MEMORY_LINES", 53)  # every worker spills many runs
    monkeypatch.setattr(spool, "MEMORY_RECORDS", 41)
    report, folder = _streamed([generated], fmt, jobs)
    assert report == expected
    assert folder is not None and not os.path.exists(folder)


def test_input_errors_are_reported_once_and_counts_reconcile(
    generated: Path, tmp_path: Path
) -> None:
    rows = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    rows.insert(40, "not a time,b1,b1,你好\n")
    rows.insert(900, "2025-03-03 08:30:00,,店:甲,buyer missing\n")
    broken = tmp_path / "broken.csv"
    broken.write_text("".join(rows), encoding="utf-8")
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    expected = _in_memory([tmp_path], "json", ReportOptions())
    report, _ = _streamed([tmp_path], "json", 2)
    assert report == expected
    summary = json.loads(report)["summary"]
    assert summary["rows_read"] == 3002 and summary["rejected"] == 2
    assert len(json.loads(report)["input_errors"]) == 3  # two rows and the empty file


def test_one_session_id_with_two_buyers_in_two_workers_is_checked_in_memory(
    tmp_path: Path,
) -> None:
    # two buyers whose shares differ in this interpreter (forked workers share its hash salt)
    names = [f"买家{i}" for i in range(20)]
    first = names[0]
    second = next(n for n in names if hash(n) % 2 != hash(first) % 2)
    rows = [
        "time,session,shop,buyer,sender,text",
        f"2025-03-03 10:00:00,S1,店,{first},{first},在吗",
        f"2025-03-03 10:00:05,S1,店,{second},店:甲,不行",
    ]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = load_config([tmp_path], None, discover=False)
    reporter = get_reporter("json")
    assert isinstance(reporter, StreamingReporter)
    with pytest.raises(OutOfOrder, match="S1"):
        stream_check([tmp_path], config, reporter, ReportOptions(), jobs=2)
    with pytest.raises(OutOfOrder, match="S1"):  # read whole, in two workers: the same
        stream_check([tmp_path], config, reporter, ReportOptions(), jobs=2, whole=True)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-f", "json", "--jobs", "2"])
    assert "more than one buyer; reading the input in parts by buyer instead" in result.stderr
    assert result.stdout == _in_memory([tmp_path], "json", ReportOptions())


class _Tally(Rule):
    """A run-level rule: at the end, one violation on the last session of
    every buyer seen in more than one session."""

    kind = "test-tally"

    def observe(self, ctx: SessionContext) -> tuple[str, Anchor]:
        return ctx.session.buyer, ctx.anchor(0)

    def finish(self, observations: Iterable[Any]) -> list[Violation]:
        sessions: dict[str, list[Anchor]] = {}
        for buyer, anchor in observations:
            sessions.setdefault(buyer, []).append(anchor)
        return [a[-1].violation(self.spec) for a in sessions.values() if len(a) > 1]


class _BuyerTally(_Tally):
    """The same, finished by each worker for its buyers (as F003 is)."""

    finishes_per_buyer = True


class _CheckedTally(_Tally):
    """The same, also reporting every session's first message: its violations
    are held back and scored with the late ones, at the end."""

    def check(self, ctx: SessionContext) -> list[Violation]:
        return [ctx.violation(self.spec, 0)]


class _CheckedBuyerTally(_CheckedTally):
    """Held too, so it is finished in the parent although it could be per buyer
    (scored apart from its held violations, one deduction would become two)."""

    finishes_per_buyer = True


def _pack_with(config: Config, *rules: tuple[type[Rule], str]) -> RulePack:
    pack = load_pack(config)
    template = pack.rules[0].spec
    extra = [
        # 60 points: two of them take a session below 0, where scores are clamped
        kind(dataclasses.replace(template, code=code, name=code, points=60, max_deductions=1))
        for kind, code in rules
    ]
    return dataclasses.replace(pack, rules=[*pack.rules, *extra])


@pytest.fixture(scope="module")
def returning(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated input long enough for buyers to come back (F003 fires)."""
    return _generate(tmp_path_factory.mktemp("gen") / "returning.csv", 10_000, 11)


@pytest.mark.parametrize(
    "rules",
    [
        [(_Tally, "X901")],  # finished in the parent
        [(_BuyerTally, "X901")],  # finished in the workers
        [(_CheckedTally, "X901")],  # held, finished in the parent
        [(_CheckedBuyerTally, "X901")],  # held: finished in the parent all the same
        [(_BuyerTally, "X901"), (_CheckedTally, "X902")],  # both, on the same sessions
    ],
)
def test_rules_finished_by_the_workers_or_the_parent_score_as_one_process(
    returning: Path, rules: list[tuple[type[Rule], str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "MEMORY_RECORDS", 41)  # the workers rewrite records on disk
    config = load_config([returning], None, discover=False)
    pack = _pack_with(config, *rules)
    reporter = get_reporter("json")
    assert isinstance(reporter, StreamingReporter)
    expected = reporter.render(check_paths([returning], config, pack=pack), ReportOptions())
    run = stream_check([returning], config, reporter, ReportOptions(), pack=pack, jobs=2)
    out = io.StringIO()
    try:
        reporter.write_document(out, run.result, run.violations, run.errors, ReportOptions())
    finally:
        run.close()
    assert out.getvalue() == expected
    by_rule = json.loads(expected)["summary"]["by_rule"]
    assert by_rule["X901"] > 0 and by_rule["F003"] > 0


def test_cli_jobs_match_one_job_on_the_examples() -> None:
    one = CliRunner().invoke(main, ["check", str(EXAMPLES), "-f", "json", "--jobs", "1"])
    two = CliRunner().invoke(main, ["check", str(EXAMPLES), "-f", "json", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout


@pytest.mark.parametrize("jobs", [1, 2])
def test_input_read_whole_is_reported_as_in_memory(generated: Path, jobs: int) -> None:
    # what `check` does with input that cannot stream: sessionize in memory, report as a stream
    report, _ = streamed_run([generated], "json", ReportOptions(), jobs=jobs, whole=True)
    assert report == _in_memory([generated], "json", ReportOptions())


def test_buyers_who_ask_two_shops_stream_with_workers(tmp_path: Path) -> None:
    header = "time,buyer,sender,text\n"
    rows = [f"2025-03-03 08:{m:02d}:00,b{m},b{m},在吗\n" for m in range(50)]
    rows += [f"2025-03-03 08:{m:02d}:05,b{m},甲店:小王,不行\n" for m in range(50)]
    rows += [f"2025-03-03 11:{m:02d}:05,b{m},乙店:小李,您好\n" for m in range(50)]
    (tmp_path / "two-shops.csv").write_text(header + "".join(sorted(rows)), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-f", "json", "--jobs", "2"])
    assert "in memory" not in result.stderr
    assert result.stdout == _in_memory([tmp_path], "json", ReportOptions())
    shops = {v["shop"] for v in json.loads(result.stdout)["violations"]}
    assert shops == {"甲店", "乙店"}


def _killed(*args: object) -> object:
    os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
    return None


def test_a_killed_worker_stops_the_run_with_a_clear_error(
    generated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(stream_parallel, "_work", _killed)  # a worker the kernel killed
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the workers' folder would be left
    monkeypatch.setattr(tempfile, "tempdir", None)
    result = CliRunner().invoke(main, ["check", str(generated), "-f", "json", "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert "worker process ended without its result" in result.stderr
    assert "--jobs 1" in result.stderr and "Traceback" not in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("cslint-") and p.is_dir()]
