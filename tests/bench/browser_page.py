"""Browser side of the browser benchmark: the recorder injected into every page and the scripted
session of a business user's clicks (Playwright async API, Debian's headless Chromium). Timing
and classification are in browser_settle.py; the page only records raw facts with
performance.now() times."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tests.bench.browser_settle import TIMEOUT_MS, Step

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
VIEWPORT = {"width": 1500, "height": 1000}
#: How often the driver reads the page's log while it waits for a click to settle.
POLL_S = 0.2
#: An action itself (find the element, click it) must happen within this.
ACTION_TIMEOUT_MS = 30_000
OPEN_TIMEOUT_MS = 60_000
QUICK = ("Last 7 days", "Last 30 days", "Last 90 days", "This month", "All data")
TABS = ("Campaigns", "Trends", "Lead outcomes", "Segments", "Alerts")
GRAINS = ("Day", "Week", "Month")
SEARCH_PLACEHOLDER = "Campaign id(s) or project text"
#: the campaign table (other tabs have grids too)
CAMPAIGNS_GRID = "table.cbi-grid[data-grid=campaigns]"
USERS_PLACEHOLDER = "All business users (type to search)"

#: Injected before any page script (context.add_init_script). Records, with performance.now():
#: every websocket frame in and out (text, or null for binary), every input event (the start of
#: a click or a keystroke), and every DOM mutation batch of the document and of every shadow
#: root (Panel renders inside shadow roots; attachShadow is wrapped so each new root is
#: observed as it is made). A batch is summarized per distinct change: an element's class
#: before the batch and after it, the classes of the shadow root's host, and whether the
#: element changed is rendered (checkVisibility; one style recalculation per batch).
RECORDER_JS = r"""
(() => {
  if (window.__bench) return;
  const log = {frames: [], muts: [], inputs: [], cost: 0};
  window.__bench = log;
  let sockets = 0;
  const Native = window.WebSocket;
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      const id = sockets++;
      this.addEventListener('message', (ev) => {
        const t = performance.now();
        log.frames.push([t, id, 'in', typeof ev.data === 'string' ? ev.data : null]);
      });
      this.__benchId = id;
    }
    send(data) {
      log.frames.push([performance.now(), this.__benchId, 'out',
                       typeof data === 'string' ? data : null]);
      return super.send(data);
    }
  }
  window.WebSocket = Recorded;
  const classOf = (el) => (el && typeof el.className === 'string') ? el.className : '';
  const element = (node) => node && (node.nodeType === 1 ? node : node.parentElement);
  const onBatch = (records) => {
    const t = performance.now();
    const seen = new Map();
    for (const r of records) {
      const el = element(r.target);
      if (!el) continue;
      const isClass = r.type === 'attributes' && r.attributeName === 'class';
      let entry = seen.get(isClass ? el : undefined);
      if (isClass && entry) continue;  // the first record holds the class before the batch
      const root = el.getRootNode();
      entry = {type: r.type, tag: el.tagName.toLowerCase(), cls: classOf(el),
               host: root && root.host ? classOf(root.host) : '',
               attr: r.attributeName || ''};
      if (isClass) {
        entry.old = r.oldValue || '';
        entry.new = el.getAttribute('class') || '';
        seen.set(el, entry);
      } else {
        const key = [entry.type, entry.tag, entry.cls, entry.host, entry.attr].join('|');
        if (seen.has(key)) continue;
        seen.set(key, entry);
      }
      entry.visible = el.isConnected && (el.checkVisibility ? el.checkVisibility() : true);
    }
    for (const entry of seen.values()) log.muts.push([t, entry]);
    log.cost += performance.now() - t;  // the recorder's own time on the main thread
  };
  const options = {subtree: true, childList: true, attributes: true, attributeOldValue: true,
                   characterData: true};
  const watch = (root) => new MutationObserver(onBatch).observe(root, options);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    watch(root);
    return root;
  };
  watch(document);
  for (const type of ['pointerdown', 'mousedown', 'keydown', 'input']) {
    window.addEventListener(type, (ev) => log.inputs.push([ev.timeStamp, type]), {capture: true});
  }
  log.drain = () => {
    const out = {now: performance.now(), frames: log.frames, muts: log.muts,
                 inputs: log.inputs, cost: log.cost};
    log.frames = []; log.muts = []; log.inputs = []; log.cost = 0;
    return out;
  };
})();
"""


#: CAMPAIGN_BI_BENCH_TRACE=1: each sample keeps what changed when (debugging the settle rule).
TRACE = bool(os.environ.get("CAMPAIGN_BI_BENCH_TRACE"))


def _thin(traced: list[tuple[float, str]], keep: int = 40) -> list:
    """The first and last changes of a step, consecutive repeats of one change folded."""
    folded: list = []
    for t, what in traced:
        if folded and folded[-1][2] == what:
            folded[-1][1], folded[-1][3] = t, folded[-1][3] + 1
        else:
            folded.append([t, t, what, 1])
    return folded if len(folded) <= keep else folded[:keep // 2] + folded[-keep // 2:]


def page_error(exc) -> str:
    """A script error in the page, with where it was thrown (its first stack frames)."""
    stack = [line.strip() for line in (getattr(exc, "stack", "") or "").splitlines()[1:3]]
    return f"page error: {exc}" + (f" ({'; '.join(stack)})" if stack else "")


# -- one page ------------------------------------------------------------------------------
@dataclass
class Sample:
    kind: str
    label: str
    ms: float | None  # None: timed out
    message_ms: float | None  # to the last server message that changed the page
    round: int
    page: int
    trace: list | None = None


@dataclass
class Opened:
    kpis_ms: float | None
    settled_ms: float | None
    round: int
    page: int


@dataclass
class PageRun:
    """What one page measured over its rounds."""

    samples: list[Sample] = field(default_factory=list)
    opens: list[Opened] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)
    recorder_ms: float = 0.0  # main-thread time of the mutation recorder over the timed steps


class Session:
    """One browser context and page running the script; every step timed click → settled."""

    def __init__(self, browser, url: str, run: PageRun, number: int, round_no: int,
                 project_text: str, user: str):
        self.browser, self.url, self.run = browser, url, run
        self.number, self.round = number, round_no
        self.project_text, self.user = project_text, user
        self.step = Step(trace=TRACE)

    async def drain(self) -> dict:
        return await self.page.evaluate("window.__bench.drain()")

    async def settle(self) -> float | None:
        """Wait until the step settled; its click → settled time (None: timeout)."""
        while True:
            await asyncio.sleep(POLL_S)
            drained = await self.drain()
            self.step.feed(drained)
            now = drained["now"]
            if self.step.quiet(now) and not self.step.pending:
                # The page is the judge of spinners: one from the initial document is not in
                # the message stream, and one whose view was replaced never reports "off".
                if not await self.page.locator(".pn-loading").count():
                    self.step.loading.clear()
                if self.step.settled(now):
                    return self.step.elapsed_ms()
            if self.step.timed_out(now):
                return None

    async def timed(self, kind: str, label: str, act: Callable[[], Awaitable[None]],
                    prepare: Callable[[], Awaitable[None]] | None = None) -> None:
        try:
            if prepare is not None:
                await prepare()
                self.step.begin((await self.drain())["now"])
                await self.settle()  # whatever the preparation caused, not measured
            drained = await self.drain()
            self.step.feed(drained)
            self.step.begin(drained["now"])
            await act()
            ms = await self.settle()
            self.run.samples.append(Sample(kind, label, ms, self.step.message_ms(), self.round,
                                           self.number,
                                           _thin(self.step.traced) if TRACE else None))
        except Exception as exc:  # noqa: BLE001 - a failed step is reported, the run goes on
            text = f"{kind} {label!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            self.run.errors.append(text)  # not a sample: errors are counted apart
        self.run.recorder_ms += self.step.recorder_ms
        for what, n in self.step.ignored_kinds.items():
            self.run.ignored[what] = self.run.ignored.get(what, 0) + n
        self.step.ignored_kinds.clear()

    async def open(self) -> None:
        """Navigate; time until the spend KPI is visible, then until the page settled, both
        from the start of `goto` (page times are mapped onto the driver's clock)."""
        self.context = await self.browser.new_context(viewport=VIEWPORT)
        await self.context.add_init_script(RECORDER_JS)
        self.page = await self.context.new_page()
        self.page.set_default_timeout(ACTION_TIMEOUT_MS)
        self.page.on("pageerror", lambda exc: self.run.errors.append(page_error(exc)))
        self.step.begin(0.0)  # page time 0 = the navigation's start
        self.step.timeout_ms = OPEN_TIMEOUT_MS
        started = time.perf_counter()
        await self.page.goto(self.url, wait_until="commit", timeout=OPEN_TIMEOUT_MS)
        await self.page.locator('[data-metric="spend"] .kpi-value').wait_for(
            state="visible", timeout=OPEN_TIMEOUT_MS)
        kpis = (time.perf_counter() - started) * 1000
        before = time.perf_counter()
        page_now = await self.page.evaluate("performance.now()")
        offset = ((before + time.perf_counter()) / 2 - started) * 1000 - page_now
        settled = await self.settle()
        self.step.timeout_ms = TIMEOUT_MS
        end = self.step.end()
        if settled is not None:  # driver clock: from the start of goto
            settled = max(kpis, end + offset) if end is not None else kpis
        self.run.opens.append(Opened(round(kpis, 1), settled and round(settled, 1),
                                     self.round, self.number))

    async def idle(self, seconds: float) -> dict:
        """Leave the (settled) page alone for `seconds`: what would count as a change (should
        be nothing) and what the idle filter ignored."""
        self.step.begin((await self.drain())["now"])
        self.step.trace, self.step.ignored_kinds = True, {}
        await asyncio.sleep(seconds)
        self.step.feed(await self.drain())
        counted = [what for _t, what in self.step.traced]
        return {"seconds": seconds, "counted_changes": len(counted),
                "counted_examples": sorted(set(counted))[:10],
                "ignored": dict(self.step.ignored_kinds)}

    async def close(self) -> None:
        await self.context.close()

    # -- the script ----------------------------------------------------------------------
    async def script(self, rng: random.Random) -> None:
        page = self.page
        pause = lambda: asyncio.sleep(rng.uniform(0.05, 0.25))  # noqa: E731
        for name in QUICK:
            await self.timed("quick date pick", name,
                             lambda n=name: page.get_by_role("button", name=n).click())
            await pause()
        for name in (*TABS[1:], TABS[0]):
            await self.timed("tab", name, lambda n=name: self.tab(n).click())
            await pause()
        await self.timed("tab", TABS[1], lambda: self.tab(TABS[1]).click())
        for grain in (*GRAINS[1:], GRAINS[0]):
            await self.timed("trend grain", grain, lambda g=grain: self.grain(g).click())
            await pause()
        await self.timed("tab", TABS[0], lambda: self.tab(TABS[0]).click())
        for title in ("CPL", "Leads"):
            await self.timed("table sort", title, lambda t=title: self.header(t).click())
            await pause()
        for label in ("Next ›", "‹ Previous"):
            await self.timed("table page", label,
                             lambda n=label: page.get_by_role("button", name=n).click())
            await pause()
        await self.timed("campaign detail", "open",
                         lambda: page.locator(f"{CAMPAIGNS_GRID} tr.open").first.click())
        await pause()
        await self.timed("campaign detail", "close",
                         lambda: page.get_by_role("button", name="Close ✕").click())
        await pause()
        await self.timed("browser history", "back (detail again)", lambda: page.go_back())
        await pause()
        await self.timed("browser history", "forward (closed)", lambda: page.go_forward())
        await pause()
        box = page.get_by_placeholder(SEARCH_PLACEHOLDER)

        async def search() -> None:
            await box.fill(self.project_text)
            await box.press("Enter")

        async def clear() -> None:
            await box.click()
            await box.press("ControlOrMeta+a")
            await box.press("Delete")
            await box.press("Enter")

        await self.timed("campaign search", self.project_text, search)
        await pause()
        await self.timed("campaign search", "(cleared)", clear)
        await pause()
        await self.timed("business user", f"pick {self.user}", self.pick_user,
                         prepare=self.type_user)
        await pause()
        await self.timed("business user", "remove", self.remove_user)
        await pause()
        await self.timed("quick date pick", QUICK[0],
                         lambda: page.get_by_role("button", name=QUICK[0]).click(),
                         prepare=lambda: page.keyboard.press("Escape"))  # close the drop-down
        await pause()
        await self.timed("reset", "Reset filters",
                         lambda: page.get_by_role("button", name="Reset filters").click())

    def tab(self, name: str):
        return self.page.locator(".bk-tab").filter(
            has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")).first

    def grain(self, name: str):
        return self.page.locator(".bk-btn-group .bk-btn, .bk-input-group label").filter(
            has_text=re.compile(rf"^\s*{re.escape(name)}")).first

    def header(self, title: str):
        return self.page.locator(f"{CAMPAIGNS_GRID} th button").filter(
            has_text=re.compile(rf"^\s*{re.escape(title)}\s*[▲▼]?\s*$")).first

    def user_box(self):
        return self.page.get_by_placeholder(USERS_PLACEHOLDER)

    async def type_user(self) -> None:
        box = self.user_box()
        await box.click()
        await box.press_sequentially(self.user, delay=20)
        await self.user_option().wait_for(state="visible")

    def user_option(self):
        exact = re.compile(rf"^\s*{re.escape(self.user)}\s*$")
        # Choices.js (a full list in the browser) or Bokeh's completion menu (searched on the
        # server when there are too many business users)
        return self.page.locator(".choices__list--dropdown .choices__item--choice, "
                                 ".bk-menu > div").filter(has_text=exact).first

    async def pick_user(self) -> None:
        await self.user_option().click()

    async def remove_user(self) -> None:
        chip = self.page.locator(".choices__list--multiple .choices__item").filter(
            has_text=re.compile(rf"^\s*{re.escape(self.user)}")).first
        await chip.locator(".choices__button").click()
