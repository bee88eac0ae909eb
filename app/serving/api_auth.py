"""Who may call the JSON API and how often: bearer tokens from the token file
(semantic/access/tokens.py, re-read when it changes) and a token-bucket rate limit per token.

The rate is CAMPAIGN_BI_API_RATE (requests per second, "20/s"; or per minute, "600/min"; "off"
for none), the burst CAMPAIGN_BI_API_BURST (default twice the per-second rate): a token may send
a burst of that many requests at once, then the rate. The buckets live in each server process's
memory: with `--num-procs N` a client spread over the processes gets up to N times the rate,
and a restart forgets them (docs/SECURITY.md).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from semantic.access.tokens import TokenStore, tokens_path

RATE_ENV = "CAMPAIGN_BI_API_RATE"
BURST_ENV = "CAMPAIGN_BI_API_BURST"
DEFAULT_RATE = "20/s"
_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|m|min|minute))?\s*")


@dataclass(frozen=True)
class RateConfig:
    per_second: float  # 0: no limit
    burst: float


def rate_config(environ: dict | None = None) -> RateConfig:
    """The rate limit from the environment; a value that does not parse stops the server at
    start (a typo must not silently remove the limit)."""
    env = os.environ if environ is None else environ
    raw = (env.get(RATE_ENV) or DEFAULT_RATE).strip().lower()
    if raw in ("off", "none", "0"):
        return RateConfig(0.0, 0.0)
    match = _RATE.fullmatch(raw)
    if not match or float(match[1]) <= 0:
        raise ValueError(f"{RATE_ENV} must look like 20/s or 600/min (or off), got {raw[:40]!r}")
    per_second = float(match[1]) / (60 if (match[2] or "s").startswith("m") else 1)
    burst_raw = (env.get(BURST_ENV) or "").strip()
    if burst_raw:
        try:
            burst = float(burst_raw)
        except ValueError:
            burst = 0.0
        if burst < 1:
            raise ValueError(f"{BURST_ENV} must be a number of requests of at least 1, got "
                             f"{burst_raw[:40]!r}")
    else:
        burst = max(1.0, 2 * per_second)
    return RateConfig(per_second, burst)


class RateLimiter:
    """A token bucket per key: it holds up to `burst` requests, refills at `per_second`; a
    request takes one or is refused with the seconds until one is there."""

    def __init__(self, config: RateConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (level, when)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """0 when the request may go ahead (and is counted); else seconds to wait."""
        rate, burst = self.config.per_second, self.config.burst
        if rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            level, when = self._buckets.get(key, (burst, now))
            level = min(burst, level + (now - when) * rate)
            if level >= 1:
                self._buckets[key] = (level - 1, now)
                return 0.0
            self._buckets[key] = (level, now)
            return (1 - level) / rate


def retry_after_header(seconds: float) -> str:
    """Retry-After takes whole seconds: rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


# -- the process's instances ---------------------------------------------------------------
_lock = threading.Lock()
_store: TokenStore | None = None
_limiter: RateLimiter | None = None


def token_store() -> TokenStore:
    """The token file this process checks (CAMPAIGN_BI_TOKENS, read at first use)."""
    global _store
    with _lock:
        if _store is None or _store.path != tokens_path():
            _store = TokenStore(tokens_path())
        return _store


def limiter() -> RateLimiter:
    global _limiter
    with _lock:
        if _limiter is None:
            _limiter = RateLimiter(rate_config())
        return _limiter


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None
