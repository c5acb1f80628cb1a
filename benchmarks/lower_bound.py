"""(d) A lower bound: cslint's per-text work alone, without sessions or rules.

What any design must still spend if it keeps cslint's text analysis (the
rules' semantics in RULES.md: width folding, emoticons, sentences,
traditional-to-simplified and noise normalization, phrase hits with token
boundaries, the message-level finders, the personal-data search), however
its session and rule engine is built:

- start-up: the interpreter, cslint's imports, the rules compiled once;
- as many workers as ``cslint check`` forks for this input (all cores, but
  at least 2 MB of input each; ``--jobs N`` forces N), forked as cslint
  forks them, each streaming and parsing every row (csv module) and keeping
  its share of the buyers, as cslint's workers do;
- per distinct agent text of its share (a sender with ``:``, as in
  ``baseline.py``): :class:`cslint.rules.base.TextFacts` (analysis, phrase
  hits, finders: computed once per distinct text, as in cslint, which
  analyses agent texts only but for a few);
- per distinct text of its share, the buyers' too: :func:`cslint.pii.find_pii`
  (P002 searches every text for personal data).

Left out, so that it stays a lower bound: cslint's own reader (encoding
detection, column mapping, error reporting), time parsing, sessions, every
session rule, violations, the report and its merge. Sessions and rules would
have to fit between this bound and the target.

Prints one JSON line, as ``floor.py`` does.

    python benchmarks/lower_bound.py /tmp/bench-100k.csv [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    t0 = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path)
    ap.add_argument(
        "--jobs", type=int, default=0, help="workers (default 0: as many as cslint check would use)"
    )
    args = ap.parse_args(argv)

    from cslint.config import load_config
    from cslint.engine import Engine
    from cslint.forked import run_forked
    from cslint.parallel import default_jobs
    from cslint.pii import find_pii
    from cslint.ruleset import load_pack
    from cslint.share import Share
    from cslint.stream_parallel import workers_for

    # by default as many workers as `check` forks for this input; --jobs N forces N
    jobs = args.jobs or workers_for(default_jobs(), [args.path])

    pack = load_pack(load_config([args.path], None, discover=False))
    texts = Engine(pack).texts  # the text cache and the finders of the default rules

    def work(number: int) -> dict[str, int]:
        owns = Share(number, jobs).owns
        distinct: dict[str, None] = {}  # the share's texts, first seen first
        agent_texts: dict[str, None] = {}
        count = 0
        with open(args.path, encoding="utf-8-sig", newline="") as fh:  # streamed, as cslint reads
            rows = csv.reader(fh)
            header = next(rows)
            i_buyer, i_sender = header.index("buyer"), header.index("sender")
            i_text = header.index("text")
            for row in rows:
                if owns(row[i_buyer]):
                    count += 1
                    text = row[i_text]
                    distinct[text] = None
                    if ":" in row[i_sender]:
                        agent_texts[text] = None
        found = pii = 0
        for text in agent_texts:
            facts = texts.facts(text)
            found += len(facts.found()) + len(facts.hits)
        for text in distinct:
            pii += len(find_pii(text))
        return {
            "rows": count,
            "distinct": len(distinct),
            "agent_distinct": len(agent_texts),
            "found": found,
            "pii": pii,
        }

    shares = run_forked(work, jobs) if jobs > 1 else [work(0)]
    print(
        json.dumps(
            {
                "variant": "lower_bound",
                "jobs": jobs,
                "rows": sum(s["rows"] for s in shares),
                "distinct_texts": sum(s["distinct"] for s in shares),
                "distinct_agent_texts": sum(s["agent_distinct"] for s in shares),
                "findings": sum(s["found"] for s in shares),
                "pii": sum(s["pii"] for s in shares),
                "seconds": round(time.perf_counter() - t0, 3),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    sys.path.append(str(REPO))  # the source tree, unless PYTHONPATH (run.py) names another
    main()
