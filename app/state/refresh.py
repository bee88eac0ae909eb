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
    """The updates of this process's sessions: how many are computing right now, and when each
    session's last one started or ended. Background work (building hidden views ahead) waits
    while any is computing or another session has just clicked, so it never slows a click."""

    def __init__(self) -> None:
        self.count = 0
        # id of the owner (a session's store) -> its last activity; ids, so that no session is
        # kept alive from here
        self._last: dict[int, float] = {}

    def begin(self, owner: object) -> None:
        self.count += 1
        self._last[id(owner)] = time.monotonic()

    def end(self, owner: object) -> None:
        self.count -= 1
        self._last[id(owner)] = time.monotonic()

    def touch(self, owner: object) -> None:
        """`owner`'s user did something that costs no update (a tab shown): as busy as one."""
        self._last[id(owner)] = time.monotonic()

    def others_recent(self, owner: object, within_s: float) -> bool:
        """Whether a session other than `owner` started or finished an update in the last
        `within_s` seconds."""
        return _other_within(self._last, owner, within_s, forget_s=max(within_s, 5.0))


def _other_within(stamps: dict[int, float], session: object, within_s: float,
                  forget_s: float) -> bool:
    """Whether `stamps` (id of a session -> a time) holds a session other than `session` stamped
    in the last `within_s` seconds; stamps older than `forget_s` are dropped on the way."""
    now = time.monotonic()
    found = False
    for key, when in list(stamps.items()):
        if now - when > forget_s:
            stamps.pop(key, None)
        elif now - when <= within_s and key != id(session):
            found = True
    return found


IN_FLIGHT = _InFlight()


class _Opening:
    """The pages of this process being opened: built, not yet drawn by their browser. Work that
    can wait (another session's hidden views) holds back meanwhile: in a burst of page opens,
    every session building its hidden views at once made each page open 3-4x slower."""

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


#: How long after another session's last update the process counts as busy. Users of a busy
#: team click every few seconds, with gaps of tens of ms between two of them; putting a hidden
#: view on the page costs the event loop ~0.1-0.3 s, and in a gap it still delayed the next
#: click (a load test's profile: 40% of the loop's busy time was such work).
QUIET_S = 2.0


def is_quiet(page: object) -> bool:
    """No update is computing, no session but `page` has updated (or shown a tab) in the last
    QUIET_S and no other page is opening."""
    return not (IN_FLIGHT.count or IN_FLIGHT.others_recent(page, QUIET_S)
                or OPENING.others(page))


async def wait_quiet(page: object, poll_s: float = 0.05, limit_s: float = 20.0) -> bool:
    """Wait until `is_quiet(page)`; True then, False when that did not happen within `limit_s`
    (a busy server: the work is better left undone, done later only if it is needed)."""
    waited = 0.0
    while not is_quiet(page):
        if waited >= limit_s:
            return False
        await asyncio.sleep(poll_s)
        waited += poll_s
    return True


class LatestWins:
    """Runs `compute(inputs)` off the loop for the newest `request(inputs)` and hands its result
    to `apply(inputs, result)` on the loop. `slow(True)` is called when a computation has run
    for LOADING_DELAY_S (show a loading state), `slow(False)` once it is applied or dropped."""

    def __init__(self, compute: Callable[[Any], Any], apply: Callable[[Any, Any], None],
                 slow: Callable[[bool], None] | None = None,
                 schedule: Callable[[Callable], None] | None = None,
                 locked: Callable[[Callable], None] | None = None,
                 delay: float = LOADING_DELAY_S, owner: object = None) -> None:
        """`owner`: the session (its store) this runs for, as background work sees it."""
        self.compute, self.apply, self.slow = compute, apply, slow or (lambda _on: None)
        self.owner = owner if owner is not None else self
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
        IN_FLIGHT.begin(self.owner)
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
            IN_FLIGHT.end(self.owner)
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
