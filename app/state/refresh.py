"""Newest-wins updates for a served session: work runs off the event loop, results are applied
on it, and only the latest request's result is ever applied.

Bokeh documents are not thread-safe: a session's page may be changed only on its own event loop.
A request (a click) is recorded at once; a single runner per session computes the newest
request's inputs in a worker thread (`asyncio.to_thread`, so one session's query never blocks
another session's page) and, back on the loop, applies the result only if no newer request
came in meanwhile — otherwise it computes again for the newest. Requests made while a
computation runs are never lost and stale results are never shown; a burst of requests costs
at most one computation more than the last one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

log = logging.getLogger(__name__)

#: A computation shorter than this shows no loading state at all (no flicker, no messages).
LOADING_DELAY_S = 0.25


class _InFlight:
    """How many updates of this process's sessions are computing right now. Background work
    (making spare chart figures, app/views/spares.py) waits while any is, so it never slows a
    click."""

    def __init__(self) -> None:
        self.count = 0

    def begin(self) -> None:
        self.count += 1

    def end(self) -> None:
        self.count -= 1


IN_FLIGHT = _InFlight()


class _Opening:
    """The pages of this process being opened: built, not yet drawn by their browser with its
    hidden views. Work that can wait (making spare chart figures) holds back meanwhile: in a
    burst of page opens, background builds made each page open 3-4x slower."""

    #: a page not drawn after this long (its browser went away) no longer holds anything back
    STALE_S = 15.0
    #: a page whose browser has not connected after this long has no browser (a link preview
    #: fetching a shared link, a health probe): it no longer holds anything back either (Bokeh
    #: keeps such a session for 15 s)
    CONNECT_S = 5.0

    def __init__(self) -> None:
        # id of the page's store -> (when it was built, whether its browser has connected)
        self._started: dict[int, tuple[float, Callable[[], bool]]] = {}

    def begin(self, page: object, connected: Callable[[], bool] = lambda: True) -> None:
        self._started[id(page)] = (time.monotonic(), connected)

    def end(self, page: object) -> None:
        self._started.pop(id(page), None)

    def others(self, page: object) -> bool:
        """Whether a page other than `page` is opening."""
        now = time.monotonic()
        for key, (started, connected) in list(self._started.items()):
            age = now - started
            if age > self.STALE_S:
                self._started.pop(key, None)
            elif key != id(page) and (age <= self.CONNECT_S or connected()):
                return True
        return False


OPENING = _Opening()


class LatestWins:
    """Runs `compute(inputs)` off the loop for the newest `request(inputs)` and hands its result
    to `apply(inputs, result)` on the loop. `slow(True)` is called when a computation has run
    for LOADING_DELAY_S (show a loading state), `slow(False)` once it is applied or dropped."""

    def __init__(self, compute: Callable[[Any], Any], apply: Callable[[Any, Any], None],
                 slow: Callable[[bool], None] | None = None,
                 schedule: Callable[[Callable], None] | None = None,
                 locked: Callable[[Callable], None] | None = None,
                 delay: float = LOADING_DELAY_S) -> None:
        self.compute, self.apply, self.slow = compute, apply, slow or (lambda _on: None)
        self.schedule = schedule or _schedule_on_loop
        # how a page change is made: by default as a callback of the session's document, with
        # Bokeh's document lock held, so Bokeh sends the changes when it returns
        self.locked = locked or _with_document_lock
        self.delay = delay
        self.requested = 0  # request counter; the newest one wins
        self.applied = 0
        self.computed = 0  # how many computations ran (tests count them)
        self._inputs: Any = None
        self._running = False

    def request(self, inputs: Any) -> None:
        self.requested += 1
        self._inputs = inputs
        if not self._running:
            self._running = True
            self.schedule(self._run)

    @property
    def busy(self) -> bool:
        return self._running

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        IN_FLIGHT.begin()
        try:
            while self.applied < self.requested:
                wanted, inputs = self.requested, self._inputs
                timer = loop.call_later(self.delay, self.locked, partial(self._slow, wanted))
                started = time.perf_counter()
                try:
                    self.computed += 1
                    result = await asyncio.to_thread(self.compute, inputs)
                finally:
                    timer.cancel()
                computed = time.perf_counter()
                if wanted != self.requested:
                    continue  # a newer request came in: its inputs are computed next
                self.applied = wanted
                self.locked(partial(self._apply, inputs, result))
                log.debug("update computed in %.1f ms", (computed - started) * 1e3)
        except Exception:  # noqa: BLE001 - compute/apply report their own errors
            log.exception("a dashboard update failed")
            self.applied = self.requested
            self.locked(partial(self.slow, False))
        finally:
            self._running = False
            IN_FLIGHT.end()
        if self.applied < self.requested:  # a request that arrived during `apply`
            self._running = True
            self.schedule(self._run)

    def _slow(self, wanted: int) -> None:
        if self.applied < wanted:  # still computing (not applied or overtaken meanwhile)
            self.slow(True)

    def _apply(self, inputs: Any, result: Any) -> None:
        self.slow(False)
        self.apply(inputs, result)


def _with_document_lock(callback: Callable) -> None:
    """Run `callback` on the session's event loop as a document callback (Bokeh holds the
    document lock and sends every change it makes when it returns). Changing the page from a
    coroutine that runs without the lock left the changes held until the page's next message."""
    import panel as pn

    pn.state.execute(callback, schedule=True)


def _schedule_on_loop(coroutine_function: Callable) -> None:
    """On the session's event loop (Panel sets the session's document as current)."""
    import panel as pn

    pn.state.execute(coroutine_function)
