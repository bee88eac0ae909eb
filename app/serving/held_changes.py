"""Changes made to a page while its browser is still drawing it reach the browser.

Panel 1.9 discards the model changes collected by a `hold()` that ends before the page's
browser has sent `document_ready`, on the premise that the browser pulls the whole document
afterwards. But the browser pulls the document first and sends `document_ready` only once it
has drawn it, so a change made in between (a view built off the event loop, a result that
arrives while a slow browser draws the page) was never sent: the browser kept the old page.
Panel's layouts hold on every change of their children, so under CPU load a link opening the
Trends tab showed the tab with no charts, for good (tests/app/serving/test_held_changes.py
shows the loss with a Bokeh client, which never sends `document_ready`).

On the event loop, under the document's lock (a Bokeh callback), the held changes are sent as
Bokeh sends any change: to a browser that has the document they are patches it applies, one
that has not pulled it yet ignores them and pulls them with the document. Elsewhere (a worker
thread, a document no server session runs yet) Panel's own handling stays. Replaces Panel
1.9's `panel.io.document._drain_unconnected_events` (pinned `panel>=1.9.4,<1.10`).
"""

from __future__ import annotations

import asyncio

import panel.io.document as panel_document

_panel_drain = panel_document._drain_unconnected_events


def _under_document_lock(doc) -> bool:
    try:
        asyncio.get_running_loop()  # the server's event loop, not a worker thread
    except RuntimeError:
        return False
    session = getattr(doc.session_context, "session", None) if doc.session_context else None
    # Bokeh's ServerSession collects the writes of a change only while it holds the lock
    return session is not None and getattr(session, "_pending_writes", None) is not None


def _drain(doc, lock):
    if not _under_document_lock(doc):
        return _panel_drain(doc, lock)
    with lock:
        events = list(doc.callbacks._held_events or [])
        doc.callbacks._held_events = []
        doc.callbacks._hold = None
    return events  # Panel dispatches the returned events to the document's subscribers


def install() -> None:
    """Once per process (the dashboard module runs again for every session)."""
    panel_document._drain_unconnected_events = _drain
