"""Slows online password guessing: after too many failed sign-ins from one address or for one
account name within a window, further tries are refused (without checking the password) until
the window has passed. In-process and in-memory: one `panel serve` process; a proxy's rate
limit (see docs/SECURITY.md) covers several processes."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginThrottle:
    def __init__(self, max_failures: int, window_s: float, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.window_s, self.max_keys = max_failures, window_s, max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0: it may try now)."""
        with self._lock:
            times = self._recent(key)
            if len(times) < self.max_failures:
                return 0.0
            return max(times[0] + self.window_s - self._clock(), 0.0)

    def failed(self, key: str) -> None:
        with self._lock:
            times = self._recent(key)
            times.append(self._clock())
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:  # bounded memory under a flood of names
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        horizon = self._clock() - self.window_s
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times
