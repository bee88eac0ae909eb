"""`just bench-api [--scale 1] [--requests 300] [--clients 50] [--per-client 10] [--procs 2]`:
the JSON API over HTTP, served as `just serve-prod` serves it (`panel serve app/dashboard.py
--plugins app.serving.api`, `--num-procs 2`).

The request is what one business user's dashboard asks for a month: spend, leads and CPL by
campaign for that business user (the one with the most leads), with a token bound to it (the
tenant predicate on). Measured from this process over loopback, each client on a kept-alive
connection:
  - sequential: `--requests` requests one after another (after 10 warm-up requests): p50/p95;
  - concurrent: `--clients` threads × `--per-client` requests each, all at once: errors (any
    answer but 200, or no answer), p50/p95/max latency and throughput.
The rate limit is off for the measurement (CAMPAIGN_BI_API_RATE=off): it would refuse one
token's sequential burst by design. Each answer's rows are checked against the semantic layer
once. Writes docs/api_benchmark.json."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from tests.bench.run import CACHE, CLI, ROOT, machine, sample_dir
from tests.bench.timing import p95

RESULT = ROOT / "docs" / "api_benchmark.json"
MONTH = {"date_from": "2024-07-01", "date_to": "2024-07-31"}
METRICS = ["spend", "leads", "cpl"]


def warehouse(scale: float) -> Path:
    db = CACHE / f"api-warehouse-s{scale:g}.duckdb"
    if not db.exists():
        subprocess.run([CLI, "ingest", str(sample_dir(scale)), "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)
    return db


class Client:
    """One kept-alive HTTP connection."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnects on the next request
            status, body = 0, b""
        return status, body, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def summary(ms: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(p95(ms), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2)}


