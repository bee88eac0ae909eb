"""`just bench [--scale 1,10]`: ingest throughput, compile time, semantic-layer overhead vs
hand-written SQL, dashboard refresh and memory vs the seed's pandas approach, leads export (the
largest tenant and 1M leads). Writes docs/BENCHMARKS.md, docs/benchmarks.json and
docs/benchmarks_growth.png. Figures are medians (and p95 where stated) measured in this run;
the server memory with 1 and 20 sessions comes from the load test's docs/load.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

from tests.bench import baseline, probe
from tests.bench.queries import HAND_SQL, fill
from tests.bench.timing import median_ms, p95, run_json, run_process, times_ms

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".bench"
CLI = str(Path(sys.executable).with_name("campaign-bi"))
SEED = 42
PROBE = [sys.executable, "-m", "tests.bench.probe"]
#: The export benchmark's size: "export of 1M leads".
MILLION = 1_000_000
#: Benchmark exports are audited in the cache folder, not in the real audit log.
_BENCH_AUDIT = {"CAMPAIGN_BI_AUDIT_LOG": str(CACHE / "exports_audit.jsonl")}


def sample_dir(scale: float) -> Path:
    out = CACHE / f"sample-s{scale:g}-seed{SEED}"
    if not (out / "lead_status_changes.csv").exists():
        from semantic.sample import generate

        print(f"generating sample at scale {scale:g}…", flush=True)
        generate(out, scale=scale, seed=SEED)
    return out


def source_rows(src: Path) -> int:
    total = 0
    for name in ("campaigns.csv", "insights.csv", "campaign_leads.csv", "lead_status_changes.csv"):
        with open(src / name, "rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1
    return total


def bench_ingest(scale: float, runs: int) -> dict:
    src = sample_dir(scale)
    db = CACHE / f"warehouse-s{scale:g}.duckdb"
    rows = source_rows(src)
    results = [run_process([CLI, "ingest", str(src), "--db", str(db)]) for _ in range(runs)]
    assert all(code == 0 for _, _, code in results), "ingest failed"
    walls = sorted(r[0] for r in results)
    median = walls[len(walls) // 2]
    return {"source_rows": rows, "runs": runs, "wall_s_median": round(median, 2),
            "rows_per_s": int(rows / median), "peak_rss_mb": max(r[1] for r in results),
            "db": str(db)}


def bench_compile() -> dict:
    from semantic import compiler

    requests = [
        (["spend", "leads", "cpl"], ["project"], {"business_user": [199], "date_from": "2024-07-01",
                                                  "date_to": "2024-07-31"}),
        (["spend", "impressions", "clicks", "ctr", "cpc", "cpm"], ["week"], {}),
        (["leads", "qualification_rate", "speed_to_lead_hours"], ["lead_status"],
         {"project": ["Kings Way"]}),
    ]
    cold, warm = [], []
    for metrics, dims, filters in requests:
        def cold_once(m=metrics, d=dims, f=filters):
            compiler.cache_clear()
            compiler.compile(m, d, f)
        cold.append(median_ms(cold_once, runs=200, warmup=5))
        warm.append(median_ms(lambda m=metrics, d=dims, f=filters: compiler.compile(m, d, f),
                              runs=2000, warmup=5))
    return {"cold_ms_median": round(sorted(cold)[1], 3), "cached_ms_median": round(sorted(warm)[1], 4),
            "requests": len(requests)}


def _top_user(layer) -> int:
    top = layer.query(["spend"], ["business_user"])
    return int(top.sort_values("spend", ascending=False)["business_user"].iloc[0])


def bench_layer_vs_sql(db: str, runs: int) -> dict:
    import duckdb

    import semantic

    layer = semantic.connect(db)
    user = _top_user(layer)
    span = layer.filter_options()
    end = span["date_max"]
    params = {"user": user, "start": (end - dt.timedelta(days=30)).isoformat(), "end": end.isoformat()}
    con = duckdb.connect(db, read_only=True)
    out = {}
    for name, (request, hand) in HAND_SQL.items():
        request = fill(request, params)
        if "business_user" in request["filters"]:
            request["filters"]["business_user"] = [int(v) for v in request["filters"]["business_user"]]
        sql = fill(hand, params)
        ours, theirs = [], []
        for _ in range(runs):  # interleaved so drift hits both alike
            ours += times_ms(lambda r=request: layer.query(**r), 1, warmup=0)
            theirs += times_ms(lambda s=sql: con.sql(s).df(), 1, warmup=0)
        o, t = sorted(ours)[runs // 2], sorted(theirs)[runs // 2]
        out[name] = {"layer_ms": round(o, 2), "hand_sql_ms": round(t, 2), "ratio": round(o / t, 2)}
    layer.close()
    con.close()
    return out


#: The kinds of filter state random_states cycles through, in order.
STATE_KINDS = ("one user", "all users", "three users", "one project")


def random_states(layer, n: int, rng: random.Random):
    """n filter states cycling through STATE_KINDS, each with a random range of 7-365 days and a
    random grain: one business user (half the time one of the 20 biggest), all business users,
    three business users, or one project (of a big business user half the time)."""
    from app.state.store import FilterState

    options = layer.filter_options()
    users, projects = options["business_users"], options["projects"]
    lo, hi = options["date_min"], options["date_max"]
    spend_by_user = layer.query(["spend"], ["business_user"]).sort_values("spend", ascending=False)
    heavy = [int(u) for u in spend_by_user["business_user"].head(20)]
    states = []
    for i in range(n):
        kind = STATE_KINDS[i % len(STATE_KINDS)]
        span = rng.choice([7, 30, 90, 365])
        end = lo + dt.timedelta(days=rng.randint(span, max(span, (hi - lo).days)))
        start = end - dt.timedelta(days=span - 1)
        who, where = (), ()
        if kind == "one user":
            who = (rng.choice(heavy) if rng.random() < 0.5 else rng.choice(users),)
        elif kind == "three users":
            who = tuple(rng.sample(users, 3))
        elif kind == "one project":
            pool = layer.option_matches("project", business_user=[rng.choice(heavy)]) \
                if rng.random() < 0.5 else projects
            where = (rng.choice(pool),)
        states.append((FilterState(business_user=who, project=where, date_from=start,
                                   date_to=end), rng.choice(["day", "week", "month"])))
    return states


def _all_queries(dash, state, grain):
    """Every query the dashboard issues for one state: the views (`compute`) and what a large
    scope defers to a second step (`complete`: alerts, time to first contact)."""
    return dash.complete(dash.compute(state, grain))


def bench_refresh(db: str, src: Path, n_states: int) -> dict:
    import semantic
    from app.state import store

    layer = semantic.connect(db)
    rng = random.Random(7)
    states = random_states(layer, n_states, rng)
    dash = store.DashboardState(layer)
    # The page every session opens first: all it may see, the whole activity span.
    first_page = (dash.filter_state(), dash.grain)
    load_before = os.getloadavg()[0]  # a shared machine: other work slows both sides
    ours, first_answer = [], []
    for state, grain in states:
        store.RESULTS.clear()
        start = time.perf_counter()
        data = dash.compute(state, grain)
        first_answer.append((time.perf_counter() - start) * 1000)
        dash.complete(data)
        ours.append((time.perf_counter() - start) * 1000)
    cached = times_ms(lambda: _all_queries(dash, *states[0]), 20)
    opening = []
    for _ in range(3):
        store.RESULTS.clear()
        start = time.perf_counter()
        data = dash.compute(*first_page)
        middle = time.perf_counter()
        dash.complete(data)
        opening.append(((middle - start) * 1000, (time.perf_counter() - start) * 1000))
    t0 = time.perf_counter()
    frames = baseline.load(src)
    load_s = time.perf_counter() - t0
    theirs = []
    for state, _grain in states:
        start = time.perf_counter()
        baseline.refresh(frames, list(state.business_user) or None,
                         list(state.project) or None,
                         state.date_from.isoformat(), state.date_to.isoformat())
        theirs.append((time.perf_counter() - start) * 1000)
    fp = first_page[0]
    start = time.perf_counter()
    baseline.refresh(frames, None, None, fp.date_from.isoformat(), fp.date_to.isoformat())
    theirs_first = (time.perf_counter() - start) * 1000
    layer.close()
    med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    step = len(STATE_KINDS)
    return {
        "by_kind": {kind: {"states": len(ours[i::step]),
                           "ours_ms_median": round(med(ours[i::step]), 1),
                           "ours_ms_max": round(max(ours[i::step]), 1),
                           "pandas_ms_median": round(med(theirs[i::step]), 1)}
                    for i, kind in enumerate(STATE_KINDS) if ours[i::step]},
        "first_page": {"first_answer_ms_median": round(med([a for a, _ in opening]), 1),
                       "all_queries_ms_median": round(med([b for _, b in opening]), 1),
                       "pandas_ms": round(theirs_first, 1), "runs": len(opening)},
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "states": n_states,
        "ours_ms_median": round(med(ours), 1), "ours_ms_p95": round(p95(ours), 1),
        "ours_first_answer_ms_median": round(med(first_answer), 1),
        "ours_first_answer_ms_p95": round(p95(first_answer), 1),
        "ours_cached_ms_median": round(med(cached), 2),
        "pandas_ms_median": round(med(theirs), 1), "pandas_ms_p95": round(p95(theirs), 1),
        "pandas_csv_load_s": round(load_s, 1),
        "speedup_median": round(med(theirs) / med(ours), 1),
    }


def bench_export(db: str) -> dict:
    """The largest tenant's leads through `campaign-bi export-leads` (whole process), then the
    same and ~1M leads (admin scope) through the export function in a probe process that
    reports each export's own wall time and its peak-RSS growth over the process just before."""
    import semantic

    layer = semantic.connect(db)
    user = _top_user(layer)
    million = million_leads_filters(layer)
    layer.close()
    out = CACHE / "export.csv"
    wall, rss, code = run_process([CLI, "export-leads", "--db", db, "--user", str(user),
                                   "--out", str(out)], env=_BENCH_AUDIT)
    rows = sum(1 for _ in open(out, encoding="utf-8")) - 1 if code == 0 else 0
    out.unlink(missing_ok=True)
    span = {k: million[k] for k in ("date_from", "date_to") if million[k]}
    calls = _export_probe(db, {"tenant": {"business_user": [user]}, "million": span})
    return {"business_user": user, "rows": rows, "wall_s": round(wall, 2), "peak_rss_mb": rss,
            "exit_code": code, "tenant_call": calls.get("tenant", calls),
            "million": {**calls.get("million", calls), **million}}


