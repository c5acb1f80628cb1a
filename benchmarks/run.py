"""cslint against a hand-written jieba baseline and an Aho-Corasick floor.

Four variants, each run in a fresh subprocess started by a bare launcher
(``_launch.py``: ``os.wait4`` gives the command's own peak RSS, which a
child of this driver would not: see there), interleaved over the rounds
(a b c d a b c d …) so that the machine's noise hits all of them alike:

(a) cslint    ``python -m cslint check FILE --isolated -f json`` with the
              default rules, stdout to a file (what a user runs); the report
              is parsed afterwards to be sure the run did its work;
(b) baseline  ``benchmarks/baseline.py``: csv module, sender with ':' is an
              agent, ``jieba.lcut`` on every agent message, tokens looked up
              in W001's phrases + 不-words (the design card by hand);
(c) floor     ``benchmarks/floor.py``: csv module + one
              ``ahocorasick.Automaton.iter`` per message over every bundled
              phrase, nothing else;
(d) lower_bound  ``benchmarks/lower_bound.py``: cslint's per-text work alone
              (text analysis, phrase hits and finders once per distinct
              agent text, personal-data search once per distinct text) in
              as many forked workers as cslint uses, without sessions,
              rules or a report: what any engine that keeps cslint's text
              semantics spends before its first rule.

Wall time is measured from outside, start-up and imports included (what a
user waits for). Per variant: the median over the rounds; messages/s and MB/s
from the median; peak RSS the largest over the rounds, for the largest
single process and (``all procs``) for the PSS of the whole process tree,
which is what counts when ``--jobs`` forks workers. Ratios from the
medians: cslint/baseline speed-up (target >= 5) and cslint/floor slow-down
(target <= 4); the per-round ratios are printed too, and the lower bound's
share of the floor budget.

    python benchmarks/run.py                          # 100k, 3 rounds
    python benchmarks/run.py --messages 100000 1000000 --rounds 3
    python benchmarks/run.py --quick                  # 20k, 1 round (smoke)

Input files are generated once into ``--data-dir`` (default /tmp/cslint-bench)
by ``benchmarks/generate.py`` and reused.

Why not ``-o /dev/null``: cslint writes ``-o`` files atomically (a temporary
file in the target's folder, then ``os.replace``); run as root, that replaces
the /dev/null device node with a regular file. stdout is redirected to
``DATA_DIR/cslint-out.json`` instead; ``--output-file`` makes cslint write
that file itself with ``-o`` (atomic write and fsync included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from _bytecode import compile_package  # this folder: scripts run as `python benchmarks/…`

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VARIANTS = ("cslint", "baseline", "floor", "lower_bound")
LETTER = {"cslint": "a", "baseline": "b", "floor": "c", "lower_bound": "d"}
TARGET_SPEEDUP = 5.0
TARGET_SLOWDOWN = 4.0
TARGET_RSS_MB = 300.0


def machine(cslint_path: Path = REPO) -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    where = cslint_path.resolve()
    rev = "not a git checkout"
    if (where / ".git").exists():
        try:
            rev = subprocess.run(
                ["git", "-C", str(where), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(where), "status", "--porcelain", "--", "cslint"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            rev += " + uncommitted changes in cslint/" if dirty else ""
        except OSError:
            rev = "?"
    return {
        "date": dt.date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cslint": f"{where} ({rev})",
    }


def ensure_data(n: int, seed: int, data_dir: Path, regenerate: bool) -> Path:
    path = data_dir / f"bench-{n}-s{seed}.csv"
    if regenerate or not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        print(f"generating {path} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--messages",
                str(n),
                "--seed",
                str(seed),
                "-o",
                str(tmp),
            ],
            check=True,
        )
        tmp.replace(path)
    return path


def command(variant: str, path: Path, args: argparse.Namespace) -> list[str]:
    if variant == "cslint":
        cmd = [sys.executable, "-m", "cslint", "check", str(path), "--isolated", "-f", "json"]
        if args.output_file:
            cmd += ["-o", str(args.data_dir / "cslint-out.json")]
        return cmd + args.cslint_args.split()
    return [sys.executable, str(HERE / f"{variant}.py"), str(path)]


def cslint_summary(args: argparse.Namespace) -> dict:
    """The summary of cslint's JSON report of the last run (checked after the clock stopped)."""
    path = args.data_dir / "cslint-out.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"error": f"no valid JSON report: {exc}"}
    summary = doc.get("summary", {})
    return {
        "messages": summary.get("messages"),
        "sessions": summary.get("sessions"),
        "violations": len(doc.get("violations", [])),
        "input_errors": len(doc.get("input_errors", [])),
    }


