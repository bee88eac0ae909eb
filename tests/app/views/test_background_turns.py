"""Background work of many pages in one process: a hidden view is put on a page one at a time in
the whole process, with the event loop free in between, and a tab shown holds other pages'
background work back as an update does (app/views/ahead.py, app/state/refresh.py)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import panel as pn
import pytest
from async_support import run

from app.dashboard import MainArea
from app.state import store
from app.state.layers import get_layer
from app.state.refresh import IN_FLIGHT, QUIET_S, wait_quiet
from app.views import ahead
from app.views.ahead import ATTACH_GAP_S, attach_hidden, prepare_hidden

#: how long a served page's document callback takes to come round (a busy event loop)
CALLBACK_DELAY_S = 0.1


class View:
    """A hidden view, built, that records when it was put on its page in `attached`."""

    is_built = True

    def __init__(self, name: str, attached: list[tuple[str, float]]) -> None:
        self.name, self.attached = name, attached

    def attach(self) -> None:
        self.attached.append((self.name, time.monotonic()))


def test_hidden_views_are_put_on_pages_one_at_a_time_in_the_whole_process(monkeypatch):
    attached: list[tuple[str, float]] = []

    def as_document_callback(callback, schedule=True) -> None:  # served: run on a later tick
        asyncio.get_running_loop().call_later(CALLBACK_DELAY_S, callback)

    monkeypatch.setattr(pn.state, "execute", as_document_callback)
    monkeypatch.setattr(IN_FLIGHT, "_last", {})

    async def two_pages_load_at_once() -> None:
        await asyncio.gather(attach_hidden([View("a1", attached), View("a2", attached)], None,
                                           page="A"),
                             attach_hidden([View("b1", attached), View("b2", attached)], None,
                                           page="B"))
        await asyncio.sleep(2 * CALLBACK_DELAY_S)  # any callback still scheduled has run
    run(two_pages_load_at_once())
    assert sorted(name for name, _ in attached) == ["a1", "a2", "b1", "b2"]
    times = [when for _, when in attached]
    # each waited for the one before to have run, then left the loop free for a while (they
    # were all queued at once before: ~2 s of one page after another with four pages)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= CALLBACK_DELAY_S + ATTACH_GAP_S - 0.01


@pytest.fixture
def area(warehouse):
    store.RESULTS.clear()
    return MainArea(store.DashboardState(get_layer(warehouse)))


def test_a_tab_shown_holds_back_other_pages_background_work(area, monkeypatch):
    monkeypatch.setattr(IN_FLIGHT, "_last", {})
    other_page = object()
    assert not IN_FLIGHT.others_recent(other_page, QUIET_S)
    area.tabs.active = 1
    assert IN_FLIGHT.others_recent(other_page, QUIET_S)
    assert not run(wait_quiet(other_page, limit_s=0.2)), "not quiet right after a tab click"
    assert run(wait_quiet(area.kpis.store, limit_s=0.2)), "its own page's work goes on"


def test_a_page_waiting_for_quiet_does_not_hold_the_turn(monkeypatch):
    # page "idle" must wait: the other page ("busy") has just clicked; "busy" itself may put
    # its views on its page at once (its own clicks do not hold it back)
    attached: list[tuple[str, float]] = []

    monkeypatch.setattr(IN_FLIGHT, "_last", {})

    async def scenario() -> float:
        IN_FLIGHT.touch("busy")
        started = time.monotonic()
        await asyncio.gather(attach_hidden([View("idle", attached)], None, page="idle"),
                             attach_hidden([View("busy", attached)], None, page="busy"))
        return started
    started = run(scenario())
    order = [name for name, _ in attached]
    assert order == ["busy", "idle"]
    assert attached[0][1] - started < 0.5, "not kept waiting for the idle page's quiet"
    assert attached[1][1] - started >= QUIET_S - 0.1


def test_hidden_views_are_built_only_once_a_browser_has_loaded_the_page(monkeypatch):
    # a session no browser loads (a health probe, a link checker) built its views before
    onloads, built = [], []
    monkeypatch.setattr(pn.state, "onload", onloads.append)
    monkeypatch.setattr(pn.state, "on_session_destroyed", lambda callback: None)
    monkeypatch.setattr(ahead, "build_ahead", lambda *args: built.append(args) or None)

    async def scenario() -> tuple[int, int]:
        prepare_hidden("page", [SimpleNamespace(is_built=False)])
        await asyncio.sleep(1.5)
        before = len(built)
        await onloads[0]()
        return before, len(built)
    try:
        assert run(scenario()) == (0, 1)
    finally:
        from app.state.refresh import OPENING
        OPENING.end("page")