def million_leads_filters(layer) -> dict:
    """The shortest date range from the first day that holds at least MILLION leads (admin
    scope, no other filter); all leads (no range) when the warehouse holds fewer."""
    days = layer.sql("SELECT added_day AS day, count(*) AS n FROM core.leads "
                     "GROUP BY added_day ORDER BY added_day")
    total = int(days["n"].sum())
    if total <= MILLION:
        return {"scope": "all leads", "date_from": None, "date_to": None, "leads_total": total}
    reached = days[days["n"].cumsum() >= MILLION].iloc[0]
    return {"scope": "date range", "date_from": str(days["day"].iloc[0])[:10],
            "date_to": str(reached["day"])[:10], "leads_total": total}


def _export_probe(db: str, jobs: dict[str, dict]) -> dict:
    """{job name: figures} from one probe process; {"exit_code": n} when it failed."""
    out = CACHE / "export-probe.csv"
    wall, rss, code, measured = run_json(
        [*PROBE, "exports", db, str(out), json.dumps(jobs)], env=_BENCH_AUDIT)
    out.unlink(missing_ok=True)
    if measured is None:
        return {"exit_code": code}
    return {name: {"rows": m["rows"], "call_s": round(m["wall_s"], 2),
                   "cpu_s": round(m["cpu_s"], 2), "rss_before_mb": m["rss_before_mb"],
                   "peak_mb": m["peak_mb"], "growth_mb": m["growth_mb"], "bytes": m["bytes"],
                   "own_peak": m["own_peak"], "process_s": round(wall, 2),
                   "process_peak_mb": rss, "exit_code": code}
            for name, m in measured.items()}


