"""Load test: `python -m tests.load.run [--sessions 20] [--seconds 60] [--rounds 2]`.

Serves the dashboard on a free 127.0.0.1 port (loopback only), opens the sessions in headless
Chromium, lets each change filters for --seconds, closes them, waits for the server to free
them, and does it --rounds times; then stops the server and writes docs/LOAD.md and
docs/load.json (machine-readable, read by the benchmark report). Every loop is
bounded (time and step count); the run stops by itself. Exit code 0 when there were no errors
and memory came back (no per-session leak), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.load import report
from tests.load.protocol import ProtocolSession
from tests.load.server import ROOT, Server
from tests.load.sessions import CHROMIUM, CHROMIUM_ARGS, BrowserSession, Stats, User

#: RSS growth between the first and the last "after all sessions closed" allowed as noise
LEAK_TOLERANCE_MB = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.load.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="how long the sessions change filters, per round")
    parser.add_argument("--rounds", type=int, default=2,
                        help="open-load-close rounds (2+ shows a per-session leak)")
    parser.add_argument("--db", type=Path, help="warehouse to serve (default: a sample built "
                        "for the run in a temporary folder)")
    parser.add_argument("--scale", type=float, default=1.0, help="sample scale (no --db)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 4.0),
                        metavar=("MIN", "MAX"), help="seconds between a user's steps")
    parser.add_argument("--procs", type=int, default=2,
                        help="panel serve --num-procs (1: one process), as `just serve-prod`")
    parser.add_argument("--browsers", type=int, default=4,
                        help="how many of the sessions are real Chromium pages; the others "
                        "speak Bokeh's websocket protocol without a browser (tests/load/"
                        "protocol.py): 20 pages cannot render on 2 cores")
    parser.add_argument("--browser-nice", type=int, default=19,
                        help="niceness of the browser (it shares the CPUs with the server)")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "LOAD.md")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "load.json",
                        help="machine-readable result (read by the benchmark report)")
    parser.add_argument("--no-doc", action="store_true",
                        help="print, do not write the doc nor the JSON result")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200 or not 1 <= args.rounds <= 10 or args.seconds <= 0:
        parser.error("--sessions 1..200, --rounds 1..10, --seconds > 0")
    if not 0 <= args.browsers <= args.sessions:
        parser.error("--browsers 0..--sessions")
    return args


def prepare_data(args, workdir: Path) -> tuple[Path, str, list[str]]:
    """The warehouse, a line describing it, and search terms (project name starts)."""
    import semantic

    db = args.db
    if db is None:
        from semantic.builder.ingest import ingest
        from semantic.sample import generate

        generate(workdir / "sample", scale=args.scale, seed=args.seed)
        db = workdir / "warehouse.duckdb"
        ingest(workdir / "sample", db)
    with semantic.connect(db) as layer:
        totals = layer.query(["leads", "spend"]).iloc[0]
        options = layer.filter_options()
        campaigns = len(layer.campaigns())
    described = (f"{'sample scale ' + str(args.scale) if args.db is None else db.name}: "
                 f"{len(options['business_users']):,} business users, {campaigns:,} "
                 f"campaigns, {int(totals['leads']):,} leads, spend {totals['spend']:,.0f}")
    words = sorted({p.split()[0].lower() for p in options["projects"]
                    if p.split() and len(p.split()[0]) >= 3 and p.split()[0].isalpha()})
    terms = random.Random(args.seed).sample(words, min(30, len(words))) or ["a"]
    return Path(db), described, terms


async def one_round(browser, server: Server, args, number: int, terms: list[str]) -> dict:
    stats, rng = Stats(), random.Random(args.seed * 1000 + number)
    sessions: list[User] = [
        BrowserSession(browser, server.url, stats, random.Random(rng.random()), terms)
        if n < args.browsers else
        ProtocolSession(server.url, stats, random.Random(rng.random()), terms)
        for n in range(args.sessions)]
    began = time.time()
    await sessions[0].open()
    await asyncio.sleep(1.0)
    rss_one = server.rss_mb()
    gate = asyncio.Semaphore(5)  # sessions arrive five at a time, not in one instant

    async def arrive(session: User) -> None:
        async with gate:
            await session.open()

    await asyncio.gather(*(arrive(s) for s in sessions[1:]))
    await asyncio.sleep(1.0)
    rss_all = server.rss_mb()
    peak = [rss_all]
    done = asyncio.Event()

    async def sample_memory() -> None:
        while not done.is_set():
            peak.append(server.rss_mb())
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_memory())
    deadline = time.monotonic() + args.seconds
    cpu0, busy0, wall0 = server.cpu_seconds(), machine_busy(), time.monotonic()
    await asyncio.gather(*(s.run(deadline, tuple(args.think)) for s in sessions))
    wall = time.monotonic() - wall0
    server_cores = (server.cpu_seconds() - cpu0) / wall
    machine_cores = (machine_busy() - busy0) / wall
    done.set()
    await sampler
    closing = time.time()
    await asyncio.gather(*(s.close() for s in sessions))
    live, waited = await asyncio.to_thread(server.wait_sessions_freed)
    ended = time.time()
    events = [e for e in server.read_events() if began <= e["t"] <= ended]
    return {
        "round": number, "began": began, "closing": closing, "ended": ended, "stats": stats,
        "rss_one": rss_one, "rss_all": rss_all, "rss_peak": max(peak),
        "server_cores": server_cores, "machine_cores": machine_cores,
        "rss_closed": server.rss_mb(), "live_stores": live, "freed_seconds": waited,
        "server_refresh": [e["seconds"] for e in events if e.get("kind") == "refresh"],
        "server_errors": [e["error"] for e in events if e.get("error")],
        "sessions_created": sum(e.get("kind") == "session" for e in events),
        "sessions_destroyed": sum(e.get("kind") == "destroyed" for e in events),
        "step_seconds": [s.seconds for s in stats.steps if s.seconds is not None],
        "opens": stats.opens, "websockets": stats.websockets,
    }


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def drive(args, server: Server, terms: list[str]) -> list[dict]:
    from playwright.async_api import async_playwright

    if not args.browsers:
        return [await one_round(None, server, args, n + 1, terms) for n in range(args.rounds)]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return [await one_round(browser, server, args, n + 1, terms)
                    for n in range(args.rounds)]
        finally:
            await browser.close()


def split_log_problems(problems, rounds: list[dict]) -> tuple[list[str], int]:
    """Server-log problems that count as errors, and how many are left out: a browser that
    goes away while the server is still sending (WebSocketClosedError, StreamClosedError) or
    a socket closed before its session was attached (Bokeh's `assert self._session is not
    None`) while this driver closes its pages at the end of a round."""
    errors, left_out = [], 0
    for when, what in problems:
        closing = any(r["closing"] - 1 <= (when or 0) <= r["ended"] + 1 for r in rounds)
        goodbye = any(k in what for k in ("WebSocketClosedError", "StreamClosedError")) or \
            (closing and what == "traceback: AssertionError")
        if goodbye:
            left_out += 1
        else:
            errors.append(what)
    return errors, left_out


def summarize(args, rounds: list[dict], baseline: float, described: str,
              log_problems: list[str], left_out: int) -> dict:
    client_errors = [e for r in rounds for e in r["stats"].errors]
    console = [e for r in rounds for e in r["stats"].console_errors]
    server_errors = [str(e) for r in rounds for e in r["server_errors"]]
    external = sorted({f"request off this host: {u}" for r in rounds
                       for u in r["stats"].external})
    examples = client_errors + console + external + server_errors + log_problems
    kinds = Counter(re.sub(r"\d+", "N", e)[:150] for e in examples)
    by_kind: dict[str, list[float]] = {}
    by_client: dict[str, list[float]] = {}
    for r in rounds:
        for step in r["stats"].steps:
            if step.seconds is not None:
                by_kind.setdefault(step.kind, []).append(step.seconds)
                by_client.setdefault(step.client, []).append(step.seconds)
    closed = [r["rss_closed"] for r in rounds]
    freed = all(r["live_stores"] == 0 for r in rounds)
    growth = closed[-1] - closed[0]
    leak = not freed or (len(closed) > 1 and growth > LEAK_TOLERANCE_MB)
    verdict = (f"{'FAIL' if examples or leak else 'PASS'}: {len(examples)} error(s); "
               f"dashboard stores freed after every round: {'yes' if freed else 'NO'}; RSS after "
               f"the last round closed {growth:+,.0f} MB against the first "
               f"(tolerance {LEAK_TOLERANCE_MB:.0f} MB), {closed[-1] - baseline:+,.0f} MB "
               "against the baseline (DuckDB's buffer pool, the process-wide result cache and "
               "Python's allocator keep some memory after the first sessions).")
    return {
        "date": report.today(), "machine": report.machine(), "errors": len(examples),
        "error_examples": [f"{n}× {e}" for e, n in kinds.most_common()], "verdict": verdict, "leak": leak, "by_kind": by_kind,
        "by_client": by_client,
        "console_warnings": sum(r["stats"].console_warnings for r in rounds),
        "log_left_out": left_out,
        "config": {"sessions": args.sessions, "browsers": args.browsers, "seconds": args.seconds, "rounds": args.rounds,
                   "think": list(args.think), "procs": args.procs, "data": described,
                   "browser_nice": args.browser_nice},
        "rss": {"baseline": baseline},
        "rounds": [{k: v for k, v in r.items() if k != "stats"} for r in rounds],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="campaign-bi-load-"))
    server = None
    try:
        print(f"work folder: {workdir}", flush=True)
        db, described, terms = prepare_data(args, workdir)
        print(f"data: {described}", flush=True)
        server = Server(db, workdir, procs=args.procs)
        server.start()
        time.sleep(2.0)
        baseline = server.rss_mb()
        print(f"server pid {server.pid} on {server.url}; baseline RSS {baseline:,.0f} MB",
              flush=True)
        os.nice(args.browser_nice)  # from here on: this driver and the browser it starts
        rounds = asyncio.run(drive(args, server, terms))
        log_problems, left_out = split_log_problems(server.log_problems(), rounds)
        result = summarize(args, rounds, baseline, described, log_problems, left_out)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.keep:
        (workdir / "result.json").write_text(json.dumps(result, indent=1, default=str))
        print(f"kept: {workdir}")
    text = report.section(result)
    print(text)
    print(json.dumps({"console_warnings": result["console_warnings"]}))
    if not args.no_doc:
        report.write(args.doc, text)
        report.write_json(args.json, report.machine_readable(result))
        print(f"written: {args.doc}, {args.json}")
        from tests.bench.report import rerender

        if rerender(args.json.parent):  # its load section shows this run
            print(f"written: {args.json.parent / 'BENCHMARKS.md'}")
    return 0 if not result["errors"] and not result["leak"] else 1


if __name__ == "__main__":
    sys.exit(main())
