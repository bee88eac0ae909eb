"""Load-test users without a browser: each holds a real server session over Bokeh's websocket
protocol (`bokeh.client`), announces the page as rendered (DocumentReady, as BokehJS does, so
Panel runs its onload work) and then changes the same widgets a person changes in the page:
quick-pick buttons are clicked (ButtonClick events), the campaign search, the projects and the
tab get new values. The server cannot tell these sessions from a page: every change runs the same
callbacks, queries and view updates, and the answer comes back as the same patches. What they
leave out is the browser's own rendering, which on one small machine starves the server it is
meant to load (see docs/LOAD.md).

Bokeh's client is synchronous, so each session runs its websocket on its own thread and IOLoop;
the asyncio driver hands it work with `IOLoop.add_callback` (thread-safe) and watches the
arrival time of the server's patches.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import json
import pkgutil
import random
import tempfile
import threading
import time
from pathlib import Path

from .sessions import DEBUG, OPEN_TIMEOUT, TABS, Stats, User

_LOADING = "pn-loading"


def _register_panel_models() -> None:
    """The client rebuilds the page's models: every Panel model class must be importable, and
    the app's own components' models (a JSComponent's model type is made when its class is
    defined, named like "PageGrid1" as in the server): every module of app.views, so a new
    component cannot be missed."""
    import panel.models

    import app.views

    for package in (panel.models, app.views):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")


def _value(model, name: str):
    if name == "titles":  # a Tabs model: the titles of its panels
        return [panel.title for panel in getattr(model, "tabs", [])]
    if name == "first_titles":  # as many of them as the session clicks
        return [panel.title for panel in getattr(model, "tabs", [])][:len(TABS)]
    return getattr(model, name, None)


class ProtocolSession(User):
    kind = "protocol"

    def __init__(self, url: str, stats: Stats, rng: random.Random, search_terms: list[str]):
        super().__init__(stats, rng, search_terms)
        self.url = url
        self.session = None
        self.loop = None
        self.loading_ids: set[str] = set()
        self.recent: collections.deque = collections.deque(maxlen=2000)
        self.connected = threading.Event()
        self.failure: str | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True,
                                       name="load-protocol-session")

    # -- websocket thread ----------------------------------------------------------------
    def _serve(self) -> None:
        from bokeh.client import pull_session

        try:
            self.session = pull_session(url=self.url)
        except Exception as exc:  # noqa: BLE001 - reported as the session's error
            self.failure = f"could not open a session: {type(exc).__name__}: {exc}"
            self.connected.set()
            return
        self.loop = self.session._connection.io_loop
        apply_patch = self.session._handle_patch

        def on_patch(message) -> None:
            self.last_frame = time.monotonic()
            try:
                apply_patch(message)
            except Exception as exc:  # noqa: BLE001 - a patch the client cannot apply
                self.stats.errors.append(f"patch not applicable: {type(exc).__name__}: {exc}")
                if DEBUG:  # what the server sent, for the report
                    self._dump(exc, message)
            self._track_loading(message.content.get("events", []))
            if DEBUG:
                self.recent.append((time.time(), json.dumps(message.content, default=str)))

        self.session._handle_patch = on_patch
        self._read_iteratively(self.session._connection)
        self.connected.set()
        self.session._loop_until_closed()
        if not self.closing:
            self.stats.errors.append("websocket closed by the server")

    def _dump(self, exc, message) -> None:
        document = self.session.document
        with (Path(tempfile.gettempdir()) / "load-patch-errors.txt").open("a") as out:
            out.write(f"{time.time():.3f} {exc}\n"
                      f"{json.dumps(message.content, default=str)[:20000]}\n")
            for event in message.content.get("events", []):
                model = document.get_model_by_id((event.get("model") or {}).get("id", ""))
                out.write(f"  model: {type(model).__name__} "
                          f"{[type(c).__name__ + ':' + c.id for c in getattr(model, 'children', []) or []]}\n")
            wanted = str(exc).split("'")[1] if "'" in str(exc) else "?"
            for when, text in self.recent:
                if wanted in text or any((e.get("model") or {}).get("id", "") in text
                                         for e in message.content.get("events", [])):
                    out.write(f"  {when:.3f} {text[:4000]}\n")
            out.write("\n")

    def _read_iteratively(self, connection) -> None:
        """Bokeh's client reads each message in a new nested await (`_handle_messages` awaits
        `_next`, which awaits `_handle_messages` …), so after some hundreds of patches it dies of
        RecursionError and the session goes deaf. Read in a loop instead; a failure is an
        error of this session, never silent."""
        from bokeh.client.states import DISCONNECTED, ErrorReason

        async def read_messages() -> None:
            try:
                while (message := await connection._pop_message()) is not None:
                    if message.msgtype == "PATCH-DOC":
                        self.session._handle_patch(message)
            except Exception as exc:  # noqa: BLE001 - reported, then the socket is closed
                self.stats.errors.append(f"client failed: {type(exc).__name__}: {exc}")
            await connection._transition_to_disconnected(
                DISCONNECTED(ErrorReason.NETWORK_ERROR, None, "closed"))

        connection._handle_messages = read_messages

    def _track_loading(self, events: list[dict]) -> None:
        document = self.session.document
        for event in events:
            if event.get("attr") == "css_classes":
                model_id = (event.get("model") or {}).get("id")
                model = document.get_model_by_id(model_id) if model_id else None
                if model is not None and _LOADING in (model.css_classes or []):
                    self.loading_ids.add(model_id)
                else:
                    self.loading_ids.discard(model_id)
        self.loading_ids = {i for i in self.loading_ids if document.get_model_by_id(i)}

    def _on_loop(self, change) -> None:
        """Run `change` on the session's own thread (the document is not thread-safe)."""
        self.loop.add_callback(change)

    def _send_event(self, event) -> None:
        from bokeh.document.events import MessageSentEvent

        document = self.session.document
        self._on_loop(lambda: document.callbacks.trigger_on_change(
            MessageSentEvent(document, "bokeh_event", event)))

    def _model(self, kind: str, **properties):
        from bokeh import models

        cls, page = getattr(models, kind), []
        for _ in range(10):  # the session's thread may be adding models meanwhile
            try:
                page = list(self.session.document.models)
                break
            except RuntimeError:
                time.sleep(0.01)
        for model in page:
            if isinstance(model, cls) and all(_value(model, k) == v
                                              for k, v in properties.items()):
                return model
        raise LookupError(f"no {kind} with {properties} in the page")

    # -- the session ---------------------------------------------------------------------
    async def open(self) -> None:
        from bokeh.events import DocumentReady

        started = time.monotonic()
        self.thread.start()
        await asyncio.to_thread(self.connected.wait, OPEN_TIMEOUT)
        if self.failure or self.loop is None:
            self.stats.errors.append(self.failure or "session did not connect")
            return
        self.stats.websockets += 1
        self._send_event(DocumentReady())
        seconds = await self.settled(started, OPEN_TIMEOUT)
        if seconds is None:
            self.stats.errors.append("session did not finish loading")
        else:
            self.stats.opens.append(seconds)

    async def loading(self) -> bool:
        return bool(self.loading_ids)

    async def close(self) -> None:
        self.closing = True
        if self.loop is not None:
            self._on_loop(self.session.close)
        await asyncio.to_thread(self.thread.join, 15)

    # -- what a user does ----------------------------------------------------------------
    async def pick_quick(self) -> None:
        from bokeh.events import ButtonClick

        self._send_event(ButtonClick(self._model("Button", label=self.next_quick())))

    async def type_search(self) -> None:
        box = self._model("TextInput", title="Campaign search")
        text = self.next_search()
        self._on_loop(lambda: setattr(box, "value", text))

    async def add_project(self) -> None:
        """The first project whose name holds the typed text, as the picker offers it."""
        box = self._model("MultiChoice", placeholder="All projects (type to search)")
        prefix = self.next_prefix()
        options = [tuple(o) if isinstance(o, (tuple, list)) else (o, o) for o in box.options]
        chosen = list(box.value)
        match = next((value for value, label in options
                      if prefix in label.lower() and value not in chosen), None)
        if match is None:
            raise LookupError(f"no project left matching {prefix!r}")
        self._on_loop(lambda: setattr(box, "value", [*chosen, match]))

    async def switch_tab(self) -> None:
        # the page's tabs, not a view's own: an admin's page has Data health after these
        tabs = self._model("Tabs", first_titles=list(TABS))
        index = list(TABS).index(self.next_tab())
        self._on_loop(lambda: setattr(tabs, "active", index))

    async def reset(self) -> None:
        from bokeh.events import ButtonClick

        self._send_event(ButtonClick(self._model("Button", label="Reset filters")))
        self.forget_filters()


_register_panel_models()
