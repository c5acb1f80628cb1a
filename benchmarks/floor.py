"""(c) The floor: read the rows and run one Aho-Corasick pass per message, nothing else.

The automaton holds every phrase cslint's own automaton holds (288 with the
bundled rulesets); no normalization, no sentences, no jieba, no rules.

Prints one JSON line: rows, hits, seconds (in-process), peak RSS.

    python benchmarks/floor.py /tmp/bench-100k.csv
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _phrases import all_phrases


def main(path: str) -> None:
    t0 = time.perf_counter()
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for phrase in all_phrases():
        automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    rows = hits = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        i_text = header.index("text")
        for row in reader:
            rows += 1
            for _ in automaton.iter(row[i_text]):
                hits += 1
    print(
        json.dumps(
            {
                "variant": "floor",
                "rows": rows,
                "hits": hits,
                "seconds": round(time.perf_counter() - t0, 3),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
