"""Run one command and report its wall time and its own peak RSS.

    python benchmarks/_launch.py RESULT.json TIMEOUT_S -- CMD ARGS...

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the RSS of the
process it was forked from (the high-water mark survives ``exec``), so a child
of the benchmark driver, which holds parsed reports, would inherit the
driver's size. This launcher is a bare interpreter (~10 MB), so the figure it
reports is the command's own. stdin/stdout/stderr are passed through.

``maxrss_kb`` is the largest single process (wait4 reports the command's own
high-water mark and its reaped children's, not their sum). A command that
forks workers (``cslint check --jobs N``) holds several at once, so the
launcher also samples, every 50 ms, the proportional set size (PSS: shared
pages split between the processes sharing them) of the command and all its
descendants, and reports the largest sum as ``tree_pss_peak_kb``.
"""

import json
import os
import subprocess
import sys
import time

SAMPLE_EVERY_S = 0.05


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass  # gone, or no children file on this kernel
    return found


def _tree_pss_kb(pid: int) -> int:
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def main() -> int:
    result_path, timeout = sys.argv[1], float(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1 :]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    timed_out = False
    deadline = start + timeout
    tree_peak = 0
    next_sample = start
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if now >= next_sample:
            tree_peak = max(tree_peak, _tree_pss_kb(proc.pid))
            next_sample = now + SAMPLE_EVERY_S
        if time.perf_counter() > deadline:
            proc.kill()
            timed_out = True
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    with open(result_path, "w") as fh:
        json.dump(
            {
                "wall_s": wall,
                "maxrss_kb": usage.ru_maxrss,
                "tree_pss_peak_kb": tree_peak,
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
                "exit": code,
                "timed_out": timed_out,
            },
            fh,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
