"""Numeric settings read from the environment. A value that does not parse stops with one line
naming the variable and the value (a bare `int()` said only "invalid literal for int()")."""

from __future__ import annotations

import os
from collections.abc import Mapping


def env_int(name: str, default: int, minimum: int = 0,
            environ: Mapping[str, str] | None = None) -> int:
    """`name` from the environment as a whole number of at least `minimum`; `default` when it
    is unset or empty."""
    env = os.environ if environ is None else environ
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {raw[:40]!r}")
    return value
