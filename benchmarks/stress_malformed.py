"""Stress run: a million CSV messages, one row in ten malformed, through the real CLI.

Writes a canonical CSV (``time,buyer,sender,text``, UTF-8, LF) of ``--rows``
rows from a fixed seed, ``--bad-share`` of them malformed in four ways, each
of which must cost exactly its own row:

- a bad timestamp (``not a time``, ``2024-02-30 10:00:00``, ``25:00``, empty);
- a missing field (the text cell left out: ``too few fields``);
- an unbalanced quote (a text cell that opens ``"`` and never closes it); the
  row after one is always well formed, since no reader can tell a stray quote
  followed by a broken row from a cell that spans lines;
- undecodable bytes (invalid UTF-8 inside the text: ``undecodable bytes``).

Then it runs ``python -m cslint check FILE --isolated -f json -o OUT`` in a
subprocess (through ``_launch.py``) and prints the wall time, the peak
memory (the PSS of all cslint's processes, and the RSS of the largest:
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``; the generator streams, so
this process stays small and does not inflate the figures) and the counts,
checked against what the generator wrote: ``rows_read`` = rows,
``rejected`` = malformed rows, ``messages`` = the rest, one row input error
per rejected row, no file-level error, exit code 2.

    python benchmarks/stress_malformed.py                 # 1,000,000 rows, 10 % bad
    python benchmarks/stress_malformed.py --rows 100000 --jobs 2

Exit status 0 when every check holds, 1 otherwise. Not part of the unit tests.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from _bytecode import compile_package  # this folder: scripts run as `python benchmarks/…`

ROOT = Path(__file__).resolve().parent.parent

SHOPS = ("青禾家居旗舰店", "美动态旗舰店", "小茶馆", "宝宝乐母婴", "数码港")
AGENT_NAMES = ("小花", "木木", "小叶", "阿杰", "糖糖")
BUYER_TEXTS = (
    "在吗",
    "这款有货吗",
    "什么时候发货",
    "能开发票吗",
    "包邮吗",
    "尺码怎么选",
    "电话13812345678",
    "好的谢谢",
    "人呢",
    "可以便宜点吗",
)
AGENT_TEXTS = (
    "亲，您好，很高兴为您服务/:^_^",
    "有的哦，今天下单今天发货呢/:^_^",
    "亲，这款是包邮的哦",
    "可以开发票的，发票后期补寄给您，运费我们承担",
    "亲，建议您拍M码哦[微笑]",
    "感谢您的光临，有问题随时联系哦/:^_^",
    "稍等，我帮您查一下",
    "好的",
    "我也不知道",
    "不行的亲",
    "七天后发货",
    "加我vx123456聊",
)
BAD_TIMES = ("not a time", "2024-02-30 10:00:00", "2024-01-05 25:00:00", "", "05/01/2024 10:00")
KINDS = ("timestamp", "missing-field", "unbalanced-quote", "undecodable")


def generate(path: Path, rows: int, bad_share: float, seed: int) -> Counter[str]:
    """Write the CSV; return how many rows of each kind it holds (``good`` included)."""
    rng = random.Random(seed)
    written: Counter[str] = Counter()
    # exactly round(rows * bad_share) malformed rows, at random places; a row after an
    # unbalanced quote stays well formed (the quote takes another kind when it would not)
    bad_rows = sorted(rng.sample(range(rows), round(rows * bad_share)))
    kinds = {i: KINDS[rng.randrange(len(KINDS))] for i in bad_rows}
    for i in bad_rows:
        if kinds[i] == "unbalanced-quote" and i + 1 in kinds:
            kinds[i] = KINDS[rng.randrange(2)] if i % 2 else "undecodable"
    start = datetime(2025, 3, 3, 8, 0, 0)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    with path.open("wb") as out:
        out.write(b"time,buyer,sender,text\n")
        n = 0
        session = 0
        while n < rows:
            # one conversation: 6-12 messages, buyer first, then turns
            shop = SHOPS[session % len(SHOPS)]
            buyer = f"tb_{rng.randrange(60_000):05d}"
            agent = f"{shop}:{AGENT_NAMES[rng.randrange(len(AGENT_NAMES))]}"
            when = start + timedelta(seconds=session * 7 + rng.randrange(5))
            for turn in range(rng.randint(6, 12)):
                if n >= rows:
                    break
                when += timedelta(seconds=rng.randint(3, 90))
                sender = buyer if turn % 2 == 0 else agent
                pool = BUYER_TEXTS if turn % 2 == 0 else AGENT_TEXTS
                text = pool[rng.randrange(len(pool))]
                stamp = when.strftime("%Y-%m-%d %H:%M:%S")
                kind = kinds.get(n, "good")
                written[kind] += 1
                n += 1
                if kind == "good":
                    writer.writerow((stamp, buyer, sender, text))
                    out.write(buf.getvalue().encode("utf-8"))
                    buf.seek(0)
                    buf.truncate()
                elif kind == "timestamp":
                    bad = BAD_TIMES[rng.randrange(len(BAD_TIMES))]
                    out.write(f"{bad},{buyer},{sender},{text}\n".encode())
                elif kind == "missing-field":
                    out.write(f"{stamp},{buyer},{sender}\n".encode())
                elif kind == "unbalanced-quote":
                    out.write(f'{stamp},{buyer},{sender},"{text}\n'.encode())
                else:  # a byte that is never UTF-8, or a character cut in half
                    junk = (b"\xff\xfe", b"\xe4\xb8", b"\xc3(")[rng.randrange(3)]
                    raw = text.encode("utf-8")
                    cut = rng.randrange(len(raw) + 1)
                    while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:
                        cut += 1  # keep the text's own characters whole
                    out.write(f"{stamp},{buyer},{sender},".encode() + raw[:cut] + junk)
                    out.write(raw[cut:] + b"\n")
            session += 1
    return written


def run_cslint(
    path: Path, output: Path, extra: list[str], timeout: float
) -> tuple[int, float, str, float]:
    """Exit code, wall seconds, stderr, and the peak PSS of all cslint's processes
    (MB; measured by ``_launch.py``, since ``--jobs`` forks workers)."""
    measured = output.with_suffix(".launch.json")
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "_launch.py"),
        str(measured),
        str(timeout),
        "--",
        sys.executable,
        "-m",
        "cslint",
        "check",
        str(path),
        "--isolated",
        "-f",
        "json",
        "-o",
        str(output),
        *extra,
    ]
    compile_package(ROOT)  # measured as installed: see _bytecode.py
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout + 60)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.decode("utf-8", "replace")
    launch = json.loads(measured.read_text(encoding="utf-8"))
    measured.unlink()
    return launch["exit"], seconds, stderr, launch["tree_pss_peak_kb"] / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-share", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--file", type=Path, default=Path("/tmp/cslint-stress-malformed.csv"))
    parser.add_argument("--output", type=Path, default=Path("/tmp/out.json"))
    parser.add_argument("--jobs", type=int, default=None, help="passed to cslint check --jobs")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    written = generate(args.file, args.rows, args.bad_share, args.seed)
    bad = sum(v for k, v in written.items() if k != "good")
    size_mb = args.file.stat().st_size / 1e6
    print(
        f"generated {args.rows:,} rows ({size_mb:.1f} MB) in {time.perf_counter() - t0:.1f} s: "
        f"{bad:,} malformed " + ", ".join(f"{k} {written[k]:,}" for k in KINDS),
        flush=True,
    )
    own_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra = ["--jobs", str(args.jobs)] if args.jobs is not None else []
    code, seconds, stderr, tree_mb = run_cslint(args.file, args.output, extra, args.timeout)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cslint check: exit {code}, wall {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s")
    print(
        f"peak memory of cslint: {tree_mb:,.0f} MB PSS of all its processes, {peak_mb:,.0f} MB "
        f"RSS of the largest (this generator: {own_rss_mb:.0f} MB)"
    )

    failures: list[str] = []
    if code != 2:
        failures.append(f"exit code {code}, expected 2 (input errors)")
    if "Traceback" in stderr:
        failures.append("a traceback on stderr")
    try:
        doc = json.loads(args.output.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        failures.append(f"no JSON report: {exc}")
        doc = None
    if doc is not None:
        summary = doc["summary"]
        errors = doc["input_errors"]
        failed = [f for f in summary["per_file"] if f["failed"]]
        row_errors = [e for e in errors if e["line"] >= 1] if not failed else []
        reasons = Counter(e["reason"].split(" (")[0].split(" '")[0][:40] for e in row_errors)
        print(
            f"rows_read {summary['rows_read']:,}  messages {summary['messages']:,}  "
            f"rejected {summary['rejected']:,}  row input errors {len(row_errors):,}  "
            f"sessions {summary['sessions']:,}  violations {summary['violations']:,}"
        )
        print("rejections by reason: " + ", ".join(f"{r}: {n:,}" for r, n in reasons.most_common()))
        expected = {
            "rows_read": args.rows,
            "rejected": bad,
            "messages": args.rows - bad,
        }
        for key, want in expected.items():
            if summary[key] != want:
                failures.append(f"{key} {summary[key]:,}, expected {want:,}")
        if failed:
            failures.append(f"file-level failure: {errors[:1]}")
        if len(row_errors) != summary["rejected"]:
            failures.append(
                f"{len(row_errors):,} row input errors for {summary['rejected']:,} rejected"
            )
        if summary["rows_read"] != summary["messages"] + summary["rejected"]:
            failures.append("rows_read != messages + rejected")
    if not args.keep:
        args.file.unlink(missing_ok=True)
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print("OK: every count reconciles")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
