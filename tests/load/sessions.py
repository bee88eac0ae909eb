"""Simulated users for the load test. `User` is what a person does (date quick picks, campaign
search, projects typed into the picker, tabs, reset, with think time between steps);
`BrowserSession` does it in a real page: one Playwright context (own cookies, own websocket,
own server session) per user. `tests/load/protocol.py` does the same over Bokeh's websocket
protocol without a browser.

A step's latency is measured from the action to the last websocket frame of the server's
answer, once no loading spinner is left and the socket has been quiet for QUIET seconds. A step
that gets no answer within STEP_TIMEOUT, a page error, or a websocket closed by the server is an
error.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
QUICK = ("Last 7 days", "Last 30 days", "Last 90 days", "This month", "All data")
TABS = ("Campaigns", "Trends", "Lead outcomes", "Segments", "Alerts")
QUIET = 0.3
STEP_TIMEOUT = 60.0
OPEN_TIMEOUT = 120.0
DEBUG = bool(os.environ.get("CAMPAIGN_BI_LOAD_DEBUG"))
MAX_STEPS = 10_000  # a bound on every session's loop, whatever the duration


@dataclass
class Step:
    kind: str
    seconds: float | None  # None: no answer (an error)
    error: str | None = None
    client: str = "browser"  # or "protocol" (tests/load/protocol.py)


@dataclass
class Stats:
    steps: list[Step] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    console_warnings: int = 0
    external: set[str] = field(default_factory=set)  # requests to other hosts
    websockets: int = 0  # opened by all pages (one per page unless the page reconnects)


class User:
    """The steps and their order; subclasses act (`pick_quick` … `reset`) and wait for the
    answer (`settled`)."""

    kind = "user"

    def __init__(self, stats: Stats, rng: random.Random, search_terms: list[str]):
        self.stats, self.rng, self.search_terms = stats, rng, search_terms
        self.last_frame = 0.0
        self.closing = False
        self.quick = "All data"
        self.search = ""
        self.tab = "Campaigns"
        self.dirty = False  # filters differ from the defaults (Reset would change something)
        self.typed: set[str] = set()  # project prefixes taken since the last reset

    async def settled(self, started: float, timeout: float = STEP_TIMEOUT) -> float | None:
        """Seconds from `started` to the last frame of the answer (None: no answer)."""
        while time.monotonic() - started < timeout:
            await asyncio.sleep(0.1)
            if self.last_frame <= started or time.monotonic() - self.last_frame < QUIET:
                continue
            if await self.loading():
                continue
            if time.monotonic() - self.last_frame >= QUIET:
                return self.last_frame - started
        return None

    async def loading(self) -> bool:
        raise NotImplementedError

    async def run(self, deadline: float, think: tuple[float, float]) -> None:
        for _ in range(MAX_STEPS):
            if time.monotonic() >= deadline:
                return
            kind, act = self.choose()
            started = time.monotonic()
            try:
                await act()
                seconds = await self.settled(started)
                error = None if seconds is not None else "no answer within " \
                    f"{STEP_TIMEOUT:.0f} s"
            except Exception as exc:  # noqa: BLE001 - every failure is counted, run goes on
                seconds, error = None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            self.stats.steps.append(Step(kind, seconds, error, self.kind))
            if error:
                self.stats.errors.append(f"{kind} ({self.kind}): {error}")
            await asyncio.sleep(self.rng.uniform(*think))

    def choose(self):
        options = [("date range", self.pick_quick), ("date range", self.pick_quick),
                   ("campaign search", self.type_search), ("project", self.add_project),
                   ("tab", self.switch_tab)]
        if self.dirty:
            options.append(("reset", self.reset))
        if len(self.typed) >= 4:  # keep the project list short: start over now and then
            options = [("reset", self.reset)]
        return self.rng.choice(options)

    def next_quick(self) -> str:
        self.quick = self.rng.choice([q for q in QUICK if q != self.quick])
        self.dirty = True
        return self.quick

    def next_search(self) -> str:
        self.search = self.rng.choice([t for t in [*self.search_terms, ""] if t != self.search])
        self.dirty = True
        return self.search

    def next_prefix(self) -> str:
        fresh = [t for t in self.search_terms if t[:3] not in self.typed]
        prefix = self.rng.choice(fresh or self.search_terms)[:3]
        self.typed.add(prefix)  # a prefix whose matches are all chosen would change nothing
        self.dirty = True
        return prefix

    def next_tab(self) -> str:
        self.tab = self.rng.choice([t for t in TABS if t != self.tab])
        return self.tab

    def forget_filters(self) -> None:
        self.quick, self.search, self.dirty = "All data", "", False
        self.typed.clear()


class BrowserSession(User):
    kind = "browser"

    def __init__(self, browser, url: str, stats: Stats, rng: random.Random,
                 search_terms: list[str]):
        super().__init__(stats, rng, search_terms)
        self.browser, self.url = browser, url
        self.recent: collections.deque = collections.deque(maxlen=400)

    # -- page and websocket ------------------------------------------------------------
    async def open(self) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = await self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT * 1000)
        self.page.on("websocket", self._on_websocket)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("console", self._on_console)
        self.page.on("request", self._on_request)
        started = time.monotonic()
        await self.page.goto(self.url, wait_until="domcontentloaded",
                             timeout=OPEN_TIMEOUT * 1000)
        await self.page.get_by_role("button", name="Reset filters").wait_for(
            timeout=OPEN_TIMEOUT * 1000)
        seconds = await self.settled(started, OPEN_TIMEOUT)
        if seconds is None:
            self.stats.errors.append("session did not finish loading")
        else:
            self.stats.opens.append(seconds)

    def _on_websocket(self, ws) -> None:
        self.stats.websockets += 1

        def frame(payload) -> None:
            self.last_frame = time.monotonic()
            if DEBUG:
                self.recent.append((time.time(), payload if isinstance(payload, str) else
                                    f"<{len(payload)} bytes>"))

        ws.on("framereceived", frame)
        ws.on("close", lambda _ws: None if self.closing else
              self.stats.errors.append("websocket closed by the server"))

    def _on_page_error(self, exc) -> None:
        self.stats.errors.append(f"page error: {exc}")
        if DEBUG:  # the frames that mention the model the page did not know
            wanted = str(exc).split("reference ")[-1].split(" ")[0]
            with (Path(tempfile.gettempdir()) / "load-page-errors.txt").open("a") as out:
                out.write(f"{time.time():.3f} {exc}\n")
                for when, text in self.recent:
                    mark = "***" if wanted in text else ""
                    out.write(f"{mark}{when:.3f} {text[:3000]}\n")
                out.write("\n")

    def _on_request(self, request) -> None:
        """The dashboard is served offline: any request off this host leaks who uses it."""
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://", "ws://", "wss://")) and \
                host.split(":")[0] not in ("127.0.0.1", "localhost"):
            self.stats.external.add(request.url[:160])

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.stats.console_errors.append(message.text[:200])
        elif message.type == "warning":
            self.stats.console_warnings += 1

    async def loading(self) -> bool:
        return bool(await self.page.locator(".pn-loading").count())

    async def close(self) -> None:
        self.closing = True
        await self.context.close()

    # -- what a user does ----------------------------------------------------------------
    async def pick_quick(self) -> None:
        await self.page.get_by_role("button", name=self.next_quick()).click()

    async def type_search(self) -> None:
        box = self.page.get_by_placeholder("Campaign id(s) or project text")
        await box.fill(self.next_search())
        await box.press("Enter")

    async def add_project(self) -> None:
        """Type the start of a project name into the projects box and take the first match."""
        box = self.page.get_by_placeholder("All projects (type to search)")
        await box.click()
        await box.press_sequentially(self.next_prefix(), delay=30)
        await box.press("Enter")
        await box.press("Escape")

    async def switch_tab(self) -> None:
        await self.page.locator(".bk-tab", has_text=self.next_tab()).first.click()

    async def reset(self) -> None:
        await self.page.get_by_role("button", name="Reset filters").click()
        self.forget_filters()
