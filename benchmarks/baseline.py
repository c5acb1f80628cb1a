"""(b) The hand-written baseline: what a user writes from the design card.

Read the CSV with the csv module, call a message an agent's when the sender
nick holds ':' (店铺:客服), run ``jieba.lcut`` (jieba's defaults) on every
agent message and look each token up in the forbidden list (W001's phrases and
W002's 不-words) or flag a token holding 不 that is not whitelisted.

Prints one JSON line: rows, agent rows, hits, seconds (in-process), peak RSS.

    python benchmarks/baseline.py /tmp/bench-100k.csv
"""

from __future__ import annotations

import csv
import json
import logging
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _phrases import design_card_words


def main(path: str) -> None:
    t0 = time.perf_counter()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    forbidden, whitelist = design_card_words()
    rows = agents = hits = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        i_sender, i_text = header.index("sender"), header.index("text")
        for row in reader:
            rows += 1
            if ":" not in row[i_sender]:
                continue
            agents += 1
            for token in jieba.lcut(row[i_text]):
                if token in forbidden or ("不" in token and token not in whitelist):
                    hits += 1
    print(
        json.dumps(
            {
                "variant": "baseline",
                "rows": rows,
                "agent_rows": agents,
                "hits": hits,
                "seconds": round(time.perf_counter() - t0, 3),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
