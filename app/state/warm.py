"""The page every session opens first (all business users, the whole activity span) is the
most expensive to compute — seconds at 100× the platform's size — and the same for every
admin session. It is computed once per data version in the background, as soon as a served
session or a new warehouse file is seen, and pinned in the result cache (`app.state.results`)."""

from __future__ import annotations

import logging
import threading

_seen: set = set()
_lock = threading.Lock()
log = logging.getLogger(__name__)


def warm_first_page(layer) -> threading.Thread | None:
    """Start computing the all-data first page for the current data version, once per version
    and warehouse; returns the thread started (None if this version was already warmed)."""
    version = layer.data_version
    key = (id(layer), version)
    with _lock:
        if key in _seen:
            return None
        _seen.add(key)
    thread = threading.Thread(target=_warm, args=(layer, version), daemon=True,
                              name="campaign-bi-warm")
    thread.start()
    return thread


def _warm(layer, version: str) -> None:
    from app.state import queries, store
    from app.state.results import pinning

    try:
        with pinning(version):
            store.DashboardState(layer)  # not served: computes and completes the first page
        queries.RESULTS.unpin_except(version)
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
        log.exception("warming the first page failed")
