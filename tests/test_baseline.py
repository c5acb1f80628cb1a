"""Baselines for ``check`` and ``phrases``: content keys, stale entries, reasons, rescoring."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint.api import check_paths, lint_phrases
from cslint.baseline import apply_baseline, build_baseline, finding_key, load_baseline
from cslint.cli import main
from cslint.config import Config
from cslint.errors import ConfigError
from cslint.ruleset import load_pack

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "phrases"

CHAT = (
    "time,buyer,sender,text\n"
    "2025-03-03 10:00:00,tb_a,tb_a,能开发票吗\n"
    "2025-03-03 10:00:03,tb_a,店:小美,亲，特价商品是没有发票的哦/:^_^\n"
    "2025-03-03 10:00:09,tb_a,tb_a,好吧\n"
    "2025-03-03 10:00:12,tb_a,店:小美,感谢您的光临，有问题随时联系哦/:^_^\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", path)
    return path


def test_key_is_content_not_place() -> None:
    result = lint_phrases([DATA / "bad.txt"], Config())
    v = next(v for v in result.violations if v.code == "W001")
    moved = replace(v, line=99, file="other.txt", session="x", time=None)
    assert finding_key(moved) == finding_key(v)
    spaced = replace(v, text=" 不行的亲，价格是 统一的 ", span=(1, 3))
    assert finding_key(spaced) == finding_key(v)
    edited = replace(v, text="不行的亲，价格都是统一的")
    assert finding_key(edited) != finding_key(v)
    assert finding_key(replace(v, code="W002")) != finding_key(v)


def test_write_then_apply_phrases(library: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "cslint-baseline.json"
    code, out, err = run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    assert code == 0, out
    assert "wrote 9 baseline entries" in err
    doc = json.loads(baseline.read_text(encoding="utf-8"))
    assert doc["version"] == 1 and len(doc["entries"]) == 9
    entry = doc["entries"][0]
    assert set(entry) == {"code", "text_hash", "snippet", "reason"} and entry["reason"] == ""
    assert any(e["snippet"] == "「不行」的亲，价格是统一的" for e in doc["entries"])

    code, out, _ = run("phrases", "--isolated", "--baseline", str(baseline), str(library))
    assert code == 0 and "9 findings baselined" in out and "stale" not in out

    # a new bad phrase fails; lines above moved, the old findings still match
    text = library.read_text(encoding="utf-8")
    library.write_text("# new comment\n\n" + text + "不能退哦\n", encoding="utf-8")
    code, doc_out, _ = run(
        "phrases", "--isolated", "-f", "json", "--baseline", str(baseline), str(library)
    )
    assert code == 1
    result = json.loads(doc_out)
    assert [(v["line"], v["code"]) for v in result["violations"]] == [(17, "W002")]
    assert result["summary"]["baselined"] == 9 and result["summary"]["stale_baseline"] == []


def test_stale_entries_are_reported_but_do_not_fail(library: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    text = library.read_text(encoding="utf-8").replace(
        "特价商品没有发票哦", "特价商品也可以开发票哦"
    )
    library.write_text(text, encoding="utf-8")
    code, out, _ = run("phrases", "--isolated", "--baseline", str(baseline), str(library))
    assert code == 0
    assert "1 stale baseline entry" in out and "P001 特价商品「没有发票」哦" in out
    code, out, err = run(
        "phrases", "--isolated", "-f", "json", "--baseline", str(baseline), str(library)
    )
    assert code == 0
    stale = json.loads(out)["summary"]["stale_baseline"]
    assert [e["code"] for e in stale] == ["P001"]
    assert "stale baseline entry" in err


def test_entries_of_inactive_rules_are_not_stale(library: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    code, out, _ = run(
        "phrases", "--isolated", "--select", "W001", "--baseline", str(baseline), str(library)
    )
    assert code == 0 and "1 finding baselined" in out and "stale" not in out


def test_reasons_survive_a_rewrite(library: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    doc = json.loads(baseline.read_text(encoding="utf-8"))
    for e in doc["entries"]:
        if e["code"] == "P005":
            e["reason"] = "预售款，2025-04 前保留"
    baseline.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, _ = run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    assert code == 0
    again = json.loads(baseline.read_text(encoding="utf-8"))
    assert [e["reason"] for e in again["entries"] if e["code"] == "P005"] == [
        "预售款，2025-04 前保留"
    ]
    code, out, _ = run(
        "phrases",
        "--isolated",
        "--baseline",
        str(baseline),
        "--write-baseline",
        str(baseline),
        str(library),
    )
    assert code == 0 and "9 findings baselined" in out


def test_check_with_baseline_rescores_sessions(tmp_path: Path) -> None:
    chat = tmp_path / "chat.csv"
    chat.write_text(CHAT, encoding="utf-8")
    baseline = tmp_path / "b.json"
    code, out, _ = run("check", "--isolated", str(chat))
    assert code == 1
    code, out, _ = run("check", "--isolated", "--write-baseline", str(baseline), str(chat))
    assert code == 0
    code, out, _ = run("check", "--isolated", "-f", "json", "--baseline", str(baseline), str(chat))
    assert code == 0
    doc = json.loads(out)
    assert doc["violations"] == [] and doc["summary"]["baselined"] >= 1
    assert doc["summary"]["average_score"] == 100
    # a new buyer gets the same canned answer: same content, so still baselined
    chat.write_text(
        CHAT + CHAT.splitlines(keepends=True)[2].replace("10:00:03,tb_a", "11:00:03,tb_b"),
        encoding="utf-8",
    )
    code, out, _ = run("check", "--isolated", "-f", "json", "--baseline", str(baseline), str(chat))
    codes = {v["code"] for v in json.loads(out)["violations"]}
    assert "P001" not in codes


def test_apply_baseline_counts_and_deducts_the_rest() -> None:
    config = Config()
    pack = load_pack(config)
    path = DATA / "bad.txt"
    result = lint_phrases([path], config, pack=pack)
    w001 = [v for v in result.violations if v.code == "W001"]
    baseline = build_baseline(w001)
    applied = apply_baseline(
        result,
        baseline,
        active_codes=[r.code for r in pack.rules],
        max_deductions={r.code: r.spec.max_deductions for r in pack.rules},
    )
    assert len(applied.baselined) == 1 and not applied.stale
    assert len(applied.result.violations) == len(result.violations) - 1
    s = applied.result.summary()
    assert s["baselined"] == 1 and s["points"] == result.summary()["points"] - 2
    assert s["rows_read"] == result.summary()["rows_read"]


def test_snippet_is_masked(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    library.write_text("加我微信 13812345678 领优惠券\n", encoding="utf-8")
    baseline = tmp_path / "b.json"
    run("phrases", "--isolated", "--write-baseline", str(baseline), str(library))
    text = baseline.read_text(encoding="utf-8")
    assert "13812345678" not in text and "138****5678" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a cslint baseline"),
        ('{"version": 2, "entries": []}', "unsupported baseline version"),
        ('{"version": 1, "entries": [{"code": "W001", "text_hash": "abc"}]}', "64 hex"),
    ],
)
def test_bad_baseline_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_baseline(path)
    code, _, err = run("phrases", "--isolated", "--baseline", str(path), str(DATA / "clean.txt"))
    assert code == 2 and message in err


def test_missing_baseline_and_conflicting_options(tmp_path: Path) -> None:
    code, _, err = run(
        "check", "--isolated", "--baseline", str(tmp_path / "nope.json"), str(DATA / "clean.txt")
    )
    assert code == 2 and "--write-baseline" in err
    code, _, err = run(
        "phrases",
        "--isolated",
        "--baseline",
        str(tmp_path / "a.json"),
        "--write-baseline",
        str(tmp_path / "b.json"),
        str(DATA / "clean.txt"),
    )
    assert code == 2 and "different files" in err


def test_check_result_without_baseline_is_unchanged(tmp_path: Path) -> None:
    chat = tmp_path / "chat.csv"
    chat.write_text(CHAT, encoding="utf-8")
    summary = check_paths([chat], Config()).summary()
    assert "baselined" not in summary and "notices" not in summary
