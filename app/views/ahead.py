"""Getting a page's hidden views ready in the background: once a browser has loaded the page,
their components are built in the build thread and put on the page, drawn with the current
data (`app.dashboard.MainArea`). A tab's first showing is then the browser's display switch.
Only on a quiet server (`app.state.refresh.wait_quiet`): putting views on the page costs the
event loop that every session shares, so with other sessions clicking a page gives this up
and each view is built when its tab is first shown.

Not in app/dashboard.py on purpose: Panel runs that file anew for each session and Bokeh clears
its namespace when the session ends, so a task still running then would lose its globals.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from functools import partial

import panel as pn
from panel.io.state import set_curdoc

from app.state.refresh import OPENING, is_quiet, wait_quiet
from app.views.live import build_in_worker, closed

log = logging.getLogger(__name__)

#: After a hidden view was put on a page, the event loop serves others this long before the
#: process puts the next one on any page.
ATTACH_GAP_S = 0.05
#: An attach not run within this long (its page went away meanwhile) no longer holds the turn.
ATTACH_TIMEOUT_S = 5.0
#: One hidden view put on a page at a time, in the whole process (one lock per event loop).
#: Each session attached its views on its own, all five queued back to back as soon as it was
#: quiet; with four pages that was up to ~2 s in which the event loop served no one (a
#: four-page benchmark's slowest tab clicks waited 2-5 s for it).
_TURNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare_hidden(page: object, views: list) -> None:
    """For a served page (`page`: its store, as `LatestWins` owners name a session): build its
    hidden views ahead and put them on the page once it has loaded, if the process is quiet
    enough. While `page` opens, other sessions' background work holds back (`OPENING`)."""
    doc = pn.state.curdoc
    OPENING.begin(page, partial(browser_connected, weakref.ref(doc) if doc else lambda: None))
    ahead: list[asyncio.Task] = []

    async def loaded() -> None:
        # built once a browser has loaded the page, not at a fixed delay: a session no browser
        # ever loads (a link checker, a health probe) builds nothing; and the browser has its
        # scripts by then (a build thread holding the GIL while it loaded them from this
        # process made page open ~0.5 s slower, A/B 2026-12-06)
        OPENING.end(page)
        task = build_ahead(views, page, doc)
        if task is not None:
            ahead.append(task)
        await attach_hidden(views, task, page, doc)

    def destroyed(_context) -> None:
        OPENING.end(page)
        for task in ahead:
            task.cancel()
    pn.state.onload(loaded)
    pn.state.on_session_destroyed(destroyed)


def browser_connected(page_doc) -> bool:
    """Whether a browser's websocket is connected to the session of the document `page_doc()`
    (a weak reference; true outside a server and before Bokeh made the session)."""
    context = getattr(page_doc(), "session_context", None)
    session = context.session if context is not None else None
    return session is None or session.connection_count > 0


def build_ahead(views: list, page: object = None, doc=None) -> asyncio.Task | None:
    """Build the hidden views' components in a worker thread while the browser draws the page
    (the trend charts take ~350 ms, Lead outcomes ~120 ms), each once no other session's
    update is computing and no other page is opening. None outside a running event loop
    (tests): built when attached. `doc`: the page's document (a closed page is not built)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None

    async def run() -> None:
        for view in views:
            # other sessions' clicks and page opens first; on a busy server a view is built
            # only when its tab is shown
            if not await wait_quiet(page) or closed(doc):
                return
            try:
                await build_in_worker(view, doc)
            except Exception:  # noqa: BLE001 - the view is then built when attached
                log.exception("building a hidden view ahead failed")
    return loop.create_task(run())


async def attach_hidden(views: list, ahead: asyncio.Task | None, page: object = None,
                        doc=None) -> None:
    """Once the page has loaded: put each hidden view on the page with the current data, one
    at a time in the whole process and only while it is quiet (a click in between is not kept
    waiting for all of them). A tab's first showing is then only the browser's display
    switch."""
    if ahead is not None:
        await ahead
    loop = asyncio.get_running_loop()
    turn = _TURNS.setdefault(loop, asyncio.Lock())
    for view in views:
        if not view.is_built:
            continue  # not built ahead (a busy server): built, off the loop, when shown
        while True:
            # quiet first, then the turn: a page waiting for quiet while holding the turn kept
            # every other page's views waiting too (one page idle, another clicking: the
            # clicking page's views waited 16 s for the idle one's quiet)
            if not await wait_quiet(page) or closed(doc):
                return  # drawn when its tab is shown
            async with turn:
                if not is_quiet(page) or closed(doc):
                    continue  # someone clicked while this page waited for its turn
                done = loop.create_future()
                # as a document callback: Bokeh sends the changes when it returns (changes
                # made from a coroutine without the document lock waited for the page's next
                # message)
                with set_curdoc(doc):
                    pn.state.execute(partial(_attach, view, done), schedule=True)
                await asyncio.wait([done], timeout=ATTACH_TIMEOUT_S)
                await asyncio.sleep(ATTACH_GAP_S)
                break


def _attach(view, done: asyncio.Future) -> None:
    try:
        view.attach()
    except Exception:  # noqa: BLE001 - the view is then drawn when its tab is shown
        log.exception("attaching a hidden view failed")
    finally:
        if not done.done():
            done.set_result(None)
