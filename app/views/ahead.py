"""Getting a page's hidden views ready as part of opening it: once a browser has loaded the page,
their components are built in the build thread (from spare figures made ahead,
`app.views.spares`: ~15 ms a view) and each is put on the page, drawn with the current data,
right away (`app.dashboard.MainArea`). A tab's first showing is then the browser's display
switch.

Right away, whatever other pages do: putting a view on the page costs the event loop ~45-85 ms
and its browser the drawing of hidden models. Done while the page opens, that is before its
user's first click; left for a quiet moment (as before 2026-12-07), with a team clicking there
was none, and each tab's first showing built and sent its view while the user waited (four
pages: Lead outcomes 0.9-1.1 s median). Each view is its own document callback, so other
sessions' messages go out in between.

Not in app/dashboard.py on purpose: Panel runs that file anew for each session and Bokeh clears
its namespace when the session ends, so a task still running then would lose its globals.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from contextlib import nullcontext
from functools import partial

import panel as pn
from panel.io.state import set_curdoc

from app.state.refresh import OPENING
from app.views.live import build_in_worker, closed
from app.views.spares import SPARES

log = logging.getLogger(__name__)

#: An attach not run within this long (its page went away meanwhile) is given up.
ATTACH_TIMEOUT_S = 5.0


def prepare_hidden(page: object, views: list) -> None:
    """For a served page (`page`: its store, as `LatestWins` owners name a session): once a
    browser has loaded it, build its hidden views and put them on the page. Until they are on
    it, the page counts as opening (`OPENING`: spare figures are not made meanwhile)."""
    doc = pn.state.curdoc
    OPENING.begin(page, partial(browser_connected, weakref.ref(doc) if doc else lambda: None))
    SPARES.fill_soon()  # a new process: its first spares, once this page is open
    ahead: list[asyncio.Task] = []

    async def loaded() -> None:
        # built once a browser has loaded the page: a session no browser ever loads (a link
        # checker, a health probe) takes no spares and builds nothing
        try:
            await attach_from_spares(views, doc)
            rest = [view for view in views if not view.is_built]
            task = build_ahead(rest, doc)
            if task is not None:
                ahead.append(task)
            await attach_hidden(rest, task, doc)
        finally:
            OPENING.end(page)
            SPARES.fill_soon()  # what this page took, made again while the process is free

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


def build_ahead(views: list, doc=None) -> asyncio.Task | None:
    """Build the hidden views' components in the build thread, one after another. None
    outside a running event loop (tests): built when attached. `doc`: the page's document (a
    closed page's views are not built)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None

    async def run() -> None:
        for view in views:
            if closed(doc):
                return
            try:
                await build_in_worker(view, doc)
            except Exception:  # noqa: BLE001 - the view is then built when its tab is shown
                log.exception("building a hidden view ahead failed")
    return loop.create_task(run())


async def attach_hidden(views: list, ahead: asyncio.Task | None, doc=None) -> None:
    """Put each built hidden view on the page with the current data, each as a document
    callback of its own (other sessions' changes go out in between)."""
    if ahead is not None:
        await ahead
    loop = asyncio.get_running_loop()
    for view in views:
        if closed(doc):
            return
        if not view.is_built:
            continue  # its build failed: built, off the loop, when its tab is shown
        done = loop.create_future()
        # as a document callback: Bokeh sends the changes when it returns (changes made from
        # a coroutine without the document lock waited for the page's next message)
        with set_curdoc(doc):
            pn.state.execute(partial(_attach, view, done), schedule=True)
        await asyncio.wait([done], timeout=ATTACH_TIMEOUT_S)


async def attach_from_spares(views: list, doc=None) -> None:
    """Build, on the event loop, each view whose spare figures are all there (~5-20 ms each)
    and put them on the page in one document change: one pass of Bokeh's bookkeeping over the
    page's models (~40 ms with every view on it) and one message, which reaches the browser
    while it still draws the page, before its user's first click. (Five changes, one per
    view, reached a four-page benchmark's browsers up to 2 s apart, during their first
    click.) The others are built in the build thread afterwards."""
    if closed(doc):
        return
    done = asyncio.get_running_loop().create_future()
    document = doc if doc is not None else pn.state.curdoc

    def attach_all() -> None:
        try:
            # Bokeh's bookkeeping (`recompute`, a walk over every model of the page) once at
            # the end, not once per view: ~220 instead of ~370 ms of event loop for five views
            with document.models.freeze() if document is not None else nullcontext():
                with pn.io.hold():
                    for view in views:
                        if view.build_from_spares():
                            _attach(view)
        finally:
            if not done.done():
                done.set_result(None)
    with set_curdoc(doc):
        pn.state.execute(attach_all, schedule=True)
    await asyncio.wait([done], timeout=ATTACH_TIMEOUT_S)


def _attach(view, done: asyncio.Future | None = None) -> None:
    try:
        view.attach()
    except Exception:  # noqa: BLE001 - the view is then drawn when its tab is shown
        log.exception("attaching a hidden view failed")
    finally:
        if done is not None and not done.done():
            done.set_result(None)
