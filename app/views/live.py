"""The base of every view: components built once per session, then only fed new data.

A view names its `part` of the store's data and the `slice` of `DashboardData` it draws. When
the store's data changes, a shown view whose slice changed pushes the new values into its
existing components (`draw`: a pane's `.object`, a chart's data source, a table's `value`) in
one `pn.io.hold()` batch; a view whose slice did not change is not touched, and a hidden view
catches up when it is shown. Rebuilding charts or panes per change is what made the page slow
(every rebuild sends new Bokeh models and re-runs the document's bookkeeping).
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import panel as pn
import param
from panel.io.state import set_curdoc

from app.views.html_box import HtmlBox
from app.views.spares import SPARES
from app.views.states import CSS, EMPTY_HINT, EMPTY_TEXT

log = logging.getLogger(__name__)
_NOTHING = object()
_BUILD_LOCK = threading.RLock()
#: One thread builds views off the event loop for the whole process. HoloViews' rendering is not
#: thread-safe, and builds waiting for their turn inside asyncio's shared pool held its few
#: threads, so the sessions' queries queued behind them (refreshes of 7-36 s under load).
_BUILDER = ThreadPoolExecutor(1, thread_name_prefix="campaign-bi-build")


def closed(doc) -> bool:
    """Whether `doc` is a served page whose session has ended (nothing may touch it then)."""
    return doc is not None and doc.session_context is None


async def make_in_worker(make):
    """`make()` in the process's build thread, one build at a time (`_BUILD_LOCK`)."""
    def made():
        with _BUILD_LOCK:
            return make()
    return await asyncio.get_running_loop().run_in_executor(_BUILDER, made)


async def build_in_worker(view, doc=None) -> None:
    """`view.built()` in the process's build thread, with Panel's current document (`doc`'s
    session must still be open when its turn comes: a closed page is not built)."""
    context = contextvars.copy_context()

    def build() -> None:
        if not closed(doc):
            context.run(view.built)
    await asyncio.get_running_loop().run_in_executor(_BUILDER, build)


