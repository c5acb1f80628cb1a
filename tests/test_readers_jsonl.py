"""JSON Lines reader: exact messages, blank lines, broken lines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from readers_support import reconciled

from cslint.model import Message, Role
from cslint.readers import FileRead, ReadOptions, read_file

DATA = Path(__file__).parent / "data" / "readers"


def read(path: Path) -> FileRead:
    return reconciled(read_file(path, ReadOptions(), display_name=path.name))


def write(tmp_path: Path, lines: list[str], name: str = "x.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def obj(**kw: object) -> str:
    base: dict[str, object] = {
        "time": "2024-01-05 09:00:00",
        "buyer": "b",
        "sender": "b",
        "text": "x",
    }
    base.update(kw)
    return json.dumps({k: v for k, v in base.items() if v is not ...}, ensure_ascii=False)


def test_sample_exact_messages() -> None:
    fr = read(DATA / "sample.jsonl")
    assert fr.errors == [] and fr.stats.format == "jsonl"
    f = "sample.jsonl"
    assert fr.messages == [
        Message(datetime(2024, 1, 5, 9, 3, 7), "tb_buyer01", "tb_buyer01", "在吗", Role.BUYER,
                f, 1, None, "美动态旗舰店"),
        Message(datetime(2024, 1, 5, 9, 3, 20), "tb_buyer01", "美动态旗舰店:小花", "亲,在的\n请讲",
                Role.AGENT, f, 3, None, "美动态旗舰店"),
        Message(datetime(2024, 1, 5, 9, 4, 0, 250000), "10086", "10086", "多少钱", Role.BUYER,
                f, 4, "S-1", None),
    ]  # fmt: skip


def test_bad_lines_catalogue(tmp_path: Path) -> None:
    lines = [
        obj(),
        "",
        '{"time": "2024-01-05 09:00:00", "buyer": "b",',  # broken
        "[1, 2]",
        '"just a string"',
        obj(text=...),
        obj(time=1704416587),
        obj(text=["a"]),
        obj(时间="2024-01-05 09:00:00"),
        "   ",
        obj(buyer=None),
        obj(role="经理"),
        obj(text=None),  # null text: an empty message
        "[" * 100_000,
        obj(),
    ]
    fr = read(write(tmp_path, lines))
    assert [(e.line, e.reason) for e in fr.errors] == [
        (3, "invalid JSON: Expecting property name enclosed in double quotes (column 46)"),
        (4, "not a JSON object"),
        (5, "not a JSON object"),
        (6, "missing field(s): text"),
        (7, "bad timestamp '1704416587' (expected text like 2024-01-05 09:03:07)"),
        (8, "bad cell: an object or array, not text"),
        (9, "field 'time' given twice"),
        (11, "empty buyer"),
        (12, "unknown role '经理' (expected agent, buyer or system)"),
        (14, "invalid JSON: nested too deeply"),
    ]
    assert [(m.line, m.text) for m in fr.messages] == [(1, "x"), (13, ""), (15, "x")]
    assert (fr.stats.rows_read, fr.stats.messages, fr.stats.rejected) == (13, 3, 10)


def test_crlf_and_bom(tmp_path: Path) -> None:
    p = tmp_path / "c.jsonl"
    p.write_bytes(("\ufeff" + obj() + "\r\n\r\n" + obj(text="好") + "\r\n").encode("utf-8"))
    fr = read(p)
    assert [(m.line, m.text) for m in fr.messages] == [(1, "x"), (3, "好")]


def test_undecodable_line(tmp_path: Path) -> None:
    p = tmp_path / "u.jsonl"
    p.write_bytes(obj(text="好").encode() + b"\n" + b'{"text": "\xc3"}\n' + obj().encode())
    fr = read(p)
    assert [m.line for m in fr.messages] == [1, 3]
    assert fr.errors[0].line == 2 and fr.errors[0].reason.startswith("undecodable bytes")


def test_a_lone_surrogate_escape_rejects_its_row_a_pair_is_an_emoji(tmp_path: Path) -> None:
    lone = obj(text="不行").replace("不行", "不行\\ud800")
    pair = obj(text="好").replace("好", "好\\ud83d\\ude00")
    in_buyer = obj(buyer="x").replace('"x"', '"\\uDC01b"')
    fr = read(write(tmp_path, [lone, pair, in_buyer]))
    assert [m.text for m in fr.messages] == ["好😀"]
    assert [(e.line, e.reason) for e in fr.errors] == [
        (1, "field 'text' holds a lone surrogate (\\ud800), which is not a character"),
        (3, "field 'buyer' holds a lone surrogate (\\udc01), which is not a character"),
    ]


def test_a_lone_surrogate_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cslint.cli import main

    lone = obj(text="不行").replace("不行", "不行\\ud800")
    path = write(tmp_path, [lone, obj(sender="店:甲", text="不行")])
    result = CliRunner().invoke(main, ["check", str(path), "--isolated", "-f", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    summary = json.loads(result.stdout)["summary"]
    assert (summary["rows_read"], summary["messages"], summary["rejected"]) == (2, 1, 1)
