"""Spools give back every line, in key order (ties: order added), spilled or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cslint import spool
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
        spool.append(line)
    assert list(spool) == lines
    spool.close()


def test_spilling_keeps_few_lines_in_memory() -> None:
    spool = SortedSpool(memory_lines=100)
    for i in range(1000):
        spool.add(-i, str(i))
    assert len(spool._items) < 100 and len(spool._runs) == 10
    assert list(spool) == [str(i) for i in range(999, -1, -1)]
    spool.close()


def test_an_object_twice_in_one_item_reads_back_as_that_item_s_own() -> None:
    # the same str twice in one item: pickle writes it once and refers back to
    # it; a reader must not resolve that reference to an earlier item's object
    spool: Spool[tuple[str, str]] = Spool(memory_lines=7)
    items = []
    for i in range(50):
        name = f"buyer{i}"
        items.append((name, name))
        spool.append((name, name))
    assert list(spool) == items
    assert list(spool) == items  # and again: a spool can be iterated more than once
    spool.close()


def test_runs_handed_over_merge_in_key_order_ties_by_spool(tmp_path: Path) -> None:
    first: SortedSpool[str] = SortedSpool(memory_lines=3, folder=str(tmp_path))
    second: SortedSpool[str] = SortedSpool(memory_lines=3, folder=str(tmp_path))
    for i in range(10):
        first.add(i % 4, f"a{i}")
        second.add(i % 4, f"b{i}")
    handed = [(first.hand_over(), first.count), (second.hand_over(), second.count)]
    merged: SortedSpool[str] = SortedSpool()
    for paths, count in handed:
        merged.adopt(paths, count)
    expected = [f"{s}{i}" for key in range(4) for s in "ab" for i in range(10) if i % 4 == key]
    assert list(merged) == expected and merged.count == 20
    merged.close()


def test_spool_handed_over_gives_own_items_then_adopted_in_order(tmp_path: Path) -> None:
    # own runs, own items still in memory, then each adopted spool's, as a
    # sorted spool with equal keys would order them
    first: Spool[str] = Spool(memory_lines=3, folder=str(tmp_path))
    second: Spool[str] = Spool(memory_lines=3, folder=str(tmp_path))
    for i in range(7):
        first.append(f"a{i}")
        second.append(f"b{i}")
    handed = [(first.hand_over(), first.count), (second.hand_over(), second.count)]
    merged: Spool[str] = Spool(memory_lines=4, folder=str(tmp_path))
    for i in range(6):
        merged.append(f"m{i}")  # one run on disk, two items in memory
    for paths, count in handed:
        merged.adopt(paths, count)
    expected = [f"{s}{i}" for s, n in (("m", 6), ("a", 7), ("b", 7)) for i in range(n)]
    assert list(merged) == expected and list(merged) == expected
    assert merged.count == 20
    merged.close()


@given(
    st.lists(st.integers(0, 5), max_size=40),
    st.lists(st.lists(st.integers(0, 5), max_size=30), max_size=3),
    st.lists(st.integers(0, 5), max_size=20),
    st.integers(1, 8),
    st.integers(1, 4),
)
@settings(max_examples=150, deadline=None)
def test_sorted_spool_ties_go_by_spool_then_order_added(
    tmp_path_factory: pytest.TempPathFactory,
    own_before: list[int],
    others: list[list[int]],
    own_after: list[int],
    memory: int,
    chunk: int,
) -> None:
    # own lines, some spilled before and some after adopting, and adopted ones,
    # with many equal keys: equal keys come own lines first (in the order
    # added), then each adopted spool's in the order adopted; runs of several
    # chunks, so that the merge reads runs a chunk at a time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spool, "CHUNK", chunk)
        _check_ties(tmp_path_factory, own_before, others, own_after, memory)


def _check_ties(
    tmp_path_factory: pytest.TempPathFactory,
    own_before: list[int],
    others: list[list[int]],
    own_after: list[int],
    memory: int,
) -> None:
    folder = str(tmp_path_factory.mktemp("runs"))
    merged: SortedSpool[str] = SortedSpool(memory_lines=memory, folder=folder)
    expected: list[tuple[int, int, int, str]] = []
    for n, key in enumerate(own_before):
        merged.add(key, f"own{n}")
        expected.append((key, 0, n, f"own{n}"))
    for source, keys in enumerate(others, 1):
        other: SortedSpool[str] = SortedSpool(memory_lines=memory, folder=folder)
        for n, key in enumerate(keys):
            other.add(key, f"s{source}.{n}")
            expected.append((key, source, n, f"s{source}.{n}"))
        merged.adopt(other.hand_over(), len(keys))
    for n, key in enumerate(own_after, len(own_before)):
        merged.add(key, f"own{n}")
        expected.append((key, 0, n, f"own{n}"))
    lines = [line for *_, line in sorted(expected)]
    assert list(merged) == lines and list(merged) == lines
    assert merged.count == len(expected)
    merged.close()
