"""``cslint phrases --fix`` / ``--diff``: safe replacements, format kept, no new finding."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cslint.cli import main
from cslint.config import Config, load_config
from cslint.corpus import load_cases
from cslint.fix import FixError, fix_text, plan_fixes, replacement_for, write_fixes
from cslint.output import OutputError
from cslint.phrases import PhraseLinter, lint_libraries, read_libraries, read_library
from cslint.ruleset import data_dir, load_pack

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "phrases"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def linter() -> PhraseLinter:
    return PhraseLinter(load_pack(Config()))


def findings(linter: PhraseLinter, text: str) -> Counter[str]:
    return Counter(v.code for v in linter.findings(text))


def fix(linter: PhraseLinter, text: str) -> str:
    rules = {r.code: r for r in linter.pack.rules}
    return fix_text(text, linter.findings(text), linter, rules)[0]


# -- what is fixable ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("不能再便宜了", "无法再便宜了"),
        ("不好意思，没货了", "非常抱歉，没货了"),
        ("不行的亲，价格是统一的", "无法办到的亲，价格是统一的"),
        ("你好，在的", "您好，在的"),
        ("你们家的快递到不了哦", "您们家的快递无法到达哦"),
        ("不 行的亲", "无法办到的亲"),  # the span covers the noise; the whole span is replaced
    ],
)
def test_replacements(linter: PhraseLinter, before: str, after: str) -> None:
    assert fix(linter, before) == after


@pytest.mark.parametrize(
    "text",
    [
        "嗯",  # W003: advice, not a replacement
        "好的啦~",  # W004
        "特价商品没有发票哦",  # P001
        "加我微信 abc12345",  # P006
        "韵达不发的哦",  # W002 without a replacement
        "妳好，在的呢",  # W005 on 妳: no map entry for it
    ],
)
def test_not_fixable(linter: PhraseLinter, text: str) -> None:
    rules = {r.code: r for r in linter.pack.rules}
    assert linter.findings(text)
    assert all(replacement_for(v, rules.get(v.code)) is None for v in linter.findings(text))
    assert fix(linter, text) == text


def _corpus_agent_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(data_dir("corpora").glob("*.toml")):
        for case in load_cases(path):
            for suffix, content in case.transcript:
                if suffix == ".jsonl":
                    texts.append(json.loads(content)["text"])
    return texts


EXTRA = [
    "不行不行，你这个不能便宜的",
    "你好你好，不好意思不能发顺丰哦",
    "亲，不能开发票哦，不好意思",
    "不能",
    "你",
    "不可以退的，不支持七天无理由",
    "这个我不知道呢，你问问别的客服吧",
]


def test_a_fix_never_introduces_a_new_finding(linter: PhraseLinter) -> None:
    texts = _corpus_agent_texts() + EXTRA
    example = ROOT / "examples" / "phrases" / "quick_replies.txt"
    if example.is_file():
        texts += [p.text for p in read_library(example).phrases]
    changed = 0
    for text in texts:
        before = findings(linter, text)
        fixed = fix(linter, text)
        after = findings(linter, fixed)
        assert after <= before, f"{text!r} -> {fixed!r}: {before} -> {after}"
        if fixed != text:
            changed += 1
            assert after.total() < before.total()
            assert fix(linter, fixed) == fixed  # idempotent
    assert changed >= 5


def test_a_replacement_that_adds_a_finding_is_refused(tmp_path: Path) -> None:
    """A shop's map whose replacement ends a sentence in 啊 (W004): refused, reported."""
    shutil.copy(ROOT / "rulesets" / "service-standards.toml", tmp_path / "mine.toml")
    text = (tmp_path / "mine.toml").read_text(encoding="utf-8")
    text = text.replace('replacements = { "你" = "您" }', 'replacements = { "你" = "您啊" }')
    text = text.replace('suggestion = "您"', 'suggestion = "您啊"')
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    (tmp_path / "cslint.toml").write_text('extends = ["default", "mine.toml"]\n', encoding="utf-8")
    library = tmp_path / "replies.txt"
    library.write_text("谢谢你\n你好，在的呢\n", encoding="utf-8")
    config = load_config([library])
    pack = load_pack(config)
    linter = PhraseLinter(pack)
    libraries = read_libraries([library])
    result = lint_libraries(libraries, config, pack, linter)
    plans = plan_fixes(libraries, result.violations, linter)
    (plan,) = plans
    assert [(f.phrase.line, f.new_text) for f in plan.fixes] == [(2, "您啊好，在的呢")]
    assert any(n.line == 1 and "would add W004" in n.message for n in plan.notices)


# -- files ------------------------------------------------------------------------------


def test_diff_writes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", library)
    before = library.read_bytes()
    code, out, err = run("phrases", "--isolated", "--diff", str(library))
    assert code == 1
    assert library.read_bytes() == before
    assert "-不行的亲，价格是统一的" in out and "+无法办到的亲，价格是统一的" in out
    assert "-你好" in out and "+您好" in out
    assert "would fix 3 findings in 3 phrases" in err
    code, out, _ = run("phrases", "--isolated", "--diff", str(DATA / "clean.txt"))
    assert code == 0 and out == ""


