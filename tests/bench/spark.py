"""`just bench-spark [--scales 1,10] [--runs 5]`: the same requests on DuckDB and on local Spark.

For each scale: the cached sample export (tests/bench/run.py) ingested into a warehouse of this
benchmark's own, exported as a lake (`campaign-bi export-parquet`, timed), then each request of
REQUESTS answered by the DuckDB layer and by the Spark layer (`local[2]`, the engine's
defaults) — checked equal (tests/spark/spark_requests.py) and timed, median of `--runs` after
one warm-up run. Also the Spark session's start and the lake's registration. Writes
docs/spark_benchmark.json and the benchmark section of docs/SPARK.md.

    .venv/bin/python -m tests.bench.spark --scales 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.run import CACHE, ROOT, machine, sample_dir

RESULT = ROOT / "docs" / "spark_benchmark.json"
DOC = ROOT / "docs" / "SPARK.md"
START, END = "<!-- spark-benchmark:start -->", "<!-- spark-benchmark:end -->"

#: what a dashboard and an analyst ask, over every fact; "TENANT" is the business user with
#: the most leads
REQUESTS = {
    "KPIs, all time": dict(metrics=["spend", "leads", "cpl", "qualified_leads",
                                    "qualification_rate", "budget_utilization"]),
    "spend, leads, CPL by week": dict(metrics=["spend", "leads", "cpl"], dimensions=["week"]),
    "campaign table (page of 25, counted)": dict(
        metrics=["spend", "impressions", "clicks", "ctr", "leads", "cpl"],
        dimensions=["campaign"], order_by=["-spend"], limit=25, count=True),
    "projects in a quarter": dict(metrics=["spend", "leads", "cpl", "cost_per_qualified_lead"],
                                  dimensions=["project"],
                                  filters={"date_from": "2025-01-01", "date_to": "2025-03-31"}),
    "funnel by stage and month": dict(metrics=["leads", "status_changes", "contact_rate"],
                                      dimensions=["month", "stage"]),
    "median time to contact by month": dict(metrics=["leads", "speed_to_lead_hours"],
                                            dimensions=["month"]),
    "lead_status filter by campaign": dict(
        metrics=["spend", "leads", "cpl"], dimensions=["campaign"],
        filters={"lead_status": ["QUALIFIED", "DONE_DEAL"]}),
    "one tenant by day": dict(metrics=["spend", "leads", "budget", "cpl"], dimensions=["day"],
                              tenant="TENANT"),
}


def warehouse(scale: float) -> Path:
    """This benchmark's own warehouse of the scale (other benchmarks rebuild theirs): a copy of
    `just bench`'s when there is one (the same sample), else the sample ingested."""
    db = CACHE / f"spark-bench-warehouse-s{scale:g}.duckdb"
    if not db.exists():
        theirs = CACHE / f"warehouse-s{scale:g}.duckdb"
        if theirs.exists():
            shutil.copyfile(theirs, db)
        else:
            from semantic.builder.ingest import ingest

            print(f"ingesting the sample at scale {scale:g}…", flush=True)
            ingest(sample_dir(scale), db)
    return db


def timed(fn, runs: int) -> tuple[float, object]:
    result = fn()  # warm-up (Spark: plans and JIT; DuckDB: file pages)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def bench(scale: float, runs: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "spark"))
    from spark_requests import assert_same

    import semantic
    from semantic.builder.lake import export_parquet
    from semantic.runtime import spark as engine

    db = warehouse(scale)
    lake = CACHE / f"spark-bench-lake-s{scale:g}"
    start = time.perf_counter()
    manifest = export_parquet(db, lake)
    export_s = time.perf_counter() - start
    lake_mb = sum(p.stat().st_size for p in lake.rglob("*") if p.is_file()) / 2**20

    started = engine._local is None
    start = time.perf_counter()
    engine.local_session()
    session_s = time.perf_counter() - start
    start = time.perf_counter()
    spark = semantic.connect(engine="spark", lake=lake)
    register_s = time.perf_counter() - start
    duck = semantic.connect(db)
    users = duck.query(["leads"], ["business_user"], order_by=["-leads"], limit=1)
    tenant = int(users["business_user"].iloc[0])
    rows = []
    try:
        for name, request in REQUESTS.items():
            request = {**request, "tenant": tenant} if request.get("tenant") else request
            start = time.perf_counter()
            spark.query(**request)
            first_ms = (time.perf_counter() - start) * 1000
            duck_ms, want = timed(lambda r=request: duck.query(**r), runs)
            spark_ms, got = timed(lambda r=request: spark.query(**r), runs)
            assert_same(want, got, request)  # the same answer, to the cent
            rows.append({"request": name, "rows": len(want), "duckdb_ms": round(duck_ms, 1),
                         "spark_ms": round(spark_ms, 1), "spark_first_ms": round(first_ms, 1),
                         "spark_over_duckdb": round(spark_ms / duck_ms, 1)})
            print(f"  {name:<40} DuckDB {duck_ms:8.1f} ms   Spark {spark_ms:8.1f} ms", flush=True)
    finally:
        spark.close()
        duck.close()
    return {"scale": scale, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "runs": runs, "warehouse_mb": round(db.stat().st_size / 2**20, 1),
            "lake_mb": round(lake_mb, 1), "export_s": round(export_s, 2),
            "table_rows": {n: t["rows"] for n, t in manifest["tables"].items()},
            "spark_session_start_s": round(session_s, 1) if started else None,
            "lake_registration_s": round(register_s, 2), "requests": rows,
            "median_duckdb_ms": round(statistics.median(r["duckdb_ms"] for r in rows), 1),
            "median_spark_ms": round(statistics.median(r["spark_ms"] for r in rows), 1)}


