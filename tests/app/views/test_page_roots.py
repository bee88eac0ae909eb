"""The page's shape that keeps clicks cheap in the browser: each tab's view is its own Bokeh
root (BokehJS lays out a whole root again after any change inside it), hidden views are put on
the page with the current data once it has loaded and are not drawn again while hidden, and the
trend charts draw on a canvas (no WebGL context per chart)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import panel as pn
import pytest

from app.dashboard import MainArea
from app.state import store
from app.state.layers import get_layer
from app.views import TrendsView
from app.views.ahead import attach_hidden, build_ahead


def run(coroutine):
    """On a fresh event loop of its own (another test's loop may be running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def area(warehouse):
    store.RESULTS.clear()
    return MainArea(store.DashboardState(get_layer(warehouse)))


def test_each_view_is_a_root_of_its_own_and_only_the_active_one_is_visible(area):
    assert len(area.roots) == 1 + len(area.views)
    assert [pane.visible for pane in area.panes] == [True] + [False] * (len(area.views) - 1)
    area.tabs.active = 2
    assert [pane.visible for pane in area.panes] == [i == 2 for i in range(len(area.views))]
    assert [view.active for _, view in area.views] == [i == 2 for i in range(len(area.views))]
    # the tab strip holds no view: switching a tab only shows another root
    assert all(isinstance(tab, pn.layout.Spacer) for tab in area.tabs.objects)


def test_the_served_page_puts_each_view_in_the_template_as_a_root(warehouse, monkeypatch):
    from app import dashboard

    monkeypatch.setattr(dashboard, "follow_new_data", lambda state: None)
    monkeypatch.setattr(dashboard, "warm_first_page", lambda layer: None)
    _state, template = dashboard.build(warehouse, served=True)
    roots = template.main.objects
    assert len(roots) == 7  # header, cards and tab strip, then six views (an admin)
    assert [root.visible for root in roots] == [True, True] + [False] * 5


def test_hidden_views_are_attached_once_with_the_current_data_and_then_wait(area):
    hidden = [view for _, view in area.views[1:]]
    assert [view.renders for view in hidden] == [0] * len(hidden)

    async def load() -> None:  # as at page load: built ahead, then attached
        await attach_hidden(hidden, build_ahead(hidden))
    run(load())
    assert [view.renders for view in hidden] == [1] * len(hidden)
    assert all(view._content.objects for view in hidden), "on the page, drawn"
    trends = next(view for view in hidden if isinstance(view, TrendsView))
    drawn = trends._shown
    area.kpis.store.apply_quick_range("Last 30 days")  # hidden: not drawn again
    assert [view.renders for view in hidden] == [1] * len(hidden)
    assert trends._shown is drawn
    area.tabs.active = area.names.index("trends")  # shown: catches up once
    assert trends.renders == 2 and trends._shown[1][1] == "day"


def test_build_ahead_runs_in_the_session_loop():
    async def main():
        built = []

        class View:
            def built(self):
                built.append(True)

        task = build_ahead([View(), View()])
        assert task is not None
        await task
        return built
    assert run(main()) == [True, True]


def test_trend_charts_draw_on_a_canvas(area):
    trends = dict(area.views)["Trends"]
    layout = trends.built()
    figures = [model for model in _bokeh_figures(layout)]
    assert len(figures) == 4
    assert {fig.output_backend for fig in figures} == {"canvas"}


def _bokeh_figures(layout):
    from bokeh.plotting import figure

    for pane in layout.select(pn.pane.Bokeh):
        if isinstance(pane.object, figure):
            yield pane.object


def test_a_tab_change_writes_the_address_before_the_view_draws(area):
    # the address is one small message; sent after the view's data it arrived last, ~0.4 s
    # later, while the browser laid out the view (and the click counted as unsettled)
    store_ = area.kpis.store
    store_.apply_quick_range("Last 30 days")  # the outcomes view will have to catch up
    outcomes = dict(area.views)["Lead outcomes"]
    seen = []
    area.link.bar.param.watch(lambda event: seen.append(outcomes.renders), "entry")
    before = outcomes.renders
    area.tabs.active = area.names.index("outcomes")
    assert seen == [before], "the address was written before the view drew"
    assert outcomes.renders == before + 1
