"""Thread-safe bookkeeping of which models a page already has.

Bokeh sends a model in full only while it is in the document's set of new models; every patch
it serializes then rewrites that set (`DocumentModelManager.flush_synced`), and attaching models
adds to it (`recompute`). Neither is atomic. With `panel serve --num-threads`, a session's
widget events run on worker threads while its refresh runs on the event loop, so both can touch
one document at once: a model attached during another thread's flush was dropped from the set
and later sent as a bare reference the page had never received ("reference … isn't known" in
the browser; `just load` found it). One lock makes the two operations atomic.
"""

from __future__ import annotations

import functools
import threading

from bokeh.document.models import DocumentModelManager

_LOCK = threading.RLock()


def _locked(method):
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with _LOCK:
            return method(self, *args, **kwargs)
    locked.__wrapped_by_campaign_bi__ = True
    return locked


def install() -> None:
    """Make `flush_synced` and `recompute` atomic (idempotent)."""
    for name in ("flush_synced", "recompute"):
        method = getattr(DocumentModelManager, name)
        if not getattr(method, "__wrapped_by_campaign_bi__", False):
            setattr(DocumentModelManager, name, _locked(method))