def test_fix_txt_keeps_everything_else(tmp_path: Path) -> None:
    library = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", library)
    before = library.read_text(encoding="utf-8").splitlines()
    code, out, err = run("phrases", "--isolated", "--fix", str(library))
    assert code == 1  # P001, P005 … are left
    after = library.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = {n + 1: (a, b) for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    assert changed == {
        3: ("不行的亲，价格是统一的", "无法办到的亲，价格是统一的"),
        6: ("不好意思，没货了", "非常抱歉，没货了"),
        7: ("你好", "您好"),
    }
    assert "fixed 3 findings in 3 phrases" in err
    assert ":3: W001" not in out and ":7: W003" in out  # 您好 is still curt: reported, not fixable


@pytest.mark.parametrize(
    ("encoding", "newline"), [("gb18030", "\r\n"), ("utf-16", "\r\n"), ("utf-8-sig", "\n")]
)
def test_fix_keeps_encoding_bom_and_line_ends(tmp_path: Path, encoding: str, newline: str) -> None:
    library = tmp_path / "replies.txt"
    lines = ["# 注释 不能", "亲，您好", "", "不能再便宜了  ", "你好呀亲"]
    library.write_bytes(newline.join(lines).encode(encoding))  # no final line end
    code, _, _ = run("phrases", "--isolated", "--fix", str(library))
    assert code == 0
    expected = ["# 注释 不能", "亲，您好", "", "无法再便宜了  ", "您好呀亲"]
    assert library.read_bytes() == newline.join(expected).encode(encoding)


def test_fix_mixed_line_ends(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    library.write_bytes("不能退\r\n亲，您好\n你好呀亲\r".encode())
    run("phrases", "--isolated", "--fix", str(library))
    assert library.read_bytes() == "无法退\r\n亲，您好\n您好呀亲\r".encode()


def test_fix_csv_keeps_quoting_columns_and_bom(tmp_path: Path) -> None:
    library = tmp_path / "快捷短语.csv"
    rows = [
        "分组,快捷编码,短语,备注",
        '售前,sq1,"不能再便宜了, 亲","保留,原样"',
        "售前,sq2,不好意思，没货了,",
        '售后,sh1,"你好，麻烦您\r\n拍张照片",x',
        '"结束,语",js1,感谢您的光临,"y"',
    ]
    data = b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n"
    library.write_bytes(data)
    code, _, _ = run("phrases", "--isolated", "--fix", str(library))
    assert code == 0
    expected = [
        "分组,快捷编码,短语,备注",
        '售前,sq1,"无法再便宜了, 亲","保留,原样"',
        "售前,sq2,非常抱歉，没货了,",
        '售后,sh1,"您好，麻烦您\r\n拍张照片",x',
        '"结束,语",js1,感谢您的光临,"y"',
    ]
    assert library.read_bytes() == b"\xef\xbb\xbf" + "\r\n".join(expected).encode("utf-8") + b"\r\n"


def test_fix_xlsx_touches_only_phrase_cells(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    library = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "短语"
    sheet.append(["分组", "快捷编码", "短语", "备注"])
    sheet.append(["售前", "a1", "不能再便宜了", "=1+1"])
    sheet.append(["售前", "a2", '="不能"&"退"', "公式"])
    sheet["D1"].font = openpyxl.styles.Font(bold=True)
    book.create_sheet("说明").append(["不能 touch this"])
    book.save(library)
    code, _, err = run("phrases", "--isolated", "--fix", str(library))
    assert code == 0
    fixed = openpyxl.load_workbook(library)
    assert fixed["短语"]["C2"].value == "无法再便宜了"
    assert fixed["短语"]["D2"].value == "=1+1" and fixed["短语"]["D1"].font.bold
    assert fixed["短语"]["C3"].value == '="不能"&"退"'
    assert fixed["说明"]["A1"].value == "不能 touch this"
    assert "fixed 1 finding" in err


def test_read_only_file_is_not_touched(tmp_path: Path) -> None:
    library = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", library)
    before = library.read_bytes()
    library.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, _, err = run("phrases", "--isolated", "--fix", str(library))
    finally:
        library.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert code == 2
    assert "read-only" in err and "nothing was written" in err
    assert library.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["bad.txt"]  # no temporary file left


def test_a_failed_write_leaves_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked file (Windows) fails in os.replace: write_atomic raises, the original stays."""
    library = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", library)
    before = library.read_bytes()

    def locked(path: Path, data: object, encoding: str = "utf-8") -> None:
        raise OutputError(f"cannot write {path}: Permission denied")

    monkeypatch.setattr("cslint.output.write_atomic", locked)
    code, _, err = run("phrases", "--isolated", "--fix", str(library))
    assert code == 2
    assert "Permission denied" in err and "open in another program" in err
    assert library.read_bytes() == before


def test_a_file_changed_since_reading_is_not_overwritten(tmp_path: Path) -> None:
    library = tmp_path / "bad.txt"
    shutil.copy(DATA / "bad.txt", library)
    config = Config()
    pack = load_pack(config)
    linter = PhraseLinter(pack)
    libraries = read_libraries([library])
    result = lint_libraries(libraries, config, pack, linter)
    (plan,) = plan_fixes(libraries, result.violations, linter)
    library.write_text("someone else's edit\n", encoding="utf-8")
    with pytest.raises(FixError, match="changed on disk"):
        write_fixes(plan)
    assert library.read_text(encoding="utf-8") == "someone else's edit\n"


def test_file_with_undecodable_bytes_is_not_fixed(tmp_path: Path) -> None:
    library = tmp_path / "replies.txt"
    data = "不能退\n".encode() + b"\xff\xfa\n"
    library.write_bytes(data)
    code, out, _ = run("phrases", "--isolated", "--fix", str(library))
    assert code == 2  # the bad line is an input error
    assert library.read_bytes() == data
    assert "not fixed: the file has undecodable bytes" in out
    assert os.listdir(tmp_path) == ["replies.txt"]


def test_fix_and_write_baseline_are_exclusive(tmp_path: Path) -> None:
    code, _, err = run(
        "phrases",
        "--isolated",
        "--fix",
        "--write-baseline",
        str(tmp_path / "b.json"),
        str(DATA / "bad.txt"),
    )
    assert code == 2 and "cannot be combined" in err
