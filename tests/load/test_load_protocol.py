"""The load test's browserless users (tests/load/protocol.py) must load the server exactly as a
page does: a change they make runs the dashboard's callbacks and queries, the answer comes back
as patches with the right numbers, and their sessions are freed when they leave. And the client
must stay alive for a long session (Bokeh's own message loop dies of RecursionError after some
hundreds of patches).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import random
import re
from concurrent.futures import ThreadPoolExecutor

from app.views import format as fmt
from load.protocol import ProtocolSession
from load.sessions import Stats


def run_apart(coroutine):
    """asyncio.run on its own thread: the browser tests' Playwright keeps a loop running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def kpi_value(session: ProtocolSession, metric: str) -> str:
    """The value a KPI card shows in the session's copy of the page."""
    from bokeh.models import Markup

    pattern = re.compile(rf'data-metric="{metric}".*?class="kpi-value"[^>]*>([^<]*)<', re.S)
    for model in list(session.session.document.models):
        if isinstance(model, Markup) and (found := pattern.search(html.unescape(model.text))):
            return html.unescape(found.group(1))
    raise AssertionError(f"no {metric} card in the page")


def _days(picked) -> int:
    start, end = (dt.date.fromisoformat(str(day)) for day in picked)
    return (end - start).days


def _leads_card(layer, picked) -> str:
    """The leads card's text for the dates `picked`, as the semantic layer computes it."""
    leads = layer.query(["leads"], filters={"date_from": str(picked[0]),
                                            "date_to": str(picked[1])}).iloc[0]["leads"]
    return fmt.by_unit(leads, "count")


def test_a_protocol_session_drives_the_server_like_a_page(probed_server, layer):
    from bokeh.events import ButtonClick

    stats = Stats()

    async def scenario() -> tuple[str, tuple, str]:
        session = ProtocolSession(probed_server.url, stats, random.Random(1), ["a"])
        await session.open()
        assert stats.opens and not stats.errors, stats.errors
        everything = kpi_value(session, "leads")
        started = asyncio.get_running_loop().time()
        session._send_event(ButtonClick(session._model("Button", label="Last 7 days")))
        assert await session.settled(started) is not None, "no answer to the click"
        # "settled" counts any frame after the click: the page's hidden views may arrive first,
        # and the click's own answer later (seen once in CI). Wait for the week and its KPI.
        week, picked = None, None
        for _ in range(200):
            picked = session._model("DateRangePicker").value
            if picked and _days(picked) == 6:
                if (week := kpi_value(session, "leads")) == _leads_card(layer, picked):
                    break
            await asyncio.sleep(0.1)
        await session.switch_tab()  # finds the page's tabs (an admin's page has six)
        await session.close()
        return everything, tuple(picked), week

    everything, picked, week = run_apart(scenario())
    total = layer.query(["leads"]).iloc[0]["leads"]
    assert everything == fmt.by_unit(total, "count")
    assert week == _leads_card(layer, picked)
    assert _days(picked) == 6
    refreshes = [e for e in probed_server.read_events() if e.get("kind") == "refresh"]
    assert refreshes and not any(e.get("error") for e in refreshes)
    live, waited = probed_server.wait_sessions_freed(timeout=30.0)
    assert live == 0, f"{live} store(s) alive {waited:.0f} s after the session closed"
    assert not stats.errors, stats.errors


class _Message:
    msgtype = "PATCH-DOC"


class _Connection:
    """Hands out `count` patches, then reports the socket closed."""

    def __init__(self, count: int):
        self.left, self.disconnected = count, False

    async def _pop_message(self):
        if self.left == 0:
            return None
        self.left -= 1
        return _Message()

    async def _transition_to_disconnected(self, state) -> None:
        self.disconnected = True


def test_the_client_reads_thousands_of_patches_without_recursion():
    stats = Stats()
    session = ProtocolSession("http://127.0.0.1:1/none", stats, random.Random(1), ["a"])
    applied = []

    class _Client:
        def _handle_patch(self, message):
            applied.append(message)

    session.session = _Client()
    connection = _Connection(20_000)
    session._read_iteratively(connection)
    run_apart(connection._handle_messages())
    assert len(applied) == 20_000 and connection.disconnected
    assert not stats.errors