class DashboardInUse:
    """Headless Chromium pages on the same server clicking through the dashboard (quick date
    picks and tabs, a click every ~0.3 s per page) while the API is measured: the target is
    "while the dashboard is in use"."""

    CLICKS = ("Last 7 days", "Last 30 days", "Last 90 days", "All data")
    TABS = ("Trends", "Lead outcomes", "Segments", "Campaigns")

    def __init__(self, url: str, pages: int) -> None:
        self.url, self.pages = url, pages
        self.clicks, self.errors = 0, []
        self.ready, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.pages:
            self.thread.start()
            if not self.ready.wait(120):
                raise RuntimeError(f"the dashboard pages did not open: {self.errors}")
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        if self.pages:
            self.thread.join(60)

    def _run(self) -> None:
        try:
            self._click_through()
        except Exception as exc:  # noqa: BLE001 - reported; the measurement does not wait
            self.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
            self.ready.set()

    def _click_through(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            try:
                pages = [browser.new_page(viewport={"width": 1400, "height": 900})
                         for _ in range(self.pages)]
                for page in pages:
                    page.goto(self.url + "/dashboard")
                    page.locator('[data-metric="spend"] .kpi-value').wait_for(timeout=90_000)
                self.ready.set()
                step = 0
                while not self.stop.is_set():
                    for page in pages:
                        try:
                            if step % 2:
                                name = self.TABS[step // 2 % len(self.TABS)]
                                page.locator(".bk-tab").filter(has_text=name).first.click()
                            else:
                                name = self.CLICKS[step // 2 % len(self.CLICKS)]
                                page.get_by_role("button", name=name).click()
                            self.clicks += 1
                        except Exception as exc:  # noqa: BLE001 - counted, the load goes on
                            self.errors.append(str(exc).splitlines()[0])
                    step += 1
                    page.wait_for_timeout(300)
            except Exception as exc:  # noqa: BLE001
                self.errors.append(str(exc).splitlines()[0])
            finally:
                self.ready.set()
                browser.close()


def bench(scale: float, requests: int, clients: int, per_client: int, procs: int,
          dashboard_pages: int = 1) -> dict:
    import semantic
    from tests.load.server import Server

    db = warehouse(scale)
    with semantic.connect(db) as layer:
        user = int(layer.query(["leads"], ["business_user"], MONTH,
                               order_by=[("leads", True)], limit=1)["business_user"].iloc[0])
        expected = layer.query(METRICS, ["campaign"], {"business_user": [user], **MONTH},
                               tenant=user)
    path = "/api/v1/query?" + urllib.parse.urlencode(
        {"metric": METRICS, "by": "campaign", "business_user": user, **MONTH}, doseq=True)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        tokens = work / "tokens.json"
        env = {"CAMPAIGN_BI_TOKENS": str(tokens), "CAMPAIGN_BI_API_RATE": "off"}
        token = subprocess.run(
            [CLI, "tokens", "add", "bench", "--business-user", str(user), "--tokens",
             str(tokens)], check=True, capture_output=True, text=True).stdout.strip()
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # the server inherits them
        server = Server(db, work, procs=procs)
        try:
            server.start()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        in_use = DashboardInUse(f"http://127.0.0.1:{server.port}", dashboard_pages)
        try:
            in_use.__enter__()
            first = Client(server.port, token)
            status, body, _ = first.get(path)
            assert status == 200, body[:300]
            rows = json.loads(body)["rows"]
            assert len(rows) == len(expected) and \
                [r[0] for r in rows] == expected["campaign"].tolist(), "wrong rows"
            for _ in range(10):
                first.get(path)
            sequential = [first.get(path) for _ in range(requests)]
            first.close()
            seq_errors = sum(1 for s, _, _ in sequential if s != 200)
            results: list[tuple[int, float]] = []
            lock = threading.Lock()
            gate = threading.Barrier(clients)

            def run_client() -> None:
                client = Client(server.port, token)
                gate.wait()
                mine = [client.get(path) for _ in range(per_client)]
                client.close()
                with lock:
                    results.extend((s, ms) for s, _, ms in mine)

            threads = [threading.Thread(target=run_client) for _ in range(clients)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            log_problems = server.log_problems()
        finally:
            in_use.__exit__()
            server.stop()
    errors = sum(1 for s, _ in results if s != 200)
    return {
        "machine": machine(), "scale": scale, "server_processes": procs,
        # the machine is shared: other work running at the same time shows here
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "request": {"path": path, "rows": len(rows), "business_user": user},
        "rate_limit": "off for the measurement",
        "dashboard_in_use": {"chromium_pages": dashboard_pages, "clicks": in_use.clicks,
                             "click_errors": len(in_use.errors),
                             "examples": in_use.errors[:3]},
        "sequential": {"requests": requests, "errors": seq_errors,
                       **summary([ms for _, _, ms in sequential])},
        "concurrent": {"clients": clients, "requests_per_client": per_client,
                       "requests": len(results), "errors": errors,
                       "statuses": {str(s): sum(1 for x, _ in results if x == s)
                                    for s in sorted({s for s, _ in results})},
                       **summary([ms for _, ms in results]), "wall_s": round(wall, 2),
                       "throughput_rps": round(len(results) / wall, 1)},
        "server_log_problems": [text for _, text in log_problems][:10],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--per-client", type=int, default=10, help="requests per client")
    parser.add_argument("--procs", type=int, default=2, help="server processes (serve-prod: 2)")
    parser.add_argument("--dashboard-pages", type=int, default=1,
                        help="Chromium pages clicking through the dashboard meanwhile (0: none)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULT.name}")
    args = parser.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    report = bench(args.scale, args.requests, args.clients, args.per_client, args.procs,
                   args.dashboard_pages)
    seq, conc = report["sequential"], report["concurrent"]
    print(f"API /api/v1/query at scale {args.scale:g}, {args.procs} server processes, "
          f"{report['request']['rows']} rows per answer; dashboard in use: "
          f"{report['dashboard_in_use']['chromium_pages']} Chromium page(s), "
          f"{report['dashboard_in_use']['clicks']} clicks meanwhile")
    print(f"  sequential  {seq['requests']} requests: p50 {seq['p50_ms']} ms, "
          f"p95 {seq['p95_ms']} ms, errors {seq['errors']}")
    print(f"  concurrent  {conc['clients']} clients × {conc['requests_per_client']}: "
          f"errors {conc['errors']}, p50 {conc['p50_ms']} ms, p95 {conc['p95_ms']} ms, "
          f"max {conc['max_ms']} ms, {conc['throughput_rps']} requests/s")
    if report["server_log_problems"]:
        print("  server log problems:", *report["server_log_problems"], sep="\n    ")
    if not args.no_write:
        RESULT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
