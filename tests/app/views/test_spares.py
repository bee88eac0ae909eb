"""Spare chart figures (app/views/spares.py): made ahead while the process is free, each handed
out once, bound to the session that takes it, and never slower than making one on the spot."""

from __future__ import annotations

import asyncio
import datetime as dt

import pandas as pd
import pytest
from async_support import run
from bokeh.events import Tap

from app.state import store
from app.state.layers import get_layer
from app.state.refresh import OPENING
from app.views import OutcomesView, SegmentsView, TrendsView
from app.views.spares import SPARES, Spares


def test_each_spare_is_handed_out_once_then_parts_are_made_on_the_spot():
    made = iter(range(100))
    spares = Spares(size=2, busy=lambda: False)
    spares.register("part", lambda: next(made))
    run(spares.fill())
    assert spares.count("part") == 2
    assert [spares.take("part") for _ in range(3)] == [0, 1, 2]
    assert (spares.taken, spares.made_on_demand) == (2, 1)


def test_fill_makes_the_emptiest_part_first_and_stops_at_size():
    order = []
    spares = Spares(size=2, busy=lambda: False)
    spares.register("a", lambda: order.append("a"))
    spares.register("b", lambda: order.append("b"))
    spares._ready["a"].append("made before")
    run(spares.fill())
    assert order[0] == "b" and sorted(order) == ["a", "b", "b"]
    assert spares.count("a") == spares.count("b") == 2


def test_fill_waits_while_another_page_opens():
    async def scenario():
        made = []
        spares = Spares(size=1)
        spares.register("part", lambda: made.append(True))
        OPENING.begin("opening page")
        try:
            task = asyncio.get_running_loop().create_task(spares.fill())
            await asyncio.sleep(0.2)
            while_opening = list(made)
        finally:
            OPENING.end("opening page")
        await task
        return while_opening, made
    assert run(scenario()) == ([], [True])


def test_fill_runs_in_the_build_thread():
    import threading

    threads = []
    spares = Spares(size=1, busy=lambda: False)
    spares.register("part", lambda: threads.append(threading.current_thread().name))
    run(spares.fill())
    assert threads and threads[0].startswith("campaign-bi-build")


@pytest.fixture
def filled():
    """The process's spares, made ahead as a served process does."""
    run(SPARES.fill())
    yield SPARES


def _store(warehouse):
    return store.DashboardState(get_layer(warehouse))


def test_views_built_from_spares_share_no_model_and_draw_their_own_data(warehouse, filled):
    store.RESULTS.clear()
    taken = filled.taken
    first, second = _store(warehouse), _store(warehouse)
    second.apply_quick_range("Last 7 days")
    views = [(cls(store=first), cls(store=second))
             for cls in (TrendsView, OutcomesView, SegmentsView)]
    for one, other in views:
        one._update(), other._update()
        assert one._built is not other._built
    assert filled.taken - taken == 2 * (4 + 4 + 3), "every figure came from the spares"
    trends, trends_other = views[0]
    a_figures = {id(fig) for fig, *_ in trends._charts}
    b_figures = {id(fig) for fig, *_ in trends_other._charts}
    assert not a_figures & b_figures
    # each draws its own store's data
    a_days = len(trends._charts[0][1].data["period"])
    b_days = len(trends_other._charts[0][1].data["period"])
    assert a_days != b_days and b_days <= 7


def test_a_click_on_a_spare_trend_chart_filters_the_session_that_took_it(warehouse, filled):
    store.RESULTS.clear()
    mine, other = _store(warehouse), _store(warehouse)
    view, other_view = TrendsView(store=mine), TrendsView(store=other)
    view._update(), other_view._update()
    before, grain = other.date_range, mine.grain
    fig, *_ = view._charts[0]
    day = pd.Timestamp(view._periods[0])  # the first period drawn
    fig._trigger_event(Tap(fig, x=day.value // 10**6, y=0))
    assert mine.date_range[0] == max(day.date(), mine.date_min)
    assert mine.date_range[1] - mine.date_range[0] <= dt.timedelta(
        days={"day": 0, "week": 6, "month": 30}[grain]), "that one period"
    assert other.date_range == before, "the other session's filter is untouched"


def test_a_spare_outcomes_chart_gets_its_session_s_time_zone(warehouse, filled):
    store.RESULTS.clear()
    view = OutcomesView(store=_store(warehouse))
    view._update()
    zone = view.store.layer.time_zone
    assert view._arrival_zone.text == f"Hours in {zone or 'the export’s local time'}"
    titles = [t for t in view._arrival.figure.above if hasattr(t, "text")]
    assert [t.text for t in titles].count(view._arrival_zone.text) == 1, "one subtitle"


def test_the_fill_task_does_not_hold_the_callers_session():
    # a task keeps the context it was made in: made in a session's callback, that context held
    # the session's document (Panel's current document) and so its store, after it closed
    import contextvars

    page = contextvars.ContextVar("page", default=None)
    seen = []
    spares = Spares(size=1, busy=lambda: seen.append(page.get()) or False)
    spares.register("part", lambda: 1)

    async def scenario() -> None:
        page.set("a session's document")
        spares.fill_soon()
        for _ in range(100):
            if not spares._filling:
                break
            await asyncio.sleep(0.02)
    run(scenario())
    assert seen == [None] and spares.count("part") == 1
    assert not spares._filling, "no finished task kept"
