"""Server-side probes for the load test, run inside `panel serve` by `--setup` (never imported
by the app): times every dashboard store refresh and counts live stores, so the load driver
can report server-side latency and see sessions being freed. Output: JSON lines appended to
$CAMPAIGN_BI_LOAD_EVENTS and a status file per server process, $CAMPAIGN_BI_LOAD_EVENTS.status.PID,
rewritten twice a second (after a full garbage collection when $CAMPAIGN_BI_LOAD_EVENTS.gc was
touched since the last one: with `--num-procs` every process answers the same request)."""

from __future__ import annotations

import gc
import json
import os
import resource
import threading
import time
import weakref
from pathlib import Path

import panel as pn

from app.state import store as store_module

EVENTS = Path(os.environ.get("CAMPAIGN_BI_LOAD_EVENTS", "load-events.jsonl"))
STATUS = EVENTS.with_name(f"{EVENTS.name}.status.{os.getpid()}")
GC_REQUEST = EVENTS.with_name(EVENTS.name + ".gc")
_LOCK = threading.Lock()
_LIVE: weakref.WeakSet = weakref.WeakSet()
_State = store_module.DashboardState


def _emit(**record) -> None:
    line = json.dumps({"t": time.time(), **record}) + "\n"
    with _LOCK, EVENTS.open("a", encoding="utf-8") as f:
        f.write(line)


_init = _State.__init__
_refresh = _State.refresh
_request = _State.request_refresh
_apply = _State._apply


def __init__(self, *args, **kwargs):  # noqa: N807 - replaces the class's own
    started = time.perf_counter()
    _init(self, *args, **kwargs)
    _LIVE.add(self)
    _emit(kind="session", seconds=time.perf_counter() - started, error=self.error or None)
    doc = pn.state.curdoc
    if doc is not None:  # served: note when Bokeh drops the session
        doc.on_session_destroyed(lambda _context: _emit(kind="destroyed"))


def refresh(self, *args, **kwargs):
    started = time.perf_counter()
    data = _refresh(self, *args, **kwargs)
    _emit(kind="refresh_sync", seconds=time.perf_counter() - started, error=self.error or None)
    return data


def request_refresh(self, *args, **kwargs):
    """A served refresh runs from the first request not yet shown until its result is applied
    (later requests in between join it: the newest wins)."""
    if getattr(self, "_load_requested_at", None) is None:
        self._load_requested_at = time.perf_counter()
    return _request(self, *args, **kwargs)


def _timed_apply(self, inputs, result):
    _apply(self, inputs, result)
    started, self._load_requested_at = getattr(self, "_load_requested_at", None), None
    if started is not None:
        _emit(kind="refresh", seconds=time.perf_counter() - started, error=self.error or None)


_State.__init__ = __init__
_State.refresh = refresh
_State.request_refresh = request_refresh
_State._apply = _timed_apply


def _status_loop() -> None:
    collected_at = 0.0
    while True:
        time.sleep(0.5)
        try:
            asked = GC_REQUEST.stat().st_mtime
        except OSError:
            asked = 0.0
        collect = asked > collected_at
        if collect:
            gc.collect()
            collected_at = time.time()
            if os.environ.get("CAMPAIGN_BI_LOAD_DEBUG") and len(_LIVE):
                try:  # a debugging aid must not stop the status file
                    _dump_referrers(next(iter(_LIVE)))
                except Exception as exc:  # noqa: BLE001
                    EVENTS.with_name(EVENTS.name + ".referrers").write_text(repr(exc))
        status = {"t": time.time(), "pid": os.getpid(), "live_stores": len(_LIVE),
                  "collected": collected_at,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
        tmp = STATUS.with_name(STATUS.name + ".tmp")
        tmp.write_text(json.dumps(status), encoding="utf-8")
        os.replace(tmp, STATUS)


def _dump_referrers(obj) -> None:
    """Debugging a leak (CAMPAIGN_BI_LOAD_DEBUG=1): the shortest chain of references from a
    module, class or running frame to a store that should be gone. One pass over every object
    builds the reverse index (`gc.get_referrers` per step took minutes on a busy server)."""
    import types
    from collections import defaultdict, deque

    everything = gc.get_objects()
    referrers: dict[int, list] = defaultdict(list)
    for item in everything:
        for ref in gc.get_referents(item):
            referrers[id(ref)].append(item)
    ignore = {id(obj), id(_LIVE), id(everything), id(referrers)}
    parents: dict[int, object] = {id(obj): None}
    queue, found, dead_ends = deque([obj]), None, []
    while queue and found is None:
        item = queue.popleft()
        if not referrers.get(id(item)) or isinstance(item, types.FrameType):
            dead_ends.append(item)  # held from outside the heap: a thread's stack, C code
        for ref in referrers.get(id(item), ()):
            if id(ref) in parents or id(ref) in ignore or ref is queue or \
                    isinstance(ref, types.FrameType) and ref.f_code.co_name == "_dump_referrers":
                continue
            parents[id(ref)] = item
            session_module = isinstance(ref, types.ModuleType) and \
                str(getattr(ref, "__name__", "")).startswith("bokeh_app_")
            if (isinstance(ref, types.ModuleType | type) and not session_module) or (
                    isinstance(ref, dict) and str(ref.get("__name__", "")).startswith(
                        ("panel", "bokeh.", "param", "app.", "semantic", "tornado"))):
                found = ref
                break
            queue.append(ref)
    lines = []
    for end in [found] if found is not None else dead_ends[:5]:
        node = end
        while node is not None:
            lines.append(f"{type(node).__name__}: {repr(node)[:300]}")
            node = parents.get(id(node))
        lines.append("")
    del everything, referrers
    EVENTS.with_name(EVENTS.name + ".referrers").write_text("\n".join(lines) or "no root")


threading.Thread(target=_status_loop, name="load-probe", daemon=True).start()
