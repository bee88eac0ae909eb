"""Memory probes run by the benchmark in a fresh process each, so one measurement's allocations
(DuckDB's buffer pool, pandas' frames, Python's allocator) never inflate another's.

    python -m tests.bench.probe exports DB OUT JOBS  (JOBS: JSON {name: export filters})
    python -m tests.bench.probe ours DB STATES.json
    python -m tests.bench.probe pandas SRC STATES.json

Each prints one JSON object. `rss_before_mb` is the resident set after imports (and, for the
export, after opening the semantic layer), just before the measured work; `peak_mb` is the
process's peak resident set (VmHWM) after it; `growth_mb` = peak − before: what the work
itself added at its worst moment. STATES.json: a list of [business users, first day, last day,
grain] as written by `write_states`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

#: The export bound for benchmark exports: above any scale's lead count.
NO_BOUND = "1000000000"


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_mb() -> float:
    """Current resident set of this process in MB (VmRSS)."""
    return _status_mb("VmRSS")


def peak_mb() -> float:
    """Peak resident set of this process since it started (VmHWM). Not ru_maxrss: that starts
    at the size of the process that forked this one (see tests/bench/peak.py)."""
    return _status_mb("VmHWM")


def _cpu_s() -> float:
    """CPU seconds this process has used (all threads): on a shared machine the wall time
    also counts waiting for a core, this does not."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measured(work) -> dict:
    before, cpu = rss_mb(), _cpu_s()
    start = time.perf_counter()
    result = work()
    wall = time.perf_counter() - start
    peak = peak_mb()
    return {"result": result, "wall_s": round(wall, 3), "cpu_s": round(_cpu_s() - cpu, 3),
            "rss_before_mb": round(before), "peak_mb": round(peak),
            "growth_mb": round(peak - before), "rss_after_mb": round(rss_mb())}


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs), so that each of several
    measurements in one process gets its own peak; False where the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def probe_exports(db: str, out: str, jobs: dict[str, dict]) -> dict:
    """Each job's export (admin scope, bound lifted) in turn, with the peak reset in between;
    one process for all, since start-up (imports, opening the layer) is not what is measured."""
    import semantic
    from semantic.access.export import export_leads

    os.environ["CAMPAIGN_BI_EXPORT_MAX_ROWS"] = NO_BOUND  # admin scope: measure, never refuse
    layer = semantic.connect(db)
    results = {}
    try:
        for name, filters in jobs.items():
            own_peak = reset_peak()  # without it a later job's peak may be an earlier one's
            measured = _measured(lambda f=filters: export_leads(layer, out, f, None,
                                                                actor="bench"))
            measured["rows"] = measured.pop("result")
            measured["bytes"] = Path(out).stat().st_size
            measured["own_peak"] = own_peak
            Path(out).unlink()
            results[name] = measured
    finally:
        layer.close()
    return results


def read_states(path: str) -> list[tuple[list[int], dt.date, dt.date, str]]:
    return [(users, dt.date.fromisoformat(lo), dt.date.fromisoformat(hi), grain)
            for users, lo, hi, grain in json.loads(Path(path).read_text())]


def write_states(path: Path, states) -> None:
    """`states` as produced by run.random_states: (FilterState, grain) pairs."""
    path.write_text(json.dumps([[list(s.business_user), s.date_from.isoformat(),
                                 s.date_to.isoformat(), grain] for s, grain in states]))


def probe_ours(db: str, states_path: str) -> dict:
    """The layer opened and every state's dashboard data computed (cache kept, as a server
    keeps it): the memory one server process needs for the data side of the dashboard."""
    import semantic
    from app.state import store

    states = read_states(states_path)

    def work():
        layer = semantic.connect(db)
        dash = store.DashboardState(layer)
        for users, lo, hi, grain in states:
            dash.compute(store.FilterState(business_user=tuple(users), date_from=lo,
                                           date_to=hi), grain)
        return len(states)

    return _measured(work)


def probe_pandas(src: str, states_path: str) -> dict:
    """The seed's approach: the four CSVs loaded into DataFrames, then every state's views."""
    from tests.bench import baseline

    states = read_states(states_path)
    holder: dict = {}

    def load():
        holder["frames"] = baseline.load(Path(src))

    loaded = _measured(load)

    def work():
        for users, lo, hi, _grain in states:
            baseline.refresh(holder["frames"], users or None, None, lo.isoformat(),
                             hi.isoformat())
        return len(states)

    measured = _measured(work)
    # growth over the process before the CSVs were read: frames plus the refreshes' temporaries
    measured["growth_mb"] = round(measured["peak_mb"] - loaded["rss_before_mb"])
    measured["rss_before_mb"] = loaded["rss_before_mb"]
    measured["load_growth_mb"] = loaded["growth_mb"]
    measured["frames_resident_mb"] = round(loaded["rss_after_mb"] - loaded["rss_before_mb"])
    return measured


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode", required=True)
    exports = sub.add_parser("exports")
    exports.add_argument("db")
    exports.add_argument("out")
    exports.add_argument("jobs", type=json.loads)
    for mode, source in (("ours", "db"), ("pandas", "src")):
        p = sub.add_parser(mode)
        p.add_argument(source)
        p.add_argument("states")
    args = parser.parse_args(argv)
    if args.mode == "exports":
        out = probe_exports(args.db, args.out, args.jobs)
    elif args.mode == "ours":
        out = probe_ours(args.db, args.states)
    else:
        out = probe_pandas(args.src, args.states)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
