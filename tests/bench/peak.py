"""`python -m tests.bench.peak RESULT.json CMD...`: run CMD, then write its wall time, exit code
and peak resident set to RESULT.json.

Why a launcher: on Linux a child's ru_maxrss starts at the resident set of the process that
forked it (exec keeps the old memory's high-water mark), so a command started straight from the
benchmark process (gigabytes once the pandas frames were loaded at scale 100) reported the
benchmark's size: 2.9 GB for an export that used 200 MB. Forked from this small process
instead, a child's peak starts at this process's ~10 MB.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    result_path, cmd = argv[0], argv[1:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the command
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(result_path, "w", encoding="utf-8") as out:
        json.dump({"wall_s": wall, "peak_rss_mb": usage.ru_maxrss // 1024, "exit_code": code},
                  out)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
