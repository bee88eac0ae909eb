"""Components made ahead for the sessions to come. Rendering the four hvPlot trend charts is
~0.4-0.9 s of Python per session, most of a page's background work: done for the next pages
while the process is calm, a page opening takes a ready set at once and its hidden views are on
the page before the user's first click (a click meeting them waited up to 1.5 s).

Each item goes to exactly one session. Items are made in the process's build thread
(`app.views.live`), where every HoloViews render runs."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")

#: every store of the process, refilled by `app.views.ahead` when calm
STORES: list[ReadyMade] = []


class ReadyMade(Generic[Item]):
    def __init__(self, make: Callable[[], Item], keep: int) -> None:
        self.make, self.keep = make, keep
        self._ready: deque[Item] = deque()
        self._lock = threading.Lock()
        STORES.append(self)

    def take(self) -> Item:
        """A ready item, or one made now when none is left."""
        with self._lock:
            if self._ready:
                return self._ready.popleft()
        return self.make()

    @property
    def short(self) -> bool:
        with self._lock:
            return len(self._ready) < self.keep

    def make_one(self) -> None:
        """Add one item if fewer than `keep` are ready (build thread)."""
        if self.short:
            item = self.make()
            with self._lock:
                self._ready.append(item)

    def clear(self) -> None:
        with self._lock:
            self._ready.clear()
