"""Run one command and report its wall time and its own peak RSS.

    python benchmarks/_launch.py RESULT.json TIMEOUT_S -- CMD ARGS...

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the RSS of the
process it was forked from (the high-water mark survives ``exec``), so a child
of the benchmark driver, which holds parsed reports, would inherit the
driver's size. This launcher is a bare interpreter (~10 MB), so the figure it
reports is the command's own. stdin/stdout/stderr are passed through.
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    result_path, timeout = sys.argv[1], float(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1 :]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    timed_out = False
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
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
