"""The batch GC settings apply inside the block and are undone after it."""

import gc

import pytest

from cslint.gctune import BATCH_THRESHOLDS, batch_gc


def test_thresholds_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with batch_gc():
        assert gc.get_threshold() == BATCH_THRESHOLDS
    assert gc.get_threshold() == before


def test_restored_when_the_block_exits_the_process() -> None:
    before = gc.get_threshold()
    with pytest.raises(SystemExit), batch_gc():
        raise SystemExit(1)  # what `cslint check` does to set its exit code
    assert gc.get_threshold() == before
