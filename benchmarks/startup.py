"""Start-up times of the commands a pre-commit hook or CI step runs.

Times (median of ``--runs`` fresh subprocesses each):

- ``python -c pass`` (the interpreter alone) and ``python -c "import click"``
  (the CLI framework), for reference;
- ``cslint --help``;
- ``cslint rules``;
- ``cslint phrases LIB`` on a generated 500-phrase library (``.txt``), if the
  command exists in the checkout;

then lists which heavy modules each command imported (pandas, jieba, opencc,
ahocorasick, openpyxl) and prints the top imports of ``python -X importtime
-m cslint --help`` by cumulative time.

    python benchmarks/startup.py
    python benchmarks/startup.py --cslint-path /tmp/cslint-snap --runs 9
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _bytecode import compile_package  # this folder: scripts run as `python benchmarks/…`

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HEAVY = ("pandas", "numpy", "jieba", "opencc", "ahocorasick", "openpyxl", "xlsxwriter")


def phrase_library(path: Path, n: int = 500, seed: int = 1) -> Path:
    """A shop's canned replies (快捷短语): ``n`` phrases, a few of them breaking rules."""
    sys.path.insert(0, str(HERE))
    import generate as g

    rng = random.Random(seed)
    tm = g.TextMaker(rng)
    lines = ["# 快捷短语（千牛 → 快捷短语 → 导出），benchmarks/startup.py 生成", ""]
    seen: set[str] = set()
    pools = [
        g.AGENT_GREETING,
        g.AGENT_ANSWER,
        g.AGENT_ANSWER,
        g.AGENT_ANSWER,
        g.AGENT_CLOSING,
        g.AGENT_SHORT,
    ]
    while len(seen) < n:
        shop = rng.choice(g.SHOPS)
        slots = tm.slots(shop, rng.choice(shop.agents), "{买家}")
        if rng.random() < 0.05:
            text = tm.fill(rng.choice(g.AGENT_VIOLATION), slots)
        else:
            text = tm.decorate(tm.fill(rng.choice(rng.choice(pools)), slots), slots)
        text = text.replace("\n", " ")
        if text in seen:
            continue
        seen.add(text)
        if len(seen) % 50 == 1:
            lines += ["", f"# ---- 分组 {len(seen) // 50 + 1} ----"]
        lines.append(text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode, proc.stderr


def imported_heavy(cmd: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    """The heavy top-level packages that ``cmd`` (a ``python -m cslint …`` command) imports."""
    full = [cmd[0], "-X", "importtime", *cmd[1:]]
    err = subprocess.run(full, env=env, cwd=cwd, capture_output=True, text=True).stderr
    found = set()
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+\s+\|\s+\d+\s+\|(\s*)(\S+)", line)
        if m and m.group(2).split(".")[0] in HEAVY:
            found.add(m.group(2).split(".")[0])
    return sorted(found)


def importtime_top(cmd: list[str], env: dict[str, str], cwd: Path, top: int) -> list[str]:
    full = [cmd[0], "-X", "importtime", *cmd[1:]]
    err = subprocess.run(full, env=env, cwd=cwd, capture_output=True, text=True).stderr
    rows = []
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            rows.append((int(m.group(2)), int(m.group(1)), depth, m.group(4)))
    rows.sort(reverse=True)
    out = [f"{'cumulative ms':>13s} {'self ms':>8s}  module (depth)"]
    for cum, self_us, depth, name in rows[:top]:
        out.append(f"{cum / 1000:13.1f} {self_us / 1000:8.1f}  {name} ({depth})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cslint-path", type=Path, default=REPO)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/cslint-bench"))
    ap.add_argument("--top", type=int, default=20, help="importtime rows to print")
    args = ap.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    compile_package(args.cslint_path.resolve())  # measured as installed: see _bytecode.py
    env = dict(os.environ)
    env["PYTHONPATH"] = str(args.cslint_path.resolve())
    cwd = args.data_dir
    lib = phrase_library(args.data_dir / "phrases-500.txt")
    py = sys.executable
    cslint = [py, "-m", "cslint"]
    has_phrases = timed([*cslint, "phrases", "--help"], env, cwd)[1] == 0
    commands: list[tuple[str, list[str]]] = [
        ("python -c pass", [py, "-c", "pass"]),
        ("python -c 'import click'", [py, "-c", "import click"]),
        ("cslint --help", [*cslint, "--help"]),
        ("cslint rules", [*cslint, "rules", "--isolated"]),
    ]
    if has_phrases:
        commands.append(
            (f"cslint phrases {lib.name} (500)", [*cslint, "phrases", str(lib), "--isolated"])
        )
    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    codes: dict[str, int] = {}
    for _ in range(args.runs):  # interleaved, like run.py
        for name, cmd in commands:
            secs, code, err = timed(cmd, env, cwd)
            times[name].append(secs)
            codes[name] = code
            if code not in (0, 1):
                print(f"{name}: exit {code}\n{err[-1500:]}", file=sys.stderr)
    print(f"cslint from {args.cslint_path}; median of {args.runs} runs")
    print(f"{'command':34s} {'median s':>9s} {'min s':>7s} {'exit':>5s}  heavy imports")
    for name, cmd in commands:
        heavy = ", ".join(imported_heavy(cmd, env, cwd)) if name.startswith("cslint") else ""
        print(
            f"{name:34s} {statistics.median(times[name]):9.3f} {min(times[name]):7.3f} "
            f"{codes[name]:5d}  {heavy or '-'}"
        )
    if not has_phrases:
        print("cslint phrases: no such command in this checkout (skipped)")
    print(f"\npython -X importtime -m cslint --help, top {args.top} by cumulative time:")
    print("\n".join(importtime_top([*cslint, "--help"], env, cwd, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
