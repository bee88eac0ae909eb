"""Figures of a load-test run: percentiles, the machine, and the docs/LOAD.md section (replaced
between its markers on every run, so the file keeps the latest measured figures)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

BEGIN, END = "<!-- load-test:begin -->", "<!-- load-test:end -->"
HEADER = """# Load test

`just load` (`.venv/bin/python -m tests.load.run`) serves the dashboard with `panel serve` on a
free 127.0.0.1 port, opens concurrent dashboard sessions, has each change filters (date quick
picks, campaign search, projects, tabs, reset) with a few seconds of think time for a bounded
time, and measures: errors (must be 0), refresh latency (server side: a filter change to every
view updated, timed inside the server by `tests/load/instrument.py`; client side: the action to
the last websocket frame of the answer), and the server's resident memory at baseline, with 1
and with all sessions, and after the sessions closed (twice: a per-session leak would grow the
second figure).

**Two kinds of session.** `--browsers N` of them (default 4) are real pages in headless
Chromium (Playwright): they catch what only a browser sees — page errors, console errors,
requests off the machine, a page that cannot apply what the server sends. The others speak
Bokeh's websocket protocol without a browser (`tests/load/protocol.py`, `bokeh.client`): each
holds its own server session, announces its page as rendered as BokehJS does, clicks the same
buttons (ButtonClick events) and sets the same widgets, and receives and applies the same
patches; the server cannot tell them from a page, so it does all of its per-session work. Why
not 20 browsers: on a 2-core machine 20 Chromium pages used 1.6 of the 2 cores to render and the
server got 0.3–0.4 of a core — the test measured the browsers (page open p50 21 s, 22 steps
timed out; run of 2026-11-25 01:05 UTC, `--browsers 20`). Everything runs on one machine: the
driver and its browsers at nice 19, so the server gets the CPU it asks for; the table shows how
many cores each used, and client figures (which include the driver's and the browsers' own work)
are upper bounds of what a user on another machine would wait.

