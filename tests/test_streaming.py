"""A streaming `check` writes exactly the report of the in-memory run, or falls back to it."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cslint import session_stream, spool, stream_parallel, streaming
from cslint.api import check_paths
from cslint.cli import main
from cslint.config import load_config
from cslint.reporters import get_reporter
from cslint.reporters.base import ReportOptions, StreamingReporter
from cslint.session_stream import OutOfOrder
from cslint.streaming import StreamedRun, stream_check

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "week"
STREAMING_FORMATS = ["json", "jsonl", "csv", "text", "github"]


def _generate(path: Path, messages: int, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    with path.open("w", encoding="utf-8", newline="") as out:
        module.write_csv(out, messages, seed)
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("gen") / "gen.csv", 4000, 7)


def _in_memory(paths: list[Path], fmt: str, options: ReportOptions) -> str:
    config = load_config(paths, None, discover=False)
    return get_reporter(fmt).render(check_paths(paths, config), options)


def streamed_run(
    paths: list[Path], fmt: str, options: ReportOptions, **how: Any
) -> tuple[str, StreamedRun]:
    """The report of ``stream_check(paths, …, **how)`` and the (closed) run."""
    config = load_config(paths, None, discover=False)
    reporter = get_reporter(fmt)
    assert isinstance(reporter, StreamingReporter)
    run = stream_check(paths, config, reporter, options, **how)
    out = io.StringIO()
    try:
        reporter.write_document(out, run.result, run.violations, run.errors, options)
    finally:
        run.close()
    return out.getvalue(), run


def _streamed(paths: list[Path], fmt: str, options: ReportOptions, **how: Any) -> str:
    return streamed_run(paths, fmt, options, **how)[0]


@pytest.mark.parametrize("fmt", STREAMING_FORMATS)
def test_examples_stream_to_the_in_memory_report(fmt: str) -> None:
    options = ReportOptions()
    assert _streamed([EXAMPLES], fmt, options) == _in_memory([EXAMPLES], fmt, options)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_generated_log_streams_to_the_in_memory_report_even_spilled(
    fmt: str, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ReportOptions(statistics=False)
    expected = _in_memory([generated], fmt, options)
    monkeypatch.setattr(spool, "MEMORY_LINES", 97)  # many sorted runs on disk
    monkeypatch.setattr(spool, "MEMORY_RECORDS", 89)  # sessions' records and observations too
    assert _streamed([generated], fmt, options) == expected
    if fmt == "json":
        summary = json.loads(expected)["summary"]
        assert summary["violations"] > 97 and summary["messages"] == 4000


def write_files_out_of_order(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """a.csv then b.csv, where b.csv holds an earlier row of a session of a.csv
    that a stream has checked by then."""
    monkeypatch.setattr(session_stream, "SWEEP_EVERY", 10)  # close sessions early on
    header = "time,buyer,sender,text\n"
    later = [f"2025-03-03 10:{m:02d}:00,b{m},店:甲,不行\n" for m in range(60)]
    # many buyers, so that every worker's share moves past b0's session (--jobs)
    later += [
        f"2025-03-03 {h}:{m:02d}:00,c{h}{m},店:甲,好的亲\n" for h in (11, 12) for m in range(60)
    ]
    # read second, yet b0's session (10:00, checked long ago) started here at 09:50
    earlier = ["2025-03-03 09:50:00,b0,b0,在吗\n"]
    (folder / "a.csv").write_text(header + "".join(later), encoding="utf-8")
    (folder / "b.csv").write_text(header + "".join(earlier), encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_out_of_time_order_are_read_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(stream_parallel, "MIN_BYTES_PER_JOB", 1)  # workers even for tiny input
    write_files_out_of_order(tmp_path, monkeypatch)
    config = load_config([tmp_path], None, discover=False)
    reporter = get_reporter("json")
    assert isinstance(reporter, StreamingReporter)
    with pytest.raises(OutOfOrder, match="b0"):  # in a worker, with two: it stops them all
        stream_check([tmp_path], config, reporter, ReportOptions(), jobs=jobs)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-f", "json", "--jobs", str(jobs)])
    assert result.exit_code == 1
    assert "reading the input in parts by buyer instead" in result.stderr
    assert result.stdout == _in_memory([tmp_path], "json", ReportOptions())


def test_splitting_a_time_ordered_file_in_two_changes_nothing(
    generated: Path, tmp_path: Path
) -> None:
    lines = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    half = len(rows) // 2
    (tmp_path / "1.csv").write_text(header + "".join(rows[:half]), encoding="utf-8")
    (tmp_path / "2.csv").write_text(header + "".join(rows[half:]), encoding="utf-8")
    whole = json.loads(_streamed([generated], "json", ReportOptions()))
    split = json.loads(_streamed([tmp_path], "json", ReportOptions()))

    def findings(report: dict[str, list[dict[str, object]]]) -> list[tuple[object, ...]]:
        return sorted((v["code"], v["session"], v["time"], v["span"]) for v in report["violations"])

    assert findings(split) == findings(whole)


def test_cli_streams_to_a_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "-f", "json", "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert target.read_text(encoding="utf-8") == _in_memory([EXAMPLES], "json", ReportOptions())
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left


@pytest.mark.parametrize("where", ["examples", "generated"])
def test_input_read_whole_in_buckets_on_disk_is_the_in_memory_report(
    where: str, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what `check` does with input that cannot stream, with every bucket spilled to disk
    paths = [EXAMPLES] if where == "examples" else [generated]
    monkeypatch.setattr(streaming, "WHOLE_BUCKETS", 3)
    monkeypatch.setattr(streaming, "BUCKET_MEMORY", 5)
    options = ReportOptions()
    assert _streamed(paths, "json", options, whole=True) == _in_memory(paths, "json", options)


def test_a_session_id_with_rows_of_two_buyers_is_checked_wholly_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_stream, "SWEEP_EVERY", 10)  # close sessions early on
    names = [f"买家{i}" for i in range(40)]
    first = names[0]  # two buyers in different buckets of the whole-input check
    second = next(n for n in names if hash(n) % 16 != hash(first) % 16)
    header = "time,session,shop,buyer,sender,text\n"
    later = [f"2025-03-03 10:{m:02d}:00,,店,b{m},店:甲,不行\n" for m in range(60)]
    later += [f"2025-03-03 11:{m:02d}:00,,店,c{m},店:甲,好的亲\n" for m in range(60)]
    later += [
        f"2025-03-03 12:00:00,S1,店,{first},{first},在吗\n",
        f"2025-03-03 12:00:05,S1,店,{second},店:小王,不行\n",
    ]
    (tmp_path / "a.csv").write_text(header + "".join(later), encoding="utf-8")
    # read second, yet b0's session (10:00, checked long ago) started here at 09:50
    (tmp_path / "b.csv").write_text(
        header + "2025-03-03 09:50:00,,店,b0,b0,在吗\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-f", "json", "--jobs", "1"])
    assert "reading the input in parts by buyer instead" in result.stderr
    assert "'S1' has rows of more than one buyer; checking the input in memory" in result.stderr
    assert result.stdout == _in_memory([tmp_path], "json", ReportOptions())
    config = load_config([tmp_path], None, discover=False)
    reporter = get_reporter("json")
    assert isinstance(reporter, StreamingReporter)
    with pytest.raises(OutOfOrder, match="S1"):  # read whole, in buckets by buyer
        stream_check([tmp_path], config, reporter, ReportOptions(), whole=True)