def same(a, b) -> bool:
    """Whether two view slices hold the same values (identity first: cached results are the
    same objects; DataFrames by value otherwise)."""
    if a is b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) and a.equals(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def message_html(kind: str, title: str = "", hint: str = "") -> str:
    if kind == "error":
        return f'<div class="cbi-error">{html.escape(title)}</div>'
    return (f'<div class="cbi-empty"><div class="cbi-empty-title">{html.escape(title)}</div>'
            f'<div class="cbi-empty-hint">{html.escape(hint)}</div></div>')


class LiveView(pn.viewable.Viewer):
    """Subclasses set `part`, build their components in `build()` (returning the content
    layout; called once, when first needed), and implement `slice(data)` and `draw(data)`."""

    #: the spare figures its build takes (app/views/spares.py)
    spare_parts: tuple[str, ...] = ()

    store = param.Parameter()
    active = param.Boolean(default=True, doc="Shown (set by the entry); a hidden view is drawn "
                           "when shown again.")
    part = "kpis"

    def __init__(self, **params):
        super().__init__(**params)
        self.renders = 0  # how often new data was drawn (tests count one per change)
        self._shown = _NOTHING
        self._built = None
        self._spares: dict = {}  # reserved for the build on the loop (`build_from_spares`)
        self._building = False  # built in a worker thread right now (`_build_off_loop`)
        self._message = HtmlBox("", css=CSS, visible=False)
        self._content = pn.Column(sizing_mode="stretch_width")  # filled by `prepare`
        self._layout = pn.Column(self._content, self._message, sizing_mode="stretch_width")
        self.store.param.watch(self._on_data, ["data", "error"])
        self.store.param.watch(self._on_pending, "pending")
        self.param.watch(self._on_active, "active")
        if self.active:
            self._update()

    # -- for subclasses ------------------------------------------------------------------
    def build(self):
        raise NotImplementedError

    def slice(self, data) -> tuple:
        raise NotImplementedError

    def draw(self, data) -> None:
        raise NotImplementedError

    def empty_hint(self, data) -> tuple[str, str] | None:
        """(title, hint) when this view has nothing to draw although the store has data."""
        return None

    # -- updating ------------------------------------------------------------------------
    def _on_data(self, *_events) -> None:
        if self.active:
            self._update()

    def _on_active(self, event) -> None:
        if not event.new:
            return
        self._layout.loading = self.part in self.store.pending
        if self._built is None and self.store.background and self._wanted()[0] == "data":
            self._build_off_loop()  # shown before it was built ahead (app.views.ahead)
        else:
            self._update()

    def _on_pending(self, event) -> None:
        # a hidden view shows no loading state: under load each slow update sent every hidden
        # view's spinner on and off
        self._layout.loading = self._building or (self.active and self.part in event.new)

    def _build_off_loop(self) -> None:
        """Served: build the components in a worker thread, showing the loading state, then
        draw on the event loop. Built on the loop (~0.1-0.35 s of CPU) it kept every other
        session of the process waiting: under load, tabs clicked before their views were
        built ahead made the server's refresh p95 4.9 s."""
        if self._building:
            return
        self._building = True
        self._layout.loading = True
        doc = pn.state.curdoc  # this session's page (the coroutine may resume in another's)

        async def build() -> None:
            try:
                await build_in_worker(self, doc)
            except Exception:  # noqa: BLE001 - built again, and its error shown, when drawn
                log.exception("building a view failed")
            if closed(doc):
                return
            with set_curdoc(doc):
                pn.state.execute(self._built_off_loop, schedule=True)
        pn.state.execute(build)

    def _built_off_loop(self) -> None:
        self._building = False
        SPARES.fill_soon()  # what this build took from the spares, made again when free
        self._layout.loading = self.active and self.part in self.store.pending
        if self.active:
            self._update()

    def _wanted(self):
        data, error = self.store.data, self.store.error
        if error:
            return ("error", error)
        if data is None or data.empty:
            hint = data.notes[0] if data is not None and data.notes else EMPTY_HINT
            return ("empty", EMPTY_TEXT, hint)
        if (own := self.empty_hint(data)) is not None:
            return ("empty", *own)
        return ("data", self.slice(data))

    def built(self):
        """The components, built once; safe in a worker thread (nothing is on a page yet).
        One build at a time in the process: HoloViews' rendering is not thread-safe (two
        sessions building their trend charts at once failed under load)."""
        if self._built is not None:
            # built: no lock, which another session's build may hold for ~0.5 s (the event
            # loop waited on it when putting a built view on its page)
            return self._built
        with _BUILD_LOCK:
            if self._built is None:
                self._built = self.build()
            return self._built

    def spare(self, name: str):
        """For `build()`: a spare figure of part `name` (reserved, taken now, or made now)."""
        return self._spares.pop(name, None) or SPARES.take(name)

    def build_from_spares(self) -> bool:
        """Build now, in the calling thread (the event loop), if a spare of every part it needs
        is left: then the build is a ~5-20 ms binding of clicks and panes. False, with nothing
        done, when a part would have to be made (that belongs in the build thread)."""
        if self._built is not None:
            return True
        if self._building:
            return False
        parts = SPARES.take_all(self.spare_parts)
        if parts is None:
            return False
        self._spares = parts
        try:
            self._built = self.build()
        finally:
            self._spares = {}
        return True

    @property
    def is_built(self) -> bool:
        return self._built is not None

    def prepare(self) -> None:
        """Event loop: put the components on the page when first drawn (built ahead in a worker
        thread while the page loaded, `app.views.ahead.build_ahead`, or now)."""
        if not self._content.objects:
            self._content.objects = [self.built()]

    def attach(self) -> None:
        """Put a hidden view on the page with the current data, while the page is idle: its
        tab's first showing is then only the browser's display switch."""
        self._update()

    def _update(self) -> None:
        if self._building:
            return  # drawn with the newest data once built
        wanted = self._wanted()
        if same(wanted, self._shown):
            return
        with pn.io.hold():
            if wanted[0] == "data":
                try:
                    self.prepare()
                    self.draw(self.store.data)
                except Exception as exc:  # a view must never take the page down
                    self._show_message("error", f"This view could not be drawn: {exc}")
                else:
                    self._show_content()
            else:
                self._show_message(*wanted)
        self._shown = wanted
        self.renders += 1

    def clear(self) -> None:
        """Drop what was drawn when a message replaces it (nothing stale stays in the page)."""

    def _show_message(self, kind: str, title: str, hint: str = "") -> None:
        if self._content.objects:
            self.clear()
        self._message.object = message_html(kind, title, hint)
        self._message.visible = True
        self._content.visible = False

    def _show_content(self) -> None:
        self._message.visible = False
        self._message.object = ""
        self._content.visible = True

    def __panel__(self):
        return self._layout
