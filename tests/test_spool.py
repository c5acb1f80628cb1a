"""Spools give back every line, in key order (ties: order added), spilled or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cslint.spool import SortedSpool, Spool


@given(
    st.lists(st.tuples(st.integers(0, 20), st.text(max_size=8)), max_size=200),
    st.integers(1, 50),
)
@settings(max_examples=200, deadline=None)
def test_sorted_spool_is_a_stable_sort(items: list[tuple[int, str]], memory: int) -> None:
    spool = SortedSpool(memory_lines=memory)
    for key, line in items:
        spool.add(key, line)
    assert list(spool) == [line for _, line in sorted(items, key=lambda kv: kv[0])]
    assert spool.count == len(items)
    spool.close()


@given(st.lists(st.text(), max_size=100), st.integers(1, 30))
@settings(max_examples=100, deadline=None)
def test_spool_keeps_order_and_every_character(lines: list[str], memory: int) -> None:
    spool = Spool(memory_lines=memory)
    for line in lines:
        spool.add_line(line)
    assert list(spool) == lines
    spool.close()


def test_spilling_keeps_few_lines_in_memory() -> None:
    spool = SortedSpool(memory_lines=100)
    for i in range(1000):
        spool.add(-i, str(i))
    assert len(spool._items) < 100 and len(spool._runs) == 10
    assert list(spool) == [str(i) for i in range(999, -1, -1)]
    spool.close()