def java_version() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
        return out.stderr.splitlines()[0] if out.stderr else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "missing"


def render(result: dict) -> str:
    m = result["machine"]
    timed_rows = [r for s in result["scales"] for r in s["requests"]]
    slower, total = sum(r["spark_ms"] > r["duckdb_ms"] for r in timed_rows), len(timed_rows)
    lines = [
        START,
        "## Benchmark: DuckDB and local Spark",
        "",
        f"Measured by `just bench-spark` (tests/bench/spark.py; last run {result['date']}) on "
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gb']} GiB, Python {m['python']}, "
        f"DuckDB {m['duckdb']}, PySpark {result['pyspark']} on {result['java']}; Spark "
        "`local[2]` with the engine's defaults (4 shuffle partitions). Each figure is the "
        "median of the runs stated per scale, after a warm-up run, in one process, the answers "
        "checked equal to the cent (\"first run\": the request's first Spark run, its plan "
        "not warm). Raw figures: docs/spark_benchmark.json.",
        "",
        f"Local Spark on {m['cores']} cores is slower than DuckDB for {slower} of {total} "
        "timed requests: each Spark query pays for parsing and planning, scheduling its "
        "stages and moving rows between tasks and the Python process, a fixed cost that "
        "DuckDB, in process, does not have. Spark is the engine for data that outgrows one "
        "machine; these figures only show what the same answers cost on one.",
        "",
    ]
    for s in result["scales"]:
        leads = s["table_rows"].get("core.leads", 0)
        start = (f"session start {s['spark_session_start_s']} s, "
                 if s["spark_session_start_s"] is not None else "")
        lines += [
            f"### Scale {s['scale']:g} ({leads:,} leads; warehouse {s['warehouse_mb']} MB, "
            f"lake {s['lake_mb']} MB)",
            "",
            f"Measured {s.get('date', result['date'])}, median of {s['runs']} runs. Lake "
            f"export {s['export_s']} s; Spark {start}lake registration "
            f"{s['lake_registration_s']} s.",
            "",
            "| request | rows | DuckDB ms | Spark ms | Spark first run ms | Spark / DuckDB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [f"| {r['request']} | {r['rows']:,} | {r['duckdb_ms']:,.1f} | "
                  f"{r['spark_ms']:,.1f} | {r['spark_first_ms']:,.1f} | "
                  f"{r['spark_over_duckdb']:,.1f}× |" for r in s["requests"]]
        lines += ["", f"Median over the requests: DuckDB {s['median_duckdb_ms']} ms, Spark "
                      f"{s['median_spark_ms']} ms.", ""]
    lines.append(END)
    return "\n".join(lines)


def write_doc(result: dict) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    section = render(result)
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, text,
                      flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated sample scales")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    import pyspark

    from semantic.runtime.spark import java_missing, stop_local

    reason = java_missing()
    if reason:
        raise SystemExit(reason)
    CACHE.mkdir(exist_ok=True)
    scales = []
    try:
        for scale in (float(s) for s in args.scales.split(",")):
            print(f"scale {scale:g}:", flush=True)
            scales.append(bench(scale, args.runs))
    finally:
        stop_local()
    # scales not measured in this run keep their last figures
    kept = json.loads(RESULT.read_text())["scales"] if RESULT.exists() else []
    measured = {s["scale"] for s in scales}
    scales = sorted([*(s for s in kept if s["scale"] not in measured), *scales],
                    key=lambda s: s["scale"])
    result = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), "pyspark": pyspark.__version__, "java": java_version(),
              "scales": scales}
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_doc(result)
    print(f"wrote {RESULT.relative_to(ROOT)} and the benchmark section of "
          f"{DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
