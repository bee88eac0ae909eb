"""Waiting for Panel to mark a served page as loaded, before a coroutine changes the page."""

from __future__ import annotations

import asyncio
import time

import panel as pn


async def page_loaded(timeout: float = 10.0) -> None:
    """Return once this session's page counts as loaded (at once when not served).

    With `panel serve --num-threads`, Panel runs a page's onload callbacks from a worker thread
    and marks the page loaded only after scheduling them. A coroutine callback runs on the
    event loop without Bokeh's document lock, so a change it makes in that gap is dispatched by
    Bokeh as if the lock were held and fails ("_pending_writes should be non-None when we have
    a document lock"). Once loaded, Panel sends such changes itself."""
    deadline = time.monotonic() + timeout
    while not pn.state.loaded and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