def bench_memory(db: str, src: Path, n_states: int) -> dict:
    """Memory for the same random filter states, each side in a fresh process: ours = the
    semantic layer opened and every state's dashboard data computed (what a server process adds
    for the data); pandas = the four CSVs loaded into DataFrames and every state's views."""
    import semantic

    layer = semantic.connect(db)
    states = random_states(layer, n_states, random.Random(7))
    layer.close()
    path = CACHE / "states.json"
    probe.write_states(path, states)
    out = {}
    for side, source in (("ours", db), ("pandas", str(src))):
        wall, rss, code, measured = run_json([*PROBE, side, source, str(path)])
        out[side] = {**(measured or {}), "process_peak_mb": rss, "exit_code": code}
    path.unlink(missing_ok=True)
    return out


def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb
    import panel

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "panel": panel.__version__, "date": dt.date.today().isoformat()}


_START = time.perf_counter()


def step(what: str) -> None:
    """Progress with the time so far (`--scale 1` should take under a minute)."""
    print(f"[{time.perf_counter() - _START:5.1f} s] {what}…", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="1,10", help="comma-separated scales, e.g. 1,10,100")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs per scale")
    parser.add_argument("--states", type=int, default=30, help="random filter states")
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scale.split(",")]
    CACHE.mkdir(exist_ok=True)
    report = {"machine": machine(), "scales": {}}
    report["compile"] = bench_compile()
    for scale in scales:
        step(f"scale {scale:g}: ingest")
        entry = {"ingest": bench_ingest(scale, args.runs)}
        db = entry["ingest"]["db"]
        step(f"scale {scale:g}: semantic layer vs hand-written SQL")
        entry["layer_vs_sql"] = bench_layer_vs_sql(db, runs=21)
        step(f"scale {scale:g}: dashboard refresh vs pandas")
        entry["refresh"] = bench_refresh(db, sample_dir(scale), args.states)
        step(f"scale {scale:g}: memory, ours vs pandas")
        entry["memory"] = bench_memory(db, sample_dir(scale), args.states)
        step(f"scale {scale:g}: export")
        entry["export"] = bench_export(db)
        report["scales"][f"{scale:g}"] = entry
    from tests.bench.report import write

    write(report, ROOT / "docs")
    print(f"[{time.perf_counter() - _START:5.1f} s] wrote docs/BENCHMARKS.md, "
          "docs/benchmarks.json and docs/benchmarks_growth.png", flush=True)
    print((ROOT / "docs" / "BENCHMARKS.md").read_text())


if __name__ == "__main__":
    main()
