"""`just bench-browser [--scale 1,100] [--pages 1,4] [--rounds 3]`: what a business user waits
for in a real browser. Serves the dashboard (`panel serve app/dashboard.py`, warm: one page was
opened first and left open at least WARM_S) over a cached sample warehouse, drives headless
Chromium through a scripted session of clicks (date quick picks, tabs, trend grain, table sort
and paging, campaign search, a business-user pick, reset) on 1 and on 4 concurrent pages, and
times each click until the page SETTLED (tests/bench/browser_settle.py says exactly what that
means). Writes docs/browser_latency.json and re-renders docs/BENCHMARKS.md with it; prints a
table."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.bench import report
from tests.bench.browser_page import CHROMIUM, CHROMIUM_ARGS, PageRun, Session
from tests.bench.browser_settle import IDLE_FILTER, QUIET_MS, TIMEOUT_MS, summarize
from tests.bench.run import CACHE, CLI, ROOT, machine, sample_dir
from tests.load.server import free_port, stop_process

DOCS = ROOT / "docs"
RESULT = "browser_latency.json"
#: A page starts its script this much later than the first, at random (concurrent pages).
START_SPREAD_S = 1.0
#: The warm page is left open at least this long: a served process makes its spare chart
#: figures while it is free (app/views/spares.py, ~1.5 s of build thread at first), as a
#: server that has been up for a while has them.
WARM_S = 3.0

SETTLE_DEFINITION = (
    f"A click is timed from its input event (pointerdown, or the first keystroke or input of a "
    f"typed step; performance.now() in the page) until the later of (a) the last websocket "
    f"message from the server that changes the page (a Bokeh message's time is that of its "
    f"last frame) and (b) the last visible DOM change (MutationObservers on the document and "
    f"every shadow root; a change counts if the element it changed is rendered), or the "
    f"server's reply to the click's own message when nothing changed; the page is settled when "
    f"neither happened for {QUIET_MS:g} ms and the click is not visibly being worked on "
    f"(every message the click sent answered, no loading spinner shown: the app answered a "
    f"click in bursts up to ~500 ms apart). No settle within {TIMEOUT_MS / 1000:g} s is a "
    f"timeout, counted apart (a page open may take 60 s). What an idle page does is no change "
    f"(the idle filter below).")


def tab_medians(samples) -> dict[str, float]:
    """Median click → settled per tab (tabs differ most: each draws its own charts)."""
    by_tab: dict[str, list[float]] = {}
    for s in samples:
        if s.kind == "tab" and s.ms is not None:
            by_tab.setdefault(s.label, []).append(s.ms)
    return {tab: round(statistics.median(ms), 1) for tab, ms in sorted(by_tab.items())}


# -- server --------------------------------------------------------------------------------
class DashboardServer:
    """`panel serve app/dashboard.py` on a free loopback port, log in a file."""

    def __init__(self, db: Path, log: Path, root: Path, port: int, procs: int = 1):
        root = root.resolve()
        self.port, self.log_path = port, log
        self.url = f"http://127.0.0.1:{port}/dashboard"
        env = {**os.environ, "CAMPAIGN_BI_DB": str(db)}
        env.pop("CAMPAIGN_BI_CREDENTIALS", None)  # demo mode: no login
        if root.resolve() != ROOT:
            # another copy of the app (e.g. a snapshot of HEAD): its packages come first
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(root), env.get("PYTHONPATH")) if p)
        panel = Path(sys.executable).with_name("panel")
        command = [str(panel), "serve", "app/dashboard.py", "--address", "127.0.0.1",
                   "--port", str(port), "--allow-websocket-origin", f"127.0.0.1:{port}",
                   *(["--num-procs", str(procs)] if procs > 1 else [])]
        self._log = log.open("wb")
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"panel serve exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=30) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"panel serve not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


def warehouse(scale: float) -> Path:
    """The cached warehouse of the sample at `scale`, ingested again only when missing or
    older than its sample (the sample itself comes from tests/bench/run.py's cache)."""
    src = sample_dir(scale)
    db = CACHE / f"warehouse-s{scale:g}.duckdb"
    newest = max(p.stat().st_mtime for p in src.iterdir())
    if not db.exists() or db.stat().st_mtime < newest:
        print(f"ingesting the scale {scale:g} sample into {db.relative_to(ROOT)}…", flush=True)
        subprocess.run([CLI, "ingest", str(src), "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
    return db


def script_inputs(db: Path) -> tuple[str, str, dict]:
    """A project-name fragment (first 4 letters of a real project), the business user with the
    most campaigns, and a line about the data."""
    import semantic

    with semantic.connect(str(db)) as layer:
        options = layer.filter_options()
        per_user = layer.query(["spend"], ["business_user", "campaign"])
        counts = per_user.groupby("business_user")["campaign"].nunique()
        user = str(int(counts.sort_values(ascending=False).index[0]))
        projects = [p for p in options["projects"] if len(p.strip()) >= 4]
        text = random.Random(7).choice(projects).strip()[:4]
        data = {"business_users": len(options["business_users"]),
                "campaigns": int(counts.sum()), "projects": len(options["projects"])}
    return text, user, data


async def run_pages(url: str, pages: int, rounds: int, text: str, user: str,
                    idle_s: float) -> tuple[PageRun, dict | None]:
    from playwright.async_api import async_playwright

    run, idle = PageRun(), None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # warm server: one page opened (and checked idle) and closed first
            warm = Session(browser, url, PageRun(), -1, 0, text, user)
            await warm.open()
            if idle_s:
                idle = await warm.idle(idle_s)
                print(f"  idle {idle_s:g} s: {idle['counted_changes']} change(s) counted, "
                      f"ignored {idle['ignored']}", flush=True)
            if idle_s < WARM_S:
                await asyncio.sleep(WARM_S - idle_s)
            await warm.close()
            for round_no in range(1, rounds + 1):
                await asyncio.gather(*(
                    one_page(browser, url, run, number, round_no, text, user)
                    for number in range(pages)))
                print(f"  round {round_no}/{rounds}: {len(run.samples)} clicks, "
                      f"{len(run.errors)} errors", flush=True)
        finally:
            await browser.close()
    return run, idle


async def one_page(browser, url, run: PageRun, number: int, round_no: int, text: str,
                   user: str) -> None:
    rng = random.Random(1000 * round_no + number)
    if number:
        await asyncio.sleep(rng.uniform(0, START_SPREAD_S))
    session = Session(browser, url, run, number, round_no, text, user)
    try:
        await session.open()
        await session.script(rng)
    except Exception as exc:  # noqa: BLE001 - the other pages go on; reported
        run.errors.append(f"page {number} round {round_no}: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0]}")
    finally:
        await session.close()


def run_key(scale: float, pages: int, procs: int = 1) -> str:
    """A run's key in docs/browser_latency.json: "s1-p4", "s1-p4-n2" (2 server processes)."""
    return f"s{scale:g}-p{pages}" + (f"-n{procs}" if procs > 1 else "")


def measure(db: Path, pages: int, rounds: int, text: str, user: str, root: Path,
            idle_s: float = 0.0, procs: int = 1) -> dict:
    port = free_port()
    name = f"{db.stem}-p{pages}" + (f"-n{procs}" if procs > 1 else "")  # as `run_key`
    log = CACHE / f"browser-server-{name}.log"
    server = DashboardServer(db, log, root, port, procs)
    load_before = os.getloadavg()[0]  # a shared machine: other work slows every click
    try:
        server.wait_ready()
        started = time.perf_counter()
        run, idle = asyncio.run(run_pages(server.url, pages, rounds, text, user, idle_s))
        wall = time.perf_counter() - started
    finally:
        server.stop()
    if run.samples and run.samples[0].trace is not None:
        with (CACHE / f"browser-trace-{name}.json").open("w") as out:
            json.dump([s.__dict__ for s in run.samples], out, indent=1)
    samples = [(s.kind, s.ms, s.message_ms) for s in run.samples]
    opens = [(o.kpis_ms, o.settled_ms) for o in run.opens]
    open_stats = {"page open to KPIs": summarize(("kpis", k) for k, _ in opens).get("kpis"),
                  "page open to settled": summarize(("open", s) for _, s in opens).get("open")}
    return {"pages": pages, "procs": procs, "rounds": rounds, "wall_s": round(wall, 1),
            "idle_check": idle,
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "kinds": summarize(samples), "page_open": open_stats,
            "errors": run.errors[:20], "error_count": len(run.errors),
            "ignored_as_idle": dict(sorted(run.ignored.items())),
            "recorder_ms_per_click": round(run.recorder_ms / max(1, len(run.samples)), 1),
            "server_log": str(log.relative_to(ROOT)),
            "tab_median_ms": tab_medians(run.samples),
            "slowest": [{"kind": s.kind, "label": s.label, "ms": s.ms, "page": s.page,
                         "round": s.round}
                        for s in sorted((s for s in run.samples if s.ms is not None),
                                        key=lambda s: -s.ms)[:5]]}


def server_refresh_note(scale: str) -> str:
    """The server-side refresh figure that applies (from `just bench`, docs/benchmarks.json)."""
    try:
        figures = json.loads((DOCS / "benchmarks.json").read_text())["scales"][scale]
        r = figures["refresh"]
        return (f"server-side refresh at scale {scale} (`just bench`, "
                f"{figures['machine']['date']}): median {r['ours_ms_median']} ms, p95 "
                f"{r['ours_ms_p95']} ms, first answer median "
                f"{r.get('ours_first_answer_ms_median', '–')} ms")
    except (OSError, ValueError, KeyError):
        return f"no server-side refresh figure at scale {scale}: run `just bench --scale {scale}`"


def app_version(root: Path) -> str:
    """Which app was served: the working tree at its commit (and whether app/ or semantic/
    differ from it), or another folder (e.g. an exported snapshot)."""
    if root.resolve() != ROOT:
        return str(root)
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app", "semantic"],
                               cwd=ROOT, text=True, capture_output=True, timeout=30).stdout
    except OSError:
        return "working tree"
    return f"working tree at {head or '?'}" + (" with local changes" if dirty.strip() else "")


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except OSError:
        return "unknown"


def write(result: dict, docs: Path = DOCS) -> None:
    """Merge into docs/browser_latency.json (one entry per scale and page count, the latest
    run of each kept) and re-render docs/BENCHMARKS.md."""
    path = docs / RESULT
    try:
        merged = json.loads(path.read_text())
    except (OSError, ValueError):
        merged = {"runs": {}}
    for key, entry in result["runs"].items():
        merged["runs"][key] = entry
    merged.update({k: v for k, v in result.items() if k != "runs"})
    path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    report.rerender(docs)


def table(result: dict) -> str:
    rows = [f"{'scale':>5} {'pages':>5}  {'kind':<22} {'n':>4} {'t/o':>4} {'median':>9} "
            f"{'p95':>9} {'max':>9} {'last msg':>9}"]
    for key in sorted(result["runs"], key=lambda k: tuple(float(v[1:]) for v in k.split("-"))):
        entry = result["runs"][key]
        pages = f"{entry['pages']}" + (f"×{entry['procs']}p" if entry.get("procs", 1) > 1 else "")
        kinds = dict(entry["page_open"]) | entry["kinds"]
        for kind, s in kinds.items():
            if not s:
                continue
            cells = [f"{s[f]:>6.0f} ms" if s.get(f) is not None else f"{'–':>9}"
                     for f in ("median_ms", "p95_ms", "max_ms", "message_median_ms")]
            rows.append(f"{entry['scale']:>5} {pages:>5}  {kind:<22} {s['count']:>4} "
                        f"{s.get('timeouts', 0):>4} {' '.join(cells)}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="1,100", help="comma-separated scales, e.g. 1,100")
    parser.add_argument("--pages", default="1,4", help="concurrent pages, e.g. 1,4")
    parser.add_argument("--rounds", type=int, default=3, help="script rounds per page")
    parser.add_argument("--procs", type=int, default=1,
                        help="server processes (panel serve --num-procs), as `just serve-prod` "
                             "with 2; 1: one process, as `just serve`")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="serve the app/ of this folder (e.g. an exported snapshot)")
    parser.add_argument("--idle", type=float, default=12.0,
                        help="seconds an opened page is left idle first, once per scale, to "
                             "check that nothing counts as a change then (0: skip)")
    parser.add_argument("--no-doc", action="store_true", help="print only, write no file")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        sys.exit(f"{CHROMIUM} not found (apt-get install chromium; never `playwright install`)")
    scales = [float(s) for s in args.scale.split(",")]
    page_counts = [int(p) for p in args.pages.split(",")]
    CACHE.mkdir(exist_ok=True)
    info = machine()
    result = {"machine": {**info, "browser": chromium_version()},
              "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "settle": {"quiet_ms": QUIET_MS, "timeout_ms": TIMEOUT_MS,
                         "definition": SETTLE_DEFINITION, "idle_filter": IDLE_FILTER},
              "runs": {}}
    began = time.perf_counter()
    for scale in scales:
        db = warehouse(scale)
        text, user, data = script_inputs(db)
        for index, pages in enumerate(page_counts):
            print(f"[{time.perf_counter() - began:5.0f} s] scale {scale:g}, {pages} page(s), "
                  f"{args.rounds} round(s), {args.procs} server process(es); search {text!r}, "
                  f"business user {user}", flush=True)
            entry = measure(db, pages, args.rounds, text, user, args.root,
                            args.idle if index == 0 else 0.0, args.procs)
            entry.update(scale=f"{scale:g}", date=result["date"], data=data,
                         search_text=text, business_user=user, python=platform.python_version(),
                         app=app_version(args.root),
                         server_refresh=server_refresh_note(f"{scale:g}"))
            result["runs"][run_key(scale, pages, args.procs)] = entry
            if entry["error_count"]:
                print(f"  {entry['error_count']} error(s), e.g. {entry['errors'][:3]}",
                      flush=True)
    if not args.no_doc:
        write(result)
        print(f"wrote docs/{RESULT} and docs/BENCHMARKS.md", flush=True)
    print(f"[{time.perf_counter() - began:5.0f} s] done")
    print(table(result))
    for key, entry in result["runs"].items():
        print(f"{key}: {entry['server_refresh']}")
        print(f"{key}: tab medians {entry.get('tab_median_ms')}")


if __name__ == "__main__":
    main()
