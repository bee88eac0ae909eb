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
            "ratio": round(append / full, 3), "peak_rss_mb": max(r for _, r, _ in appends)}


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
