"""Garbage-collector settings for a long batch run.

A check allocates millions of small objects (rows, sessions, text analyses)
and almost none of them form reference cycles, which is what the cyclic
collector is for. With CPython's default thresholds (700 allocations) it
runs a young-generation collection every few messages and a full one, which
walks every live object including the bounded text caches, every few
thousand: about a quarter of a 100k-message check on the benchmark
(docs/performance.md). Reference counting still frees everything acyclic at
once, so raising the thresholds only delays the little cyclic garbage there
is; memory is unchanged in our measurements.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# young collections every 50k allocations instead of 700; full collections
# a hundred times rarer than that. Chosen on the 100k benchmark: 10k already
# gives most of the gain, 100k no more than 50k.
BATCH_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def batch_gc() -> Iterator[None]:
    """Run the block with :data:`BATCH_THRESHOLDS`; the previous ones are restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*BATCH_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
