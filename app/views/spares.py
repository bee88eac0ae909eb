"""Chart figures made before a session asks for them: opening a page takes spares instead of
making its views' Bokeh figures then.

Making a view's figures is most of its build (the four hvPlot trend charts ~250 ms of Python,
Lead outcomes' ~85 ms, Segments' ~60 ms) and runs in the process's one build thread. With
several pages showing the same tab at once, each page's build waited behind the others' (a
four-page benchmark: Lead outcomes' view reached the page 310-715 ms after the click). A spare
is session-free (no callback, no data: figures with their sources, tools and styling), so a
view binds its clicks and draws its data as it would with figures made on the spot; built from
spares, a view takes 5-20 ms, so a page's hidden views are put on it as it opens
(app/views/ahead.py).

Each process keeps `SIZE` spares of every registered part, made one at a time in the build
thread while no session's update is computing and no page is opening, so filling them never
competes with a click.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable

from app.settings import env_int
from app.state.refresh import IN_FLIGHT, OPENING

log = logging.getLogger(__name__)

#: Spares kept per part and process: a team's pages opening together each find theirs.
SIZE = env_int("CAMPAIGN_BI_SPARE_VIEWS", 4)
#: How often a waiting fill looks whether the process is free again.
POLL_S = 0.05


def _busy() -> bool:
    """An update computing, or a page being opened (its browser still drawing it)."""
    return bool(IN_FLIGHT.count) or OPENING.others(None)


class Spares:
    """Parts registered by name with the function that makes one; `take(name)` hands out a
    spare (or makes one on the spot when none is left) and `fill()` makes them up to `size`."""

    def __init__(self, size: int = SIZE, busy: Callable[[], bool] = _busy) -> None:
        self.size = size
        self._busy = busy
        self._makers: dict[str, Callable[[], object]] = {}
        self._ready: dict[str, deque] = {}
        self._lock = threading.Lock()
        # one fill task per event loop (a process serves its sessions from one loop)
        self._filling: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.taken = 0  # handed out from the pool (tests)
        self.made_on_demand = 0  # none was left

    def register(self, name: str, make: Callable[[], object]) -> str:
        """Keep spares of part `name`, made by `make()`; returns `name` (for `take`)."""
        with self._lock:
            self._makers[name] = make
            self._ready.setdefault(name, deque())
        return name

    def take(self, name: str):
        """A spare of `name` (never handed out twice), or one made now. Safe in any thread;
        making one now belongs where views are built (the build thread)."""
        with self._lock:
            ready = self._ready[name]
            if ready:
                self.taken += 1
                return ready.popleft()
            self.made_on_demand += 1
            make = self._makers[name]
        return make()

    def take_all(self, names) -> dict | None:
        """One spare of each of `names`, or None (and nothing taken) when one has none left."""
        with self._lock:
            if not all(self._ready[name] for name in names):
                return None
            self.taken += len(names)
            return {name: self._ready[name].popleft() for name in names}

    def count(self, name: str) -> int:
        return len(self._ready[name])

    def _next_missing(self) -> str | None:
        with self._lock:
            counts = {name: len(ready) for name, ready in self._ready.items()
                      if len(ready) < self.size}
        return min(counts, key=counts.get) if counts else None  # the emptiest first

    def fill_soon(self) -> None:
        """Start filling the spares on the running event loop, unless that already runs (or
        there is no running loop: tests make parts on demand)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = self._filling.get(loop)
        if task is None or task.done():
            # in a context of its own: the caller's holds its session's document (Panel's
            # current document), which a task keeps alive as long as it is referenced (a load
            # test found one session's store alive 92 s after it closed)
            task = loop.create_task(self.fill(), context=contextvars.Context())
            self._filling[loop] = task
            task.add_done_callback(lambda _done: self._filling.pop(loop, None))

    async def fill(self) -> None:
        """Make missing spares one at a time in the build thread, each only while the process
        is free."""
        from app.views.live import make_in_worker  # live imports this module

        while (name := self._next_missing()) is not None:
            while self._busy():
                await asyncio.sleep(POLL_S)
            try:
                part = await make_in_worker(self._makers[name])
            except Exception:  # noqa: BLE001 - the part is made on demand instead
                log.exception("making a spare %s failed", name)
                return
            with self._lock:
                self._ready[name].append(part)


SPARES = Spares()
