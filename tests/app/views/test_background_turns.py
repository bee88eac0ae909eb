"""Background work of many pages in one process: a hidden view is put on a page one at a time in
the whole process, with the event loop free in between, and a tab shown holds other pages'
background work back as an update does (app/views/ahead.py, app/state/refresh.py)."""

from __future__ import annotations

import asyncio
import time

import panel as pn
import pytest
from async_support import run

from app.dashboard import MainArea
from app.state import store
from app.state.layers import get_layer
from app.state.refresh import IN_FLIGHT, QUIET_S, wait_quiet
from app.views.ahead import ATTACH_GAP_S, attach_hidden

#: how long a served page's document callback takes to come round (a busy event loop)
CALLBACK_DELAY_S = 0.1


def test_hidden_views_are_put_on_pages_one_at_a_time_in_the_whole_process(monkeypatch):
    attached: list[tuple[str, float]] = []

    class View:
        is_built = True

        def __init__(self, name: str) -> None:
            self.name = name

        def attach(self) -> None:
            attached.append((self.name, time.monotonic()))

    def as_document_callback(callback, schedule=True) -> None:  # served: run on a later tick
        asyncio.get_running_loop().call_later(CALLBACK_DELAY_S, callback)

    monkeypatch.setattr(pn.state, "execute", as_document_callback)
    monkeypatch.setattr(IN_FLIGHT, "_last", {})

    async def two_pages_load_at_once() -> None:
        await asyncio.gather(attach_hidden([View("a1"), View("a2")], None, page="A"),
                             attach_hidden([View("b1"), View("b2")], None, page="B"))
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
