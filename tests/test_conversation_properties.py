"""Properties of the conversation rules through the whole pipeline.

Reordering the rows of a CSV export, or splitting it into two files, must
never change what S001–S002, T001–T004, F001–F003 and P002 find: the rules
order messages themselves and their run-level state spans files. Findings are
compared without file, line and attribution (which legitimately follow the
rows). The generated CSV carries a ``shop`` column; the last test drops it:
sessionize then folds a buyer's shop-less messages into that buyer's only shop.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cslint.api import check_paths
from cslint.config import Config
from cslint.model import Violation
from cslint.ruleset import load_pack

CODES = ("S001", "S002", "T001", "T002", "T003", "T004", "F001", "F002", "F003", "P002")
CONFIG = replace(Config(), select=CODES)
PACK = load_pack(CONFIG)
BASE = datetime(2025, 3, 3, 9, 0, 0)

SHOP = "青禾家居旗舰店"
AGENTS = (f"{SHOP}:木木", f"{SHOP}:小叶", f"{SHOP}:服务助手")
BUYERS = ("tb_suda_home", "tb_jiajia520", "小鱼儿2019")
BUYER_TEXTS = (
    "在吗",
    "这个收纳箱有多大",
    "电话改成13812345678",
    "订单2025030512345678901发了吗",
    "地址是浙江省杭州市西湖区文三路90号",
    "https://item.taobao.com/item.htm?id=652137788123 有货吗",
    "好的谢谢~",
    "人呢",
)
AGENT_TEXTS = (
    "亲，您好，很高兴为您服务/:^_^",
    "长60宽40高35厘米",
    "是13812345678对吗",
    "寄到杭州市西湖区文三路90号的",
    "宝贝id 652137788123 直接拍就行",
    "感谢您的光临，再见",
    "欢迎回来，上次的收纳箱还好用吗",
    "有的哦",
    "小鱼儿2019您好",
    "[微笑]",
)

row = st.tuples(
    st.sampled_from(BUYERS),
    st.integers(0, 480).map(lambda n: n * 15),  # 15 s grid: same-second ties happen
    st.sampled_from(("buyer", "buyer", "agent", "agent", "agent", "system")),
    st.integers(0, 99),
    st.integers(0, 2),
)


def to_rows(drawn: list[tuple[str, int, str, int, int]]) -> list[list[str]]:
    out = []
    for buyer, offset, role, pick, who in drawn:
        time = (BASE + timedelta(seconds=offset)).strftime("%Y-%m-%d %H:%M:%S")
        if role == "buyer":
            out.append([time, buyer, buyer, BUYER_TEXTS[pick % len(BUYER_TEXTS)], "buyer"])
        elif role == "agent":
            out.append([time, buyer, AGENTS[who], AGENT_TEXTS[pick % len(AGENT_TEXTS)], "agent"])
        elif pick % 2:
            out.append([time, buyer, "系统", f"{AGENTS[0]} --> {AGENTS[1]}", "system"])
        else:
            out.append([time, buyer, "系统", "当前用户来自 手机淘宝", "system"])
    return out


def write_csv(path: Path, rows: list[list[str]], shop_column: bool) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if shop_column:
        writer.writerow(["time", "buyer", "sender", "text", "role", "shop"])
        writer.writerows([*r, SHOP] for r in rows)
    else:
        writer.writerow(["time", "buyer", "sender", "text", "role"])
        writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def findings(*files: list[list[str]], shop_column: bool = True) -> Counter[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory(prefix="cslint-prop-") as tmp:
        paths = [
            write_csv(Path(tmp) / f"part{n}.csv", rows, shop_column) for n, rows in enumerate(files)
        ]
        result = check_paths(paths, CONFIG, pack=PACK)
    assert not result.input_errors
    return Counter(_key(v) for v in result.violations)


def _key(v: Violation) -> tuple[Any, ...]:
    return (v.code, v.session, v.buyer, v.time, v.text, v.span, v.message)


settings_ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(st.lists(row, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_reordering_rows_never_changes_findings(drawn: Any, rnd: Any) -> None:
    rows = to_rows(drawn)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert findings(shuffled) == findings(rows)


@settings_
@given(st.lists(row, min_size=1, max_size=30), st.data())
def test_splitting_a_file_never_changes_findings(drawn: Any, data: Any) -> None:
    rows = to_rows(drawn)
    cut = data.draw(st.integers(0, len(rows)))
    assert findings(rows[:cut], rows[cut:]) == findings(rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=30), st.data())
def test_splitting_a_file_without_shop_column(drawn: Any, data: Any) -> None:
    rows = to_rows(drawn)
    cut = data.draw(st.integers(0, len(rows)))
    split = findings(rows[:cut], rows[cut:], shop_column=False)
    assert split == findings(rows, shop_column=False)


@settings_
@given(st.lists(row, min_size=1, max_size=20), st.data())
def test_duplicated_rows_never_change_findings(drawn: Any, data: Any) -> None:
    rows = to_rows(drawn)
    copies = data.draw(st.lists(st.sampled_from(rows), max_size=5))
    assert findings(rows + copies) == findings(rows)


def test_generated_chats_do_find_things() -> None:
    """Guard against a vacuous property: the text pools trip every rule."""
    rows = to_rows(
        [
            ("tb_suda_home", 0, "buyer", 2, 0),  # phone
            ("tb_suda_home", 30, "agent", 1, 0),
            ("tb_suda_home", 200, "buyer", 1, 0),
            ("tb_suda_home", 600, "buyer", 7, 0),
            ("tb_suda_home", 660, "agent", 1, 0),
            ("tb_suda_home", 675, "agent", 1, 0),
            ("tb_suda_home", 690, "buyer", 6, 0),
            ("tb_suda_home", 6000, "buyer", 0, 0),  # a return visit
            ("tb_suda_home", 6030, "agent", 1, 0),
            ("tb_jiajia520", 100, "buyer", 0, 0),
            ("tb_jiajia520", 103, "agent", 2, 0),  # A's phone to B
        ]
    )
    assert {key[0] for key in findings(rows)} == set(CODES)
