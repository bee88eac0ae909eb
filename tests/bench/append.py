"""`just bench-append [--scale 100] [--runs 3]`: a daily export merged into the warehouse.

Splits the cached sample export of the scale into a base export and its last day
(semantic/sample/deltas.py), ingests the base once, then times `campaign-bi ingest DAY --append`
as a whole process on a fresh copy of that base warehouse per run, beside the median full
ingest of the base. Writes docs/append_benchmark.json and re-renders docs/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import report
from tests.bench.run import CACHE, CLI, ROOT, machine, sample_dir
from tests.bench.timing import run_process

RESULT = "append_benchmark.json"


def bench(scale: float, runs: int) -> dict:
    from semantic.sample.deltas import split_by_day

    split = CACHE / f"split-s{scale:g}"
    if not (split / "base").is_dir():
        split_by_day(sample_dir(scale), split, days=1)
    day = sorted(p for p in split.iterdir() if p.name != "base")[-1]
    base_db = CACHE / f"append-base-s{scale:g}.duckdb"
    fulls = [run_process([CLI, "ingest", str(split / "base"), "--db", str(base_db)])
             for _ in range(runs)]
    assert all(code == 0 for _, _, code in fulls), "full ingest failed"
    work = CACHE / f"append-work-s{scale:g}.duckdb"
    appends = []
    for _ in range(runs):
        shutil.copyfile(base_db, work)
        os.sync()  # a daily append finds its warehouse on disk, not 1 GB of unwritten pages
        appends.append(run_process([CLI, "ingest", str(day), "--db", str(work), "--append"]))
    assert all(code == 0 for _, _, code in appends), "append failed"
    full = sorted(w for w, _, _ in fulls)[runs // 2]
    append = sorted(w for w, _, _ in appends)[runs // 2]
    day_rows = sum(sum(1 for _ in f.open()) - 1 for f in day.glob("*.csv"))
    return {"scale": scale, "runs": runs, "day": day.name, "day_rows": day_rows,
            "full_ingest_s_median": round(full, 2), "append_s_median": round(append, 2),
            "append_s_all": [round(w, 2) for w, _, _ in appends],
            "ratio": round(append / full, 3), "peak_rss_mb": max(r for _, r, _ in appends),
            "while_serving": while_serving(day, base_db, work)}


def while_serving(day: Path, base_db: Path, work: Path, quiet_s: float = 6.0) -> dict:
    """One more append while a dashboard process refreshes its data from the warehouse in a
    loop (tests/bench/append_reader.py): its refresh times before and during the append, its
    errors, and whether it answered from the appended data afterwards."""
    shutil.copyfile(base_db, work)
    os.sync()
    with tempfile.TemporaryDirectory(prefix="bench-append-") as tmp:
        stop, out = Path(tmp) / "stop", Path(tmp) / "refreshes.jsonl"
        reader = subprocess.Popen([sys.executable, "-m", "tests.bench.append_reader", str(work),
                                   str(stop), str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                                  text=True)
        assert reader.stdout.readline().strip() == "ready", "the reader did not start"
        time.sleep(quiet_s)
        began = time.time()
        wall, _, code = run_process([CLI, "ingest", str(day), "--db", str(work), "--append"])
        ended = time.time()
        time.sleep(quiet_s / 2)
        stop.touch()
        reader.wait(timeout=120)
        refreshes = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 0, "append failed"

    def summary(rows: list[dict]) -> dict:
        ms = sorted(r["ms"] for r in rows)
        if not ms:
            return {"refreshes": 0}
        return {"refreshes": len(ms), "median_ms": round(statistics.median(ms), 1),
                "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
                "max_ms": round(ms[-1], 1)}

    before = [r for r in refreshes if r["t"] < began]
    during = [r for r in refreshes if began <= r["t"] - r["ms"] / 1000 and r["t"] <= ended]
    after = [r for r in refreshes if r["t"] - r["ms"] / 1000 > ended]
    return {"append_s": round(wall, 2), "before": summary(before), "during": summary(during),
            "errors": sum(1 for r in refreshes if r["error"]),
            "first_error": next((r["error"] for r in refreshes if r["error"]), None),
            "slowest_during_at_s": round(max(during, key=lambda r: r["ms"])["t"] - began, 2)
            if during else None,
            "new_version_first_ms": next((round(r["ms"], 1) for r in refreshes
                                          if r["version"] != before[0]["version"]), None),
            "new_data_seen_after": bool(after) and after[-1]["version"] != before[0]["version"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    result = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), **bench(args.scale, args.runs)}
    (ROOT / "docs" / RESULT).write_text(json.dumps(result, indent=2) + "\n")
    report.rerender(ROOT / "docs")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
