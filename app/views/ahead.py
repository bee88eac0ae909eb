"""Getting a page's hidden views ready in the background. Their components and Bokeh models
are built in the build thread while the browser draws the page, on a quiet server
(`wait_quiet`: no other session's click or tab in the last 2 s, no other page opening; with
four pages clicking, building every page's views between their clicks made the clicks ~0.5 s
slower at p95), and put on the page together, drawn with the current data, as soon as it has
loaded: at once if nothing else is computing (before its user's first click), else once the
server is quiet. Otherwise each view is built and put on the page when its tab is first shown.

Not in app/dashboard.py on purpose: Panel runs that file anew for each session and Bokeh clears
its namespace when the session ends, so a task still running then would lose its globals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

import panel as pn
from panel.io.state import set_curdoc

from app.state.refresh import OPENING, wait_calm, wait_quiet
from app.views import ready
from app.views.live import build_in_worker, closed, later_in_build_thread

log = logging.getLogger(__name__)

#: Pause after a session's page was built before building its hidden views: the browser first
#: loads its scripts (~0.8 s here) from this same process, and a building thread holding the
#: GIL meanwhile made page open ~0.5 s slower (A/B, 2026-12-06); the build then overlaps the
#: browser drawing the page, when the server is idle.
AHEAD_DELAY_S = 1.0
#: How soon after the page has loaded its hidden views are put on it whatever other sessions
#: did just before (no update computing, no other page opening): before its user's first click
AT_ONCE_S = 0.5


def prepare_hidden(page: object, views: list) -> None:
    """For a served page (`page`: its store, as `LatestWins` owners name a session): build its
    hidden views ahead and put them on the page once it has loaded, if the process is quiet
    enough. While `page` opens, other sessions' background work holds back (`OPENING`)."""
    OPENING.begin(page)
    doc = pn.state.curdoc
    ahead = build_ahead(views, page, doc)

    async def loaded() -> None:
        OPENING.end(page)
        await attach_hidden(views, ahead, page, doc)
        await make_ready()

    def destroyed(_context) -> None:
        OPENING.end(page)
        if ahead is not None:
            ahead.cancel()
    pn.state.onload(loaded)
    pn.state.on_session_destroyed(destroyed)


def build_ahead(views: list, page: object = None, doc=None) -> asyncio.Task | None:
    """Build the hidden views' components in the build thread while the browser draws the page
    (~0.3 s with the charts made ahead, `app.views.ready`; ~1 s without), each on a quiet
    server; a tab shown meanwhile is built first. None outside a running event loop (tests):
    built when attached. `doc`: the page's document (a closed page is not built)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None

    async def run() -> None:
        await asyncio.sleep(AHEAD_DELAY_S)
        for view in views:
            # clicks and page opens first; a view not built by then is built when shown
            if not await wait_quiet(page) or closed(doc):
                return
            if view.is_built:
                continue  # its tab was shown meanwhile
            try:
                await build_in_worker(view, doc, shown=False)
            except Exception:  # noqa: BLE001 - the view is then built when attached
                log.exception("building a hidden view ahead failed")
    return loop.create_task(run())


async def attach_hidden(views: list, ahead: asyncio.Task | None, page: object = None,
                        doc=None) -> None:
    """Once the page has loaded and the server is quiet: put the hidden views built ahead on
    the page with the current data, all in one change of the document (Bokeh then goes over
    the page's models once: ~150 ms for five views, where one view at a time took ~350 ms of
    the event loop). A tab's first showing is then only the browser's display switch."""
    loaded = time.monotonic()
    if ahead is not None:
        await ahead
    # At once while the page is still being opened (its user has not clicked yet) and nothing
    # else is computing: the browser takes ~0.5 s to set the views up, which a first click
    # made meanwhile waited for (a page's first click, p95 ~0.9-1.5 s). Later only on a quiet
    # server.
    at_once = (time.monotonic() - loaded < AT_ONCE_S
               and await wait_calm(page, limit_s=AT_ONCE_S))
    if not (at_once or await wait_quiet(page)) or closed(doc):
        return  # each drawn when its tab is shown
    # as a document callback: Bokeh sends the changes when it returns (changes made from a
    # coroutine without the document lock waited for the page's next message)
    with set_curdoc(doc):
        pn.state.execute(partial(_attach, views, doc), schedule=True)


async def make_ready(limit_s: float = 60.0) -> None:
    """After a page's own work: make what the next pages will take (`app.views.ready`), each
    item only while the whole process is quiet, this page's session included (an item is
    ~0.4 s of Python, which slowed the clicks it met); given up after `limit_s`."""
    for store in ready.STORES:
        while store.short:
            if not await wait_quiet(None, limit_s=limit_s):
                return
            try:
                await later_in_build_thread(store.make_one)
            except Exception:  # noqa: BLE001 - the next page then makes its own
                log.exception("making components ahead failed")
                return


def _attach(views: list, doc) -> None:
    # not built ahead (a busy server): built, off the loop, when its tab is shown
    built = [view for view in views if view.is_built]
    with pn.io.hold(doc, freeze=True):
        for view in built:
            try:
                view.attach()
            except Exception:  # noqa: BLE001 - the view is then drawn when its tab is shown
                log.exception("attaching a hidden view failed")
