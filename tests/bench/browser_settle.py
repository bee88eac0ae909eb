"""Pure part of the browser benchmark (tests/bench/browser.py): what the page recorded
(websocket frames, DOM mutation batches, input events, each with its performance.now() time) →
when a click SETTLED, and the statistics per kind of click. No browser here: unit-tested by
tests/browser/test_bench_browser.py.

Settled = the later of (a) the last websocket message from the server that changes the page and
(b) the last DOM change, counted from the click; the page is settled once neither happened for
QUIET_MS. What happens on an idle page is not a change (see `IDLE_FILTER`). While the click is
visibly still being worked on (a message the click sent has not been answered yet, or a view
shows Panel's loading spinner) the page is not settled however long the gap: the app answered
a click in several bursts with gaps of up to ~500 ms between them (measured on this machine),
so a quiet window alone ended some clicks early. The busy indicator is not waited for: Panel
also turns it on for ~500 ms around the periodic callbacks of an idle page.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Nothing that counts for this long after the last change: settled.
QUIET_MS = 500.0
#: No settle within this long after the click: a timeout (counted apart, not in the figures).
TIMEOUT_MS = 20_000.0

#: ModelChanged attributes that only show that the server is busy or a view is loading.
IDLE_ATTRS = frozenset({"css_classes", "busy"})
#: Classes of Panel's loading spinner (`loading=True` on a component) and its styles.
LOADING_CLASSES = frozenset({"pn-loading", "pn-arc", "pn-bar", "pn-dot", "pn-dots", "pn-pulse",
                             "pn-spinner", "pn-wave"})
#: The template's busy indicator (a LoadingSpinner pane): class "loader", spinning with "spin".
BUSY_CLASS, BUSY_SPIN = "loader", "spin"

IDLE_FILTER = (
    "Measured on an idle page (12 s, nothing clicked) while the template still had a busy "
    "indicator (it has none since 2026-12-07; the filter is unchanged and each run checks the "
    "idle page again, `idle_check`): the only websocket messages were PATCH-DOC messages whose "
    "single event is a ModelChanged of `css_classes` on that indicator (classes `loader light` "
    "↔ `loader spin dark-light`; Panel turned it on around the session's periodic callbacks: "
    "the data-freshness check every 5 s), and the only DOM mutations were that indicator's "
    "class changes and the restyling of its own shadow root. "
    "Not counted as a change, therefore: messages whose events all change `css_classes` (or "
    "`busy`) — the busy indicator and Panel's loading spinner, which is the same kind of class "
    "toggle; messages that change nothing on the page (OK, ACK); mutations inside the busy "
    "indicator; class changes that only add or remove the loading spinner's classes "
    "(`pn-loading`, `pn-arc`, …). Also not counted: a class attribute that ends a mutation "
    "batch as it began it (Tabulator removes and re-adds cell classes), and a mutation of an "
    "element that is not rendered (a hidden tab, a closed pop-up). Canvas redraws of Bokeh plots are no DOM mutation; the "
    "message carrying their data counts.")


# -- websocket frames → Bokeh messages -------------------------------------------------------
@dataclass
class Message:
    """One Bokeh protocol message: header, metadata, content (JSON text frames), then for each
    buffer a JSON reference frame and a binary frame. `t` is the time of its last frame (the
    page applies it only once every buffer is in); `sent` marks the page's own messages."""

    t: float
    header: dict
    content: str = ""
    sent: bool = False

    @property
    def msgtype(self) -> str:
        return str(self.header.get("msgtype", ""))


@dataclass
class Assembler:
    """Frames of one direction of one websocket, in order, possibly across several drains."""

    sent: bool = False
    _header: dict | None = None
    _texts: list[str] = field(default_factory=list)
    _buffers_left: int = 0

    def feed(self, t: float, text: str | None) -> Message | None:
        """The next frame (text, or None for a binary one); the message it completes."""
        if self._header is None:
            header = _json(text) if text is not None else None
            if not isinstance(header, dict) or "msgtype" not in header:
                return None  # not a header: the rest of a message begun before recording
            self._header, self._texts = header, []
            self._buffers_left = 2 * int(header.get("num_buffers") or 0)
            return None
        if len(self._texts) < 2:
            self._texts.append(text if text is not None else "")
            if len(self._texts) < 2 or self._buffers_left:
                return None
        else:
            self._buffers_left -= 1
            if self._buffers_left > 0:
                return None
        done = Message(t, self._header, self._texts[1], self.sent)
        self._header, self._texts, self._buffers_left = None, [], 0
        return done


