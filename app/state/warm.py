"""The page every session opens first (all business users, the whole activity span) is the
most expensive to compute — seconds at 100× the platform's size — and the same for every
admin session; so are the quick date picks (last 7/30/90 days, this month) an admin clicks next
(about a second each at 100× when first asked, instant once cached) and the list of campaigns
the campaign search looks through (~0.3 s at 100×). All of them are computed once per data
version in the background, the first page first, as soon as a served session or a new
warehouse file is seen, and pinned in the result cache (`app.state.results`)."""

from __future__ import annotations

import logging
import threading

_seen: set = set()
_lock = threading.Lock()
log = logging.getLogger(__name__)


def warm_first_page(layer) -> threading.Thread | None:
    """Start computing the all-data first page and its quick date picks for the current data
    version, once per version and warehouse; returns the thread started (None if this version
    was already warmed)."""
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
    from app.state.viewdata import QUICK_RANGES

    try:
        with pinning(version):
            page = store.DashboardState(layer)  # not served: computes and completes the page
            page.searchable(page.filter_state())  # what the campaign search looks through
            for name in QUICK_RANGES:
                if layer.data_version != version:
                    break  # newer data arrived: its own warm-up takes over
                wanted = page.quick_range(name)
                if wanted is not None and wanted != page.date_range:
                    page.date_range = wanted  # computed and completed at once (not served)
        queries.RESULTS.unpin_except(version)
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
        log.exception("warming the first page failed")
