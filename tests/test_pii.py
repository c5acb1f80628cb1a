"""Personal data: what counts, digit boundaries, links, and length-preserving masks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint import pii
from cslint.pii import ADDRESS, ID_CARD, ORDER, PHONE, find_pii, is_id_number, mask_text


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("我的电话13812345678", PHONE, "13812345678"),
        ("电话 138-1234-5678 谢谢", PHONE, "13812345678"),
        ("手机 139 0013 9001", PHONE, "13900139001"),
        ("订单号 202503051234567890 查一下", ORDER, "202503051234567890"),
        ("身份证11010519491231002X", ID_CARD, "11010519491231002X"),
        ("寄到浙江省杭州市西湖区文三路123号", ADDRESS, "文三路123号"),
        ("上海市浦东新区张江路88弄5号302室", ADDRESS, "张江路88弄5号302室"),
    ],
)
def test_finds(text: str, kind: str, key: str) -> None:
    found = find_pii(text)
    assert [(p.kind, p.key) for p in found] == [(kind, key)]


@pytest.mark.parametrize(
    "text",
    [
        "宝贝id 612345678901 看一下",  # a 12-digit item id
        "链接 https://item.taobao.com/item.htm?id=613456789012345678",  # digits in a link
        "编号 2138123456789",  # a phone-shaped run inside a longer number
        "这款应该是吧台的尺寸,高度105cm",
        "满199减20，3天内发货",
    ],
)
def test_not_personal_data(text: str) -> None:
    assert find_pii(text) == []


def test_id_check_digit_and_date() -> None:
    assert is_id_number("11010519491231002X")
    assert not is_id_number("110105194912310021")  # wrong check digit
    assert not is_id_number("11010519491331002X")  # month 13


def test_masks_keep_length_and_hide_the_middle() -> None:
    assert mask_text("电话13812345678") == "电话138****5678"
    assert mask_text("寄到杭州市西湖区文三路123号谢谢") == "寄到杭州市西湖区*******谢谢"
    text = "订单202503051234567890，电话139-0013-9001"
    masked = mask_text(text)
    assert len(masked) == len(text)
    assert "1234567" not in masked and "0013" not in masked


@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789 -市区路号省浙江杭州文三亲好abc")), max_size=60
    )
)
def test_masking_never_changes_length_or_leaves_a_found_value(text: str) -> None:
    masked = mask_text(text)
    assert len(masked) == len(text)
    for p in find_pii(text):
        if p.kind in (PHONE, ORDER, ID_CARD):
            assert p.key not in "".join(ch for ch in masked if ch.isdigit() or ch == "X")


# The street parts of the address pattern: each alone must get a text past the pre-check.
_STREET_PARTS = ["路", "街", "大道", "道", "巷", "弄", "村", "小区", "花园", "公寓", "大厦", "栋",
                 "幢", "号楼", "单元", "室"]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [f"寄到杭州市{part}5" for part in _STREET_PARTS]
    + ["订单200000000000000", "身份证11010519491231002X", "电话139-0013-9001"],
)
def test_every_shape_gets_past_the_precheck(text: str) -> None:
    assert find_pii(text)


_PHONES = st.tuples(
    st.sampled_from("3456789"), st.lists(st.sampled_from(["", " ", "-"]), min_size=9, max_size=9)
).map(lambda t: "1" + t[0] + "".join(sep + d for sep, d in zip(t[1], "012345678", strict=True)))
_ADDRESSES = st.tuples(
    st.sampled_from(["浙江", "浙江省", "杭州市", "西湖区", "临安县", "寄到上海"]),
    st.sampled_from(["", "文三", "西溪"]),
    st.sampled_from(_STREET_PARTS),
    st.sampled_from(["", "东"]),
    st.text(alphabet="0123456789", min_size=1, max_size=3),
    st.sampled_from(["", "号", "室", "#"]),
).map("".join)
_NOISE = st.sampled_from(
    [
        "",
        "亲",
        "知道",
        "满199元",
        " ",
        "http://a.cn/",
        "item.taobao.com/",
        "X",
        "tb_723318536",
        "#20250313-151929",
        "-13",
    ]
)
_CHAT_TEXTS = st.lists(
    st.one_of(
        st.text(alphabet="0123456789", min_size=1, max_size=4),
        st.text(alphabet="0123456789", min_size=14, max_size=21),
        _PHONES,
        _ADDRESSES,
        _NOISE,
        st.just("11010519491231002X"),
    ),
    max_size=5,
).map("".join)


@settings(max_examples=300)
@given(_CHAT_TEXTS)
def test_the_cheap_precheck_never_hides_personal_data(text: str) -> None:
    # the scan find_pii runs once its pre-check passes, without the pre-check and the cache
    full_scan = pii._find_all.__wrapped__
    assert find_pii(text) == list(full_scan(text))


def test_cached_results_are_fresh_lists() -> None:
    text = "电话13812345678"
    first = find_pii(text)
    first.clear()
    assert [p.key for p in find_pii(text)] == ["13812345678"]


_PII_ALPHABET = (
    "0123456789 -./:#abcwhtpsxXm"
    + "路街道巷弄村区园寓厦栋幢楼元室号单省市县杭州浙江北京朝阳寄到在了的"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_PII_ALPHABET, max_size=40))
def test_the_prechecks_skip_only_texts_the_patterns_find_nothing_in(text: str) -> None:
    """_link_spans answers [] without a search, and _find_all skips the address
    pattern, only on texts where the search would find nothing."""
    assert pii._link_spans(text) == [m.span() for m in pii._LINK.finditer(text)]
    if pii._STREET_CHARS.isdisjoint(text):
        assert pii._ADDRESS.search(text) is None


def _is_id_number_long_way(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


@settings(max_examples=500, deadline=None)
@given(
    st.tuples(
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.integers(0, 10000).map(lambda n: f"{n:04d}"[-4:]),
        st.integers(0, 99).map(lambda n: f"{n:02d}"),
        st.integers(0, 99).map(lambda n: f"{n:02d}"),
        st.text(alphabet="0123456789", min_size=3, max_size=3),
        st.sampled_from("0123456789Xx"),
    ).map("".join)
)
def test_the_date_precheck_of_id_numbers_changes_no_answer(value: str) -> None:
    assert is_id_number(value) == _is_id_number_long_way(value)
