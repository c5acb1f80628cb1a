"""Where a ``cslint check`` run spends its time and memory, phase by phase.

Runs the same steps as ``cslint check FILE --isolated -f json`` through the
API, in one process, and prints per phase: seconds, RSS after it, and the
counters that explain the time (cache hit rates, how many sentences went
through jieba and on behalf of which rule).

    python benchmarks/phases.py /tmp/cslint-bench/bench-100000-s1.csv
    python benchmarks/phases.py FILE --cslint-path /tmp/cslint-snap   # another checkout

Instrumentation is by wrapping a few module functions (counting only); the
figures are a little slower than an untouched run. No timed assertions.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import sys
import time
from pathlib import Path


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) in MB, from /proc/self/status."""
    cur = peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            cur = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return cur, peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--cslint-path", default=str(Path(__file__).resolve().parent.parent))
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument(
        "--gc",
        choices=("default", "off", "freeze"),
        default="default",
        help="what-if: cyclic GC as is, disabled, or gc.freeze() after reading",
    )
    args = ap.parse_args(argv)
    if args.gc == "off":
        gc.disable()
    sys.path.insert(0, args.cslint_path)

    phases: list[tuple[str, float, float, float]] = []
    t = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        cur, peak = rss_mb()
        phases.append((name, now - t, cur, peak))
        t = time.perf_counter()

    import cslint.api as api
    from cslint.config import load_config
    from cslint.engine import Engine
    from cslint.model import Role
    from cslint.reporters import get_reporter
    from cslint.reporters.base import ReportOptions
    from cslint.ruleset import load_pack
    from cslint.sessionize import sessionize
    from cslint.text import segment

    mark("import cslint")

    # -- instrumentation: who asks jieba for which sentence ----------------
    asked: collections.Counter[str] = collections.Counter()
    asked_texts: dict[str, set[str]] = collections.defaultdict(set)
    orig_tokens_with, orig_bounds = segment.tokens_with, segment.token_boundaries

    def tokens_with(text: str, part: str):  # W002 (negation) asks for the tokens with 不
        asked["tokens with 不 (W002 negation)"] += 1
        asked_texts["tokens with 不 (W002 negation)"].add(text)
        return orig_tokens_with(text, part)

    def token_boundaries(text: str):  # W001 (boundary = token) asks for boundaries
        asked["boundaries (token-boundary phrase rules: W001)"] += 1
        asked_texts["boundaries (token-boundary phrase rules: W001)"].add(text)
        return orig_bounds(text)

    segment.tokens_with, segment.token_boundaries = tokens_with, token_boundaries

    config = load_config([args.file], None, discover=False)
    pack = load_pack(config)
    _ = pack.index
    mark("load config + rules + automaton")

    segment.tokenizer()
    mark("load jieba dictionary")

    messages, errors, stats = api.read_paths([args.file], api.read_options(config))
    n_messages = len(messages)
    n_agent = sum(1 for m in messages if m.role is Role.AGENT)
    agent_texts = [m.text for m in messages if m.role is Role.AGENT]
    n_bu = sum(1 for text in agent_texts if "不" in text)
    n_distinct_agent = len(set(agent_texts))
    n_distinct_all = len({m.text for m in messages})
    del agent_texts
    mark("read CSV -> Message list")

    sessions = sessionize(messages, config.session_gap_s)
    del messages
    if args.gc == "freeze":
        gc.collect()
        gc.freeze()  # the messages and sessions live to the end: stop re-scanning them
    mark("sessionize")

    engine = Engine(pack)
    # -- per-rule time, exclusive of the text analysis and phrase search the
    # first rule to touch a message pays for (those get their own lines)
    spent: collections.Counter[str] = collections.Counter()
    nested = [0.0]  # time spent in analysis/search inside the current rule call
    clock = time.perf_counter

    def timed_rule_call(label: str, fn):
        def call(ctx):
            before_nested = nested[0]
            t0 = clock()
            out = fn(ctx)
            if out is not None and not isinstance(out, (list, tuple)) and label.endswith(".check"):
                out = list(out)
            inner = nested[0] - before_nested
            spent[label] += clock() - t0 - inner
            return out

        return call

    def timed_text(label: str, fn):
        def call(arg):
            t0 = clock()
            out = fn(arg)
            dt = clock() - t0
            spent[label] += dt
            nested[0] += dt
            return out

        return call

    for rule in engine.rules:
        rule.check = timed_rule_call(f"{rule.code} {type(rule).__name__}.check", rule.check)
        rule.observe = timed_rule_call(f"{rule.code} {type(rule).__name__}.observe", rule.observe)
    # one text cache: analysis and phrase hits are read through it at call time
    texts = engine.texts
    texts.analyze = timed_text("(text analysis: emoticons, sentences, normalize)", texts.analyze)
    texts.find_hits = timed_text("(phrase search: automaton + PhraseHit objects)", texts.find_hits)
    t_sessions = clock()
    outcomes = [engine.check_session(s) for s in sessions]
    in_sessions = clock() - t_sessions
    spent["(engine: context, text rules' per-text finds, dedupe, agent stats)"] = in_sessions - sum(
        spent.values()
    )
    mark("check sessions (rules)")
    extra = engine.finish(outcomes)
    mark("finish (run-level rules F003, P002)")
    results, violations = engine.score(outcomes, extra)
    mark("score")
    from cslint import __version__
    from cslint.model import RunResult

    result = RunResult(
        violations=violations,
        input_errors=errors,
        sessions=results,
        files=stats,
        rules=pack.infos(),
        meta={"version": __version__},
    )
    text = get_reporter("json").render(result, ReportOptions())
    mark("render JSON")
    sys.stdout.flush()

    a = texts.facts.cache_info()  # type: ignore[attr-defined]
    jieba_calls = segment._piece_spans.cache_info()
    total = sum(p[1] for p in phases)
    gcs = gc.get_stats()
    print(f"gc: {args.gc}; collections per generation {[g['collections'] for g in gcs]}")
    print(
        f"{args.file}: {n_messages:,} messages ({n_agent:,} agent), {len(sessions):,} sessions, "
        f"{len(violations):,} violations, JSON {len(text) / 1e6:.1f} MB"
    )
    print(f"\n{'phase':42s} {'seconds':>8s} {'share':>6s} {'RSS MB':>8s} {'peak MB':>8s}")
    for name, secs, cur, peak in phases:
        print(f"{name:42s} {secs:8.2f} {secs / total:6.1%} {cur:8.0f} {peak:8.0f}")
    print(f"{'total':42s} {total:8.2f}")
    print("\ncheck sessions, by rule (exclusive seconds; wrapped calls, so slower than untouched)")
    for label, secs in spent.most_common():
        if secs >= 0.005 * in_sessions:
            print(f"  {label:58s} {secs:7.2f} {secs / in_sessions:6.1%}")
    print("\ncounters")
    print(
        f"  distinct texts: {n_distinct_all / n_messages:.0%} of all messages, "
        f"{n_distinct_agent / max(n_agent, 1):.0%} of agent messages"
    )
    print(
        f"  text cache (engine.texts: analysis, hits, findings): {a.hits:,} hits / "
        f"{a.misses:,} misses = {a.hits / max(a.hits + a.misses, 1):.0%} hit rate, "
        f"{a.currsize:,} entries"
    )
    print(f"  agent messages holding 不: {n_bu:,} = {n_bu / max(n_agent, 1):.0%} of agent messages")
    for what, count in asked.items():
        print(
            f"  jieba asked for {what}: {count:,} sentence requests, "
            f"{len(asked_texts[what]):,} distinct sentences"
        )
    print(
        f"  jieba tokenizer runs (segment._piece_spans misses): {jieba_calls.misses:,} "
        f"(cache hits {jieba_calls.hits:,})"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "file": args.file,
                    "messages": n_messages,
                    "agent_messages": n_agent,
                    "sessions": len(sessions),
                    "violations": len(violations),
                    "phases": [
                        {"phase": p[0], "seconds": p[1], "rss_mb": p[2], "peak_mb": p[3]}
                        for p in phases
                    ],
                    "text_cache": a._asdict(),
                    "jieba_requests": dict(asked),
                    "jieba_distinct": {k: len(v) for k, v in asked_texts.items()},
                    "jieba_runs": jieba_calls.misses,
                    "agent_with_bu": n_bu,
                    "by_rule": dict(spent.most_common()),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