def run_once(variant: str, path: Path, args: argparse.Namespace) -> dict:
    """One run in a fresh process: wall seconds, peak RSS (MB), exit code, its own report."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(args.cslint_path) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    cmd = command(variant, path, args)
    report_file = args.data_dir / "cslint-out.json"
    if variant == "cslint":
        report_file.unlink(missing_ok=True)
        # stdout goes to a plain file (not -o: see the module docstring); the
        # report is parsed after the clock stops, to be sure the run did its work
        stdout = report_file.open("wb") if not args.output_file else subprocess.DEVNULL
    else:
        stdout = subprocess.PIPE
    measure = args.data_dir / "launch.json"
    measure.unlink(missing_ok=True)
    launcher = [sys.executable, str(HERE / "_launch.py"), str(measure), str(args.timeout), "--"]
    proc = subprocess.Popen(
        launcher + cmd, cwd=args.data_dir, env=env, stdout=stdout, stderr=subprocess.PIPE
    )
    if variant == "cslint" and not args.output_file:
        stdout.close()
    out_b, err_b = proc.communicate()
    m = json.loads(measure.read_text())
    wall, timed_out = m["wall_s"], m["timed_out"]
    proc.returncode = m["exit"]
    out = out_b.decode() if out_b else ""
    err = err_b.decode() if err_b else ""
    report: dict = {}
    for line in out.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    if variant == "cslint":
        # exit 1 is "violations found" but also a Python traceback: check the report
        report = cslint_summary(args) if not timed_out else {}
        ok = (
            not timed_out
            and proc.returncode in (0, 1)
            and "Traceback" not in err
            and report.get("messages") is not None
        )
    else:
        ok = not timed_out and proc.returncode == 0 and bool(report)
    if not ok:
        print(
            f"  {variant}: exit {proc.returncode}{' (timeout)' if timed_out else ''}\n{err[-2000:]}",
            file=sys.stderr,
        )
    return {
        "variant": variant,
        "wall_s": wall,
        "maxrss_mb": m["maxrss_kb"] / 1024,
        "tree_pss_mb": m.get("tree_pss_peak_kb", 0) / 1024,
        "user_s": m["user_s"],
        "sys_s": m["sys_s"],
        "exit": proc.returncode,
        "ok": ok,
        "timed_out": timed_out,
        "report": report,
    }


def bench_size(n: int, args: argparse.Namespace) -> dict:
    path = ensure_data(n, args.seed, args.data_dir, args.regenerate)
    size_mb = path.stat().st_size / 1e6
    runs: dict[str, list[dict]] = {v: [] for v in args.variants}
    per_round: list[dict[str, float]] = []
    for r in range(args.rounds):
        this_round: dict[str, float] = {}
        for v in args.variants:
            res = run_once(v, path, args)
            runs[v].append(res)
            if res["ok"]:
                this_round[v] = res["wall_s"]
            print(
                f"  n={n} round {r + 1}/{args.rounds} ({LETTER[v]}) {v:11s} "
                f"{res['wall_s']:8.2f} s  {res['maxrss_mb']:7.1f} MB"
                f"  (all processes {res['tree_pss_mb']:7.1f} MB)"
                f"{'' if res['ok'] else '  FAILED'}",
                file=sys.stderr,
                flush=True,
            )
        per_round.append(this_round)
    rows = {}
    for v, rs in runs.items():
        good = [x for x in rs if x["ok"]]
        if not good:
            rows[v] = None
            continue
        med = statistics.median(x["wall_s"] for x in good)
        rows[v] = {
            "runs": len(good),
            "median_s": med,
            "min_s": min(x["wall_s"] for x in good),
            "max_s": max(x["wall_s"] for x in good),
            "messages_per_s": n / med,
            "mb_per_s": size_mb / med,
            "peak_rss_mb": max(x["maxrss_mb"] for x in good),
            "tree_pss_mb": max(x["tree_pss_mb"] for x in good),
            "user_s": statistics.median(x["user_s"] for x in good),
            "in_process_s": statistics.median(x["report"]["seconds"] for x in good)
            if all("seconds" in x["report"] for x in good)
            else None,
        }
    ratios = {}
    if rows.get("cslint") and rows.get("baseline"):
        ratios["speedup_vs_baseline"] = rows["baseline"]["median_s"] / rows["cslint"]["median_s"]
        ratios["speedup_per_round"] = [
            rr["baseline"] / rr["cslint"] for rr in per_round if "baseline" in rr and "cslint" in rr
        ]
    if rows.get("cslint") and rows.get("floor"):
        ratios["slowdown_vs_floor"] = rows["cslint"]["median_s"] / rows["floor"]["median_s"]
        ratios["slowdown_per_round"] = [
            rr["cslint"] / rr["floor"] for rr in per_round if "floor" in rr and "cslint" in rr
        ]
    if rows.get("lower_bound") and rows.get("floor"):
        ratios["lower_bound_vs_floor"] = rows["lower_bound"]["median_s"] / rows["floor"]["median_s"]
    return {
        "messages": n,
        "file": str(path),
        "file_mb": size_mb,
        "rounds": args.rounds,
        "variants": rows,
        "ratios": ratios,
        "runs": runs,
    }


def print_table(result: dict) -> None:
    n = result["messages"]
    print(f"\n{n:,} messages, {result['file_mb']:.1f} MB, {result['rounds']} round(s), interleaved")
    print(
        f"{'variant':16s} {'messages':>10s} {'seconds':>9s} {'msg/s':>10s} {'MB/s':>7s} "
        f"{'peak RSS MB':>12s} {'all procs MB':>13s}"
    )
    for v in VARIANTS:
        row = result["variants"].get(v)
        label = f"({LETTER[v]}) {v}"
        if row is None:
            if v in result["variants"]:
                print(f"{label:16s} {n:>10,} {'failed':>9s}")
            continue
        print(
            f"{label:16s} {n:>10,} {row['median_s']:9.2f} {row['messages_per_s']:10,.0f} "
            f"{row['mb_per_s']:7.2f} {row['peak_rss_mb']:12.1f} {row['tree_pss_mb']:13.1f}"
        )
    r = result["ratios"]
    if "speedup_vs_baseline" in r:
        s = r["speedup_vs_baseline"]
        per = ", ".join(f"{x:.2f}" for x in r["speedup_per_round"])
        print(
            f"cslint/baseline speed-up: {s:.2f}x (target >= {TARGET_SPEEDUP:g}: "
            f"{'met' if s >= TARGET_SPEEDUP else 'NOT met'}; per round {per})"
        )
    if "slowdown_vs_floor" in r:
        s = r["slowdown_vs_floor"]
        per = ", ".join(f"{x:.2f}" for x in r["slowdown_per_round"])
        print(
            f"cslint/floor slow-down:   {s:.2f}x (target <= {TARGET_SLOWDOWN:g}: "
            f"{'met' if s <= TARGET_SLOWDOWN else 'NOT met'}; per round {per})"
        )
    if "lower_bound_vs_floor" in r:
        s = r["lower_bound_vs_floor"]
        print(
            f"lower bound/floor:        {s:.2f}x (cslint's text work alone, no sessions, rules or "
            f"report: {s / TARGET_SLOWDOWN:.0%} of the {TARGET_SLOWDOWN:g}x budget)"
        )
    row = result["variants"].get("cslint")
    if row:
        rep = next((x["report"] for x in result["runs"]["cslint"] if x["ok"]), {})
        print(
            f"cslint report: {rep.get('messages')} messages, {rep.get('sessions')} sessions, "
            f"{rep.get('violations')} violations, {rep.get('input_errors')} input errors"
        )
        rss, tree = row["peak_rss_mb"], row["tree_pss_mb"]
        print(
            f"cslint peak memory: {tree:.0f} MB PSS of all its processes, {rss:.0f} MB RSS of "
            f"the largest (target < {TARGET_RSS_MB:g} MB at 1M messages)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, nargs="+", default=[100_000])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="20k messages, 1 round: a smoke run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/cslint-bench"))
    ap.add_argument("--regenerate", action="store_true", help="write the input files again")
    ap.add_argument(
        "--output-file",
        action="store_true",
        help="cslint writes its JSON with -o to a file under --data-dir (not stdout)",
    )
    ap.add_argument(
        "--cslint-path",
        type=Path,
        default=REPO,
        help="folder put first on PYTHONPATH for (a) (default: this checkout)",
    )
    ap.add_argument(
        "--cslint-args",
        default="",
        help="extra flags for (a), e.g. --cslint-args='--jobs 1' (default: none, as a user runs it)",
    )
    ap.add_argument(
        "--timeout", type=float, default=3600, help="seconds per run before it is killed"
    )
    ap.add_argument(
        "--json", type=Path, default=None, help="also write every figure to this JSON file"
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.messages, args.rounds = [20_000], 1
    args.data_dir = args.data_dir.resolve()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    compile_package(args.cslint_path)  # measured as installed: see _bytecode.py
    info = machine(args.cslint_path)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    results = []
    for n in args.messages:
        result = bench_size(n, args)
        results.append(result)
        print_table(result)
        sys.stdout.flush()
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "results": results}, indent=1))
    if len(results) > 1 and all(r["variants"].get("cslint") for r in results):
        print(
            "\ncslint peak memory (all processes, PSS) by size: "
            + ", ".join(
                f"{r['messages']:,}: {r['variants']['cslint']['tree_pss_mb']:.0f} MB"
                for r in results
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
