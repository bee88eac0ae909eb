"""The dashboard's process-wide result cache: query results keyed by (piece, filter state,
warehouse, data version), shared by every session, least recently used first out.

Results computed while `pinning()` is active (the first page every session opens, computed
ahead by `app.state.warm`) are also kept apart from the LRU, so busy sessions cannot evict the page
the next visitor opens; pins of older data versions are dropped when new ones are made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_local = threading.local()
_MISSING = object()


class ResultCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._pinned: dict = {}
        self._running: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable):
        """The cached value of `key`, else `compute()` stored under it. A key being computed by
        another thread is waited for, not computed again: sessions opening the same page at
        once (or re-asking while it loads) cost one computation."""
        with self._lock:
            found = self._lookup(key)
            if found is not _MISSING:
                return found
            running = self._running.get(key)
            if running is None:
                self._running[key] = done = threading.Event()
        if running is not None:
            running.wait()
            with self._lock:
                found = self._lookup(key)
            return found if found is not _MISSING else compute()  # the other one failed
        try:
            value = compute()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                if getattr(_local, "version", None) is not None:
                    self._pinned[key] = value
            return value
        finally:
            with self._lock:
                self._running.pop(key, None)
            done.set()

    def _lookup(self, key: tuple):
        if key in self._pinned:
            return self._pinned[key]
        if key in self._items:
            self._items.move_to_end(key)
            if getattr(_local, "version", None) is not None:
                self._pinned[key] = self._items[key]
            return self._items[key]
        return _MISSING

    def unpin_except(self, version: str) -> None:
        """Drop the pins of every data version but `version` (keys end with the version)."""
        with self._lock:
            self._pinned = {k: v for k, v in self._pinned.items() if k[-1] == version}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._pinned.clear()

    def __len__(self) -> int:
        return len(self._items)


@contextmanager
def pinning(version: str) -> Iterator[None]:
    """Pin what this thread computes (for data version `version`) until the next version."""
    _local.version = version
    try:
        yield
    finally:
        _local.version = None
