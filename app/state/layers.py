"""One semantic layer per warehouse file and process, shared by every session.

It lives in an imported module on purpose: `panel serve` runs app/dashboard.py afresh for each
session, so a cache kept there would give every session its own DuckDB instance (memory, and
the first page warmed again per session)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

_LAYERS: dict = {}
_LOCK = threading.Lock()


def get_layer(path: Path):
    """The layer for `path` in this process (DuckDB's instance cache wants one connection per
    path; opened after any fork, keyed by pid)."""
    import semantic

    key = (str(Path(path).resolve()), os.getpid())
    with _LOCK:
        if key not in _LAYERS:
            _LAYERS[key] = semantic.connect(str(path))
        return _LAYERS[key]
