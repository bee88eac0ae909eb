"""A change made to a served page after its browser pulled the document, but before the browser
reported `document_ready`, reaches the browser (app/serving/held_changes.py).

A Bokeh client pulls the document like a browser and never sends `document_ready`, so it stays
in that window for as long as the test needs: the server adds a child to a layout (Panel holds
the document for that) and then changes a chart's data inside `pn.io.hold()`, both as document
callbacks as the dashboard does. Without the fix Panel 1.9 discarded both: the client kept one
child and the old data (a link opening the Trends tab showed it empty under CPU load).
"""

from __future__ import annotations

import socket
import threading
import time

import panel as pn
import panel.io.document as panel_document
import pytest
from bokeh.client import pull_session
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure
from load.server import free_port
from tornado.ioloop import IOLoop

from app.serving import held_changes

WAIT_S = 10.0


@pytest.fixture
def served():
    """A served Panel app in a thread; yields (url, pages, server): `pages` holds each
    session's document and components."""
    pages: list[dict] = []

    def app():
        source = ColumnDataSource({"x": [1]})
        column = pn.Column(pn.pane.Markdown("first"))
        pages.append({"doc": pn.state.curdoc, "column": column, "source": source})
        return pn.Column(column, pn.pane.Bokeh(_figure(source)))

    port = free_port()
    server = pn.serve({"app": app}, port=port, address="127.0.0.1", show=False, threaded=True,
                      start=True, print=False)
    deadline = time.monotonic() + WAIT_S
    while not _accepts(port):
        assert time.monotonic() < deadline, "the test server never started"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/app", pages, server
    finally:
        server.stop()


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _figure(source):
    fig = figure(height=100, width=100)
    fig.scatter("x", "x", source=source)
    return fig


def client_view(session) -> tuple[list, list]:
    """What the client's document holds: each data source's x, each column's child count."""
    models = session.document.models
    return ([list(m.data["x"]) for m in models if isinstance(m, ColumnDataSource)],
            sorted(len(m.children) for m in models if type(m).__name__ == "Column"))


def test_changes_between_pull_and_document_ready_reach_the_browser(served, monkeypatch):
    # Panel's own handling is back after the test (the served dashboard always installs it)
    monkeypatch.setattr(panel_document, "_drain_unconnected_events",
                        panel_document._drain_unconnected_events)
    held_changes.install()
    url, pages, server = served
    wanted = ([[1, 2, 3]], [2, 2])
    seen: dict = {}
    ran = threading.Event()

    def client() -> None:
        """The client in a thread of its own: its loop must not meet the test runner's."""
        loop = IOLoop()
        session = pull_session(url=url, io_loop=loop)
        page = pages[-1]
        seen["connected"] = pn.state._connected.get(page["doc"])
        seen["before"] = client_view(session)

        def change() -> None:  # on the server, as the dashboard changes a page
            page["column"].objects = [pn.pane.Markdown("first"), pn.pane.Markdown("second")]
            with pn.io.hold():
                page["source"].data = {"x": [1, 2, 3]}
            ran.set()

        def arrived(_event) -> None:
            if client_view(session) == wanted:
                session.close()
        session.document.on_change(arrived)
        server.asyncio_loop.call_soon_threadsafe(page["doc"].add_next_tick_callback, change)
        loop.call_later(WAIT_S, session.close)
        # the client applies the server's patches only while its loop runs (Bokeh's helper
        # for tests)
        session._loop_until_closed()
        seen["after"] = client_view(session)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    thread.join(3 * WAIT_S)
    assert not seen.get("connected"), "the client must still be before document_ready"
    assert seen.get("before") == ([[1]], [1, 2])
    assert ran.is_set(), "the server never ran the change"
    assert seen.get("after") == wanted, "the changes never reached the client"