def _json(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def message_events(message: Message) -> list[dict]:
    parsed = _json(message.content)
    events = parsed.get("events") if isinstance(parsed, dict) else None
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def is_rendering(message: Message) -> bool:
    """Does this server message change the page? PATCH-DOC (and the whole document: PULL-DOC-
    REPLY) do, unless every event only toggles the busy indicator or a loading spinner (a
    ModelChanged of `css_classes` or `busy`); replies (OK, ERROR) and ACK do not."""
    if message.sent:
        return False
    if message.msgtype == "PULL-DOC-REPLY":
        return True
    if message.msgtype != "PATCH-DOC":
        return False
    events = message_events(message)
    if not events and message.content and _json(message.content) is None:
        return True  # unreadable content (should not happen): count it, never hide a change
    return any(not (e.get("kind") == "ModelChanged" and e.get("attr") in IDLE_ATTRS)
               for e in events)


# -- DOM mutations ---------------------------------------------------------------------------
def _classes(text: str | None) -> set[str]:
    return set((text or "").split())


def mutation_counts(mutation: dict) -> bool:
    """A visible DOM change that is not idle noise (`visible` false: the element it changed,
    or the parent a node was added to or removed from, is not rendered, e.g. a closed
    calendar pop-up)."""
    return mutation_ignored(mutation) is None


def mutation_ignored(mutation: dict) -> str | None:
    """Why a mutation is not a change of the page ("idle", "not visible", "no net change"),
    or None when it is one."""
    if mutation_is_idle(mutation):
        return "idle"
    if not mutation.get("visible", True):
        return "not visible"
    if mutation.get("type") == "attributes" and mutation.get("attr") == "class" and \
            _classes(mutation.get("old")) == _classes(mutation.get("new")):
        return "no net change"  # classes removed and put back within one batch
    return None


def mutation_is_idle(mutation: dict) -> bool:
    """A mutation the page also shows when idle or that only toggles a loading spinner.
    `mutation`: {"type", "tag", "cls" (target's classes now), "host" (classes of the shadow
    root's host, "" in the document), "attr", "old" / "new" (class before / after the batch)}."""
    if BUSY_CLASS in _classes(mutation.get("host")) or BUSY_CLASS in _classes(mutation.get("cls")):
        return True  # the busy indicator: its classes and its shadow root's styles
    if mutation.get("type") == "attributes" and mutation.get("attr") == "class":
        changed = _classes(mutation.get("old")) ^ _classes(mutation.get("new"))
        return bool(changed) and changed <= LOADING_CLASSES
    return False


# -- one step --------------------------------------------------------------------------------
@dataclass
class Step:
    """Settle tracking for one page: feed it every drain of the page's log (`feed`), start a
    click with `begin`, ask `settled`. Keeps the busy/loading state across steps."""

    quiet_ms: float = QUIET_MS
    timeout_ms: float = TIMEOUT_MS
    started: float | None = None
    last_change: float | None = None
    last_message: float | None = None  # the last server message that changed the page
    last_reply: float | None = None
    changes: int = 0
    ignored_messages: int = 0
    ignored_mutations: int = 0
    busy: bool = False
    loading: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)
    _incoming: dict[int, Assembler] = field(default_factory=dict)
    _outgoing: dict[int, Assembler] = field(default_factory=dict)
    _marked: float | None = None
    ignored_kinds: dict[str, int] = field(default_factory=dict)
    recorder_ms: float = 0.0  # the page's recording work during this step (its own cost)
    #: With `trace` on: (time, what) of every change counted in the current step.
    trace: bool = False
    traced: list[tuple[float, str]] = field(default_factory=list)

    def begin(self, marked: float) -> None:
        """A new step; `marked` = page time just before the action (fallback start when the
        action produced no input event, e.g. a navigation)."""
        self.started, self._marked = None, marked
        self.last_change = self.last_message = self.last_reply = None
        self.changes = self.ignored_messages = self.ignored_mutations = 0
        self.pending.clear()
        self.traced = []
        self.recorder_ms = 0.0

    def feed(self, drained: dict) -> None:
        """One drain of the page log: {"inputs": [[t, type]], "frames": [[t, socket, dir,
        text|None]], "muts": [[t, {mutation}]]}; mutations and frames are time-ordered."""
        inputs = [t for t, _kind in drained.get("inputs", [])
                  if self._marked is None or t >= self._marked - 1]
        if self.started is None and inputs:
            self.started = min(inputs)
        self.recorder_ms += float(drained.get("cost") or 0.0)
        for t, socket, direction, text in drained.get("frames", []):
            table = self._outgoing if direction == "out" else self._incoming
            assembler = table.setdefault(socket, Assembler(sent=direction == "out"))
            message = assembler.feed(t, text)
            if message is not None:
                self._message(message)
        for t, mutation in drained.get("muts", []):
            why = mutation_ignored(mutation)
            if why:
                self.ignored_mutations += 1
                self._count_ignored(f"mutation {mutation.get('type')} "
                                    f"{mutation.get('attr') or ''} ({why})")
            else:
                self._change(t, mutation)

    def _count_ignored(self, what: str) -> None:
        self.ignored_kinds[what] = self.ignored_kinds.get(what, 0) + 1

    def _message(self, message: Message) -> None:
        if message.sent:
            if message.msgtype == "PATCH-DOC" and self._marked is not None \
                    and message.t >= self._marked - 1:
                self.pending.add(str(message.header.get("msgid")))
            return
        if message.msgtype in ("OK", "ERROR"):
            if str(message.header.get("reqid")) in self.pending:
                self.pending.discard(str(message.header.get("reqid")))
                self.last_reply = max(self.last_reply or message.t, message.t)
            return
        for event in message_events(message):
            if event.get("kind") == "ModelChanged" and event.get("attr") == "css_classes":
                new = event.get("new")
                classes = set(new) if isinstance(new, list) else set()
                model = str((event.get("model") or {}).get("id"))
                if BUSY_CLASS in classes:
                    self.busy = BUSY_SPIN in classes
                elif "pn-loading" in classes:
                    self.loading.add(model)
                else:
                    self.loading.discard(model)
        if is_rendering(message):
            self._change(message.t, message)
            start = self.start
            if start is not None and message.t >= start:
                self.last_message = max(self.last_message or message.t, message.t)
        else:
            self.ignored_messages += 1
            self._count_ignored(f"message {message.msgtype} (busy/loading only)"
                                if message.msgtype == "PATCH-DOC" else
                                f"message {message.msgtype}")

    def _change(self, t: float, what: object) -> None:
        start = self.start
        if start is not None and t >= start:
            self.last_change = t if self.last_change is None else max(self.last_change, t)
            self.changes += 1
            if self.trace:
                self.traced.append((round(t - start, 1), _describe(what)))

    @property
    def start(self) -> float | None:
        return self.started if self.started is not None else self._marked

    @property
    def working(self) -> bool:
        """The click is visibly still being worked on: a message it sent is unanswered, or a
        view shows a loading spinner (`busy`, the template's indicator, is only reported)."""
        return bool(self.loading) or bool(self.pending)

    def end(self) -> float | None:
        """When the step's last change (or the reply to its own message) happened."""
        marks = [t for t in (self.last_change, self.last_reply) if t is not None]
        return max(marks) if marks else None

    def quiet(self, now: float) -> bool:
        """Nothing changed for quiet_ms (since the click when nothing changed)."""
        start = self.start
        if start is None:
            return False
        last = self.end()
        return now - (start if last is None else last) >= self.quiet_ms

    def settled(self, now: float) -> bool:
        """Quiet for quiet_ms after the last change, and nothing still being worked on."""
        return self.quiet(now) and not self.working

    def timed_out(self, now: float) -> bool:
        start = self.start
        return start is not None and now - start > self.timeout_ms

    def elapsed_ms(self) -> float:
        """Click → settled (0 when nothing changed and nothing was answered)."""
        start, end = self.start, self.end()
        return max(0.0, end - start) if start is not None and end is not None else 0.0

    def message_ms(self) -> float | None:
        """Click → the last server message that changed the page (None: there was none); what
        follows it until settled is the browser's own work (applying and drawing it)."""
        start = self.start
        return self.last_message - start if start is not None and self.last_message else None