Run it with `just load` (defaults: 20 sessions × 60 s × 2 rounds, about 5 minutes, saturates a
2-core machine) or smaller while iterating, e.g. `just load --sessions 4 --seconds 20`. It writes
the section below (replaced on every run), `docs/load.json` (the same figures machine-readable:
server RSS at baseline, with 1 and with all sessions, peak and after close per round; server- and
client-side refresh p50/p95; errors; date; machine; a figure that was not measured is absent)
and re-renders `docs/BENCHMARKS.md`, whose load section reads it. `--no-doc` prints instead of
writing, `--keep` keeps the work folder (server log, probe events, `result.json`). Exit code 0
only with no errors and every dashboard store freed after each round. Sessions are dropped
15 s after their page closed (Bokeh's default `--unused-session-lifetime`, as in production).
With `CAMPAIGN_BI_LOAD_DEBUG=1`: the chain of references from a module to a store that survived
its session goes to `events.jsonl.referrers` in the work folder (with `--keep`), and the
websocket frames around a page error and any patch a protocol session could not apply go to
`load-page-errors.txt` and `load-patch-errors.txt` in the temporary folder. Regular tests guard
what this test found, each in under a minute: `tests/app/serving/test_sessions_end_with_their_page.py` (a closed session's
store is freed), `tests/browser/test_browser_offline.py` (no request leaves the machine, also for a
session Bokeh rebuilds when a slow page's websocket connects late),
`tests/app/views/test_loading_spinner.py` (the spinner never marks content a refresh replaces: the page
failed with "reference … isn't known") and `tests/load/test_load_protocol.py` (a protocol session drives the server like a
page and gets the right numbers).

"""


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def ms(values: list[float], q: float) -> str:
    value = percentile(values, q)
    return "–" if math.isnan(value) else f"{value * 1000:,.0f} ms"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, TypeError):
        memory = "unknown"
    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True,
                             text=True, timeout=30, check=False).stdout
        chromium = next((ln.strip() for ln in out.splitlines() if "Chromium" in ln), "?")
    except OSError:
        chromium = "not found"
    versions = ", ".join(f"{name} {_version(name)}"
                         for name in ("panel", "bokeh", "duckdb", "playwright"))
    return {"cpu": f"{cpu} × {os.cpu_count()} logical cores", "memory": memory,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "libraries": versions, "browser": chromium}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def section(result: dict) -> str:
    m, cfg = result["machine"], result["config"]
    lines = [
        BEGIN,
        f"## Run of {result['date']}",
        "",
        f"- Machine: {m['cpu']}, {m['memory']} RAM, {m['os']}; Python {m['python']}; "
        f"{m['libraries']}; {m['browser']}.",
        f"- Data: {cfg['data']}.",
        f"- Load: {cfg['sessions']} concurrent sessions ({_mix(cfg)}) × {cfg['seconds']:.0f} s "
        "per round, "
        f"{cfg['rounds']} round(s), think time {cfg['think'][0]}–{cfg['think'][1]} s; "
        f"server `panel serve{_procs_flag(cfg)}`"
        " (demo mode: every session sees all business users, the largest scope); browser at "
        f"nice {cfg['browser_nice']} on the same machine.",
        f"- **Errors: {result['errors']}** (client steps without answer, page errors, "
        f"websocket drops, browser console errors, requests to any other host than the "
        f"server, store errors and tracebacks in the server log){_examples(result['error_examples'])}.",
        "",
        "| round | steps | refreshes (server) | refresh p50 / p95 / max (server) | "
        "step p50 / p95 (client) | session open p50 / p95 (client) | CPU cores busy: server "
        "/ whole machine |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for r in result["rounds"]:
        lines.append(
            f"| {r['round']} | {len(r['step_seconds'])} | {len(r['server_refresh'])} | "
            f"{ms(r['server_refresh'], 50)} / {ms(r['server_refresh'], 95)} / "
            f"{ms(r['server_refresh'], 100)} | {ms(r['step_seconds'], 50)} / "
            f"{ms(r['step_seconds'], 95)} | {ms(r['opens'], 50)} / {ms(r['opens'], 95)} | "
            f"{r['server_cores']:.2f} / {r['machine_cores']:.2f} |")
    lines += ["", "Server-side refresh p95 by step kind is not separable (the server does not "
              "know the click); client-side p95 by kind: "
              + "; ".join(f"{kind} {ms(v, 95)} (n={len(v)})"
                          for kind, v in sorted(result["by_kind"].items())) + "; by client "
              "(a page's figure includes its own rendering): "
              + "; ".join(f"{client} p50 {ms(v, 50)}, p95 {ms(v, 95)} (n={len(v)})"
                          for client, v in sorted(result.get("by_client", {}).items()))
              + ".", "",
              "| server RSS | MB |", "|---|---:|",
              f"| baseline (no session) | {result['rss']['baseline']:,.0f} |"]
    for r in result["rounds"]:
        lines += [
            f"| round {r['round']}: 1 session | {r['rss_one']:,.0f} |",
            f"| round {r['round']}: {cfg['sessions']} sessions open | {r['rss_all']:,.0f} |",
            f"| round {r['round']}: peak under load | {r['rss_peak']:,.0f} |",
            f"| round {r['round']}: after all sessions closed ({r['sessions_created']} server "
            f"sessions made, {r['sessions_destroyed']} destroyed, {r['live_stores']} dashboard "
            f"stores still alive after {r['freed_seconds']:.0f} s) | {r['rss_closed']:,.0f} |",
        ]
    lines += ["", f"Left out of the errors: {result['log_left_out']} server-log tracebacks of "
              "pages closed mid-update at the end of a round (WebSocketClosedError, "
              "StreamClosedError, Bokeh's `assert self._session is not None`); "
              f"{result['console_warnings']} browser console warnings.", "",
              f"Verdict: {result['verdict']}", END]
    return "\n".join(lines) + "\n"


def _mix(cfg: dict) -> str:
    browsers = cfg.get("browsers", cfg["sessions"])
    protocol = cfg["sessions"] - browsers
    parts = [f"{browsers} Chromium page{'s' * (browsers != 1)}"] if browsers else []
    if protocol:
        parts.append(f"{protocol} over Bokeh's websocket protocol without a browser")
    return " + ".join(parts)


def _examples(examples: list[str]) -> str:
    return "" if not examples else ": " + "; ".join(f"`{e[:140]}`" for e in examples[:8])


def write(doc: Path, text: str) -> None:
    """Write `doc`: the prelude, this run's section, and whatever followed the section."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    after = old.split(END, 1)[1].lstrip("\n") if BEGIN in old and END in old else ""
    new = HEADER + text + ("\n" + after if after else "")  # the prelude follows the code
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


def timing(values: list[float]) -> dict:
    """Count and p50/p95/max in ms; no percentiles (absent, not zero) without values."""
    out: dict = {"n": len(values)}
    if values:
        out.update({f"p{q}" if q < 100 else "max": round(percentile(values, q) * 1000, 1)
                    for q in (50, 95, 100)})
    return out


def machine_readable(result: dict) -> dict:
    """docs/load.json: the figures of the run (the benchmark report reads `rss`, `rounds`,
    `config`, `errors`, `verdict`, `date`). Only measured values: a round without refreshes
    has no refresh percentiles."""
    rounds = result["rounds"]
    every = {key: [v for r in rounds for v in r[key]]
             for key in ("server_refresh", "step_seconds", "opens")}
    return {
        "date": result["date"], "machine": result["machine"], "config": result["config"],
        "passed": not result["errors"] and not result["leak"], "verdict": result["verdict"],
        "errors": result["errors"], "error_examples": result["error_examples"][:30],
        "leak": result["leak"], "console_warnings": result["console_warnings"],
        "log_left_out": result["log_left_out"],
        "rss": {"unit": "MB", "baseline": round(result["rss"]["baseline"], 1)},
        "refresh_ms": {
            "server": timing(every["server_refresh"]),
            "client_step": timing(every["step_seconds"]),
            "client_step_by_kind": {kind: timing(v)
                                    for kind, v in sorted(result["by_kind"].items())},
            "client_step_by_client": {client: timing(v) for client, v
                                      in sorted(result.get("by_client", {}).items())},
            "session_open": timing(every["opens"]),
        },
        "rounds": [{
            "round": r["round"], "rss_one": round(r["rss_one"], 1),
            "rss_all": round(r["rss_all"], 1), "rss_peak": round(r["rss_peak"], 1),
            "rss_closed": round(r["rss_closed"], 1),
            "sessions_created": r["sessions_created"],
            "sessions_destroyed": r["sessions_destroyed"],
            "stores_alive_after_close": r["live_stores"],
            "seconds_waited_for_release": round(r["freed_seconds"], 1),
            "server_refresh_ms": timing(r["server_refresh"]),
            "client_step_ms": timing(r["step_seconds"]),
            "session_open_ms": timing(r["opens"]),
            "cpu_cores_busy": {"server": round(r["server_cores"], 2),
                               "machine": round(r["machine_cores"], 2)},
        } for r in rounds],
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _procs_flag(cfg: dict) -> str:
    """The serving flag of a run: `--num-procs N` now; older runs used `--num-threads N`."""
    if cfg.get("procs", 1) > 1:
        return f" --num-procs {cfg['procs']}"
    return f" --num-threads {cfg['threads']}" if cfg.get("threads") else ""
