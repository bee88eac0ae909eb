"""Clicks are never lost and stale results are never shown: a served session computes off the
event loop and applies only the newest request's result (app/state/refresh.py)."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pandas as pd
from async_support import run

from app.state.refresh import LatestWins
from app.views.states import note
from app.views.trends import SERIES, TrendsView, chart, lone_points


def make(delay=0.0, compute_s=0.05):
    applied, slow = [], []
    threads = set()

    def compute(inputs):
        threads.add(threading.get_ident())
        time.sleep(compute_s)
        return f"result of {inputs}"

    updates = LatestWins(compute, lambda inputs, result: applied.append((inputs, result)),
                         slow.append, schedule=lambda fn: asyncio.ensure_future(fn()),
                         delay=delay)
    return updates, applied, slow, threads


async def settle(updates):
    while updates.busy:
        await asyncio.sleep(0.005)


def test_clicks_during_a_computation_are_applied_newest_only():
    async def scenario():
        updates, applied, slow, threads = make(delay=0.02)
        updates.request("a")
        await asyncio.sleep(0.01)  # "a" is computing
        updates.request("b")
        updates.request("c")  # b is never computed: c is newer
        await settle(updates)
        return updates, applied, slow, threads, threading.get_ident()

    updates, applied, slow, threads, loop_thread = run(scenario())
    assert applied == [("c", "result of c")], "only the newest result is shown"
    assert updates.computed == 2  # a (dropped when done) and c
    assert loop_thread not in threads, "the work ran off the event loop"
    assert slow[0] is True and slow[-1] is False  # loading shown while slow, then cleared


def test_a_quick_computation_shows_no_loading_state():
    async def scenario():
        updates, applied, slow, _ = make(delay=0.5, compute_s=0.0)
        updates.request("a")
        await settle(updates)
        updates.request("b")
        await settle(updates)
        return applied, slow

    applied, slow = run(scenario())
    assert [inputs for inputs, _ in applied] == ["a", "b"]
    assert True not in slow


def test_an_error_does_not_stop_later_requests():
    async def scenario():
        calls = []

        def compute(inputs):
            calls.append(inputs)
            if inputs == "bad":
                raise RuntimeError("boom")
            return inputs

        applied = []
        updates = LatestWins(compute, lambda i, r: applied.append(r),
                             schedule=lambda fn: asyncio.ensure_future(fn()))
        updates.request("bad")
        await settle(updates)
        updates.request("good")
        await settle(updates)
        return applied

    assert run(scenario()) == ["good"]


def test_a_lone_period_is_drawn_as_a_dot():
    values = np.array([np.nan, 3.0, np.nan, 4.0, 5.0, np.nan])
    dots = lone_points(values)
    assert np.isnan(dots[[0, 2, 3, 4, 5]]).all() and dots[1] == 3.0
    assert lone_points(np.array([7.0]))[0] == 7.0


def test_the_cpl_chart_with_one_value_shows_a_dot():
    """CPL defined in one period only: the line has nothing to join, the dot is there."""
    import datetime as dt

    from app.state.viewdata import DashboardData, FilterState

    trends = pd.DataFrame({"period": pd.to_datetime(["2024-07-01", "2024-07-02"]),
                           "leads": [0, 2], "spend": [10.0, 30.0], "status_changes": [0, 1],
                           "cpl": [np.nan, 15.0]})
    data = DashboardData(state=FilterState(date_from=dt.date(2024, 7, 1),
                                           date_to=dt.date(2024, 7, 3)),
                         empty=False, trends=trends, grain="day")
    view = TrendsView.__new__(TrendsView)
    view._charts = [chart(*spec) for spec in SERIES]  # the view's charts, without a store
    view._status_note = note("")
    TrendsView.draw(view, data)
    _fig, _line, dots, _hover = view._charts[3]
    assert list(dots.data["cpl"]) == [15.0]
    fig, *_ = view._charts[0]
    assert fig.yaxis[0].axis_label == "Leads" and fig.yaxis[0].ticker.min_interval == 1
    assert fig.y_range.start == 0 and fig.y_range.end > 2


def test_a_computing_update_holds_back_background_work():
    from app.state.refresh import IN_FLIGHT
    from app.views.spares import Spares

    async def scenario():
        made = []
        spares = Spares(size=1)  # busy: an update computing or a page opening (the default)
        spares.register("part", lambda: made.append(IN_FLIGHT.count))
        updates, _applied, _slow, _threads = make(compute_s=0.3)
        updates.request("a")
        await asyncio.sleep(0.01)
        during = IN_FLIGHT.count
        task = asyncio.get_running_loop().create_task(spares.fill())
        await asyncio.sleep(0.15)
        waited = list(made)  # the update is still computing: nothing made yet
        await settle(updates)
        await task
        return during, waited, made, IN_FLIGHT.count

    during, waited, made, after = run(scenario())
    assert during == 1 and after == 0
    assert waited == [] and made == [0], "made only once no update was computing"