def _describe(what: object) -> str:
    if isinstance(what, Message):
        events = message_events(what)
        kinds = sorted({f"{e.get('kind')}:{e.get('attr', '')}" for e in events})
        return f"message {what.msgtype} {' '.join(kinds)[:120]}"
    if isinstance(what, dict):
        return (f"mutation {what.get('type')} {what.get('attr', '')} <{what.get('tag')} "
                f"class='{str(what.get('cls'))[:60]}'> host='{str(what.get('host'))[:40]}'")
    return str(what)


# -- statistics ------------------------------------------------------------------------------
def p95(values: list[float]) -> float:
    """Nearest-rank on the sorted values, as tests/bench/timing.p95."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def summarize(samples: Iterable[tuple]) -> dict[str, dict]:
    """{kind: {count, timeouts, median_ms, p95_ms, max_ms[, message_median_ms]}} for (kind, ms
    or None = timeout[, ms to the last server message or None]) samples, plus "all clicks" over
    every sample."""
    by_kind: dict[str, list[tuple]] = {}
    for kind, ms, *rest in samples:
        by_kind.setdefault(kind, []).append((ms, *rest))
        by_kind.setdefault("all clicks", []).append((ms, *rest))
    out = {}
    for kind, values in by_kind.items():
        done = [v[0] for v in values if v[0] is not None]
        out[kind] = {"count": len(done), "timeouts": len(values) - len(done),
                     "median_ms": round(statistics.median(done), 1) if done else None,
                     "p95_ms": round(p95(done), 1) if done else None,
                     "max_ms": round(max(done), 1) if done else None}
        messages = [v[1] for v in values if len(v) > 1 and v[0] is not None and v[1] is not None]
        if messages:
            out[kind]["message_median_ms"] = round(statistics.median(messages), 1)
    if "all clicks" in out:
        out["all clicks"] = out.pop("all clicks")  # last
    return out


# -- targets ---------------------------------------------------------------------------------
#: (what, scale, pages, kind, statistic, limit in ms)
TARGETS = (
    ("1 page: all clicks p95 ≤ 300 ms", "1", 1, "all clicks", "p95_ms", 300.0),
    ("1 page: all clicks p95 ≤ 500 ms", "100", 1, "all clicks", "p95_ms", 500.0),
    ("4 pages: all clicks p95 ≤ 600 ms", "1", 4, "all clicks", "p95_ms", 600.0),
    ("4 pages, served as `just serve-prod` (2 processes): all clicks p95 ≤ 600 ms", "1",
     "4-n2", "all clicks", "p95_ms", 600.0),
    ("page open (KPIs visible) p95 ≤ 2 s", "1", 1, "page open to KPIs", "p95_ms", 2000.0),
)


def verdicts(result: dict) -> list[tuple[str, str, str, str]]:
    """(target, scale, figure, verdict) for each of TARGETS from a docs/browser_latency.json
    object; a click that timed out counts against its target."""
    out = []
    for what, scale, pages, kind, stat, limit in TARGETS:
        entry = (result.get("runs") or {}).get(f"s{scale}-p{pages}")
        figures = None
        if entry:
            figures = (entry.get("page_open") or {}).get(kind) or (entry.get("kinds") or {}).get(
                kind)
        if not figures or figures.get(stat) is None:
            out.append((what, scale, "–", "not measured"))
            continue
        value, timeouts = figures[stat], figures.get("timeouts", 0)
        figure = f"{value:,.0f} ms" + (f" ({timeouts} timed out)" if timeouts else "")
        ok = value <= limit and not timeouts
        out.append((what, scale, figure, "met" if ok else "**not met**"))
    return out
