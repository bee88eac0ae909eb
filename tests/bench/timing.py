"""Small timing helpers for the benchmark suite (not used by tests)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 1) -> float:
    return statistics.median(times_ms(fn, runs, warmup))


def times_ms(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run_process(args: list[str], env: dict | None = None) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, peak RSS in MB of the child, exit code)."""
    wall, rss, code, _ = _launched(args, env, capture=False)
    return wall, rss, code


def run_json(args: list[str], env: dict | None = None) -> tuple[float, int, int, dict | None]:
    """Run a command that prints one JSON object last; return (wall seconds, peak RSS in MB of
    the child, exit code, the object or None)."""
    wall, rss, code, out = _launched(args, env, capture=True)
    lines = out.decode("utf-8", "replace").strip().splitlines()
    parsed = json.loads(lines[-1]) if code == 0 and lines else None
    return wall, rss, code, parsed


def _launched(args: list[str], env: dict | None, capture: bool) -> tuple[float, int, int, bytes]:
    """Run `args` through tests.bench.peak, whose fork gives the child an honest peak RSS
    (see there); the wall time is the child's, measured by the launcher."""
    with tempfile.TemporaryDirectory(prefix="bench-peak-") as tmp:
        result = Path(tmp) / "result.json"
        launcher = [sys.executable, "-m", "tests.bench.peak", str(result), *args]
        proc = subprocess.run(launcher, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                              check=False, cwd=Path(__file__).resolve().parents[2])
        if not result.exists():
            return 0.0, 0, proc.returncode, b""
        measured = json.loads(result.read_text())
    return (measured["wall_s"], measured["peak_rss_mb"], measured["exit_code"],
            proc.stdout or b"")
