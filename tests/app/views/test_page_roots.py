"""The page's shape that keeps clicks cheap in the browser: each tab's view is its own Bokeh
root (BokehJS lays out a whole root again after any change inside it), hidden views are put on
the page with the current data once it has loaded and are not drawn again while hidden, and the
trend charts draw on a canvas (no WebGL context per chart)."""

from __future__ import annotations

import asyncio

import panel as pn
import pytest
from async_support import run

from app.dashboard import MainArea
from app.state import store
from app.state.layers import get_layer
from app.views import TrendsView
from app.views.ahead import attach_hidden, build_ahead


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


def test_a_tab_shown_before_its_view_was_built_builds_it_off_the_event_loop(area):
    import threading

    trends = dict(area.views)["Trends"]
    trends.store.background = True  # served: the session's page changes only on its loop
    build, threads = trends.build, []

    def recorded_build():
        threads.append(threading.current_thread())
        return build()
    trends.build = recorded_build

    async def click():
        loop_thread = threading.current_thread()
        area.tabs.active = area.names.index("trends")
        at_once = (trends._building, trends._layout.loading, trends.renders)
        for _ in range(200):
            if trends.renders:
                break
            await asyncio.sleep(0.02)
        return loop_thread, at_once
    loop_thread, at_once = run(click())
    assert at_once == (True, True, 0), "loading at once, nothing drawn on the loop"
    assert threads and threads[0] is not loop_thread
    # the process's build thread, not asyncio's shared pool (the sessions' queries run there)
    assert threads[0].name.startswith("campaign-bi-build")
    assert trends.renders == 1 and trends._content.objects and not trends._layout.loading
    assert trends._shown[1] == trends.slice(trends.store.data)


def test_a_page_never_drawn_stops_holding_work_back(monkeypatch):
    from app.state import refresh

    opening = refresh._Opening()
    now = [100.0]
    monkeypatch.setattr(refresh.time, "monotonic", lambda: now[0])
    gone = object()
    opening.begin(gone)
    assert opening.others(object())
    now[0] += opening.STALE_S + 1
    assert not opening.others(object())


def test_a_page_no_browser_connects_to_stops_holding_work_back_sooner(monkeypatch):
    """A link preview or a probe fetching the page makes a session no browser ever connects
    to: it holds other pages' background work back for CONNECT_S, not STALE_S."""
    from app.state import refresh

    opening = refresh._Opening()
    now = [100.0]
    monkeypatch.setattr(refresh.time, "monotonic", lambda: now[0])
    preview, browser = object(), object()
    opening.begin(preview, lambda: False)
    opening.begin(browser, lambda: True)
    assert opening.others(browser) and opening.others(preview)
    now[0] += opening.CONNECT_S + 1
    assert not opening.others(browser), "no browser: no longer opening"
    assert opening.others(preview), "a connected browser still drawing the page: opening"
    now[0] += opening.STALE_S
    assert not opening.others(preview)


def test_browser_connected_reads_the_sessions_websockets():
    import weakref
    from types import SimpleNamespace

    from app.views.ahead import browser_connected

    class Doc:  # weakly referable, as Bokeh's documents are
        def __init__(self, context):
            self.session_context = context

    def doc(session):
        return Doc(SimpleNamespace(session=session))
    pages = [doc(SimpleNamespace(connection_count=0)), doc(SimpleNamespace(connection_count=1)),
             doc(None), Doc(None)]
    assert [browser_connected(weakref.ref(page)) for page in pages] == [False, True, True, True]
    assert browser_connected(lambda: None)  # the page is gone: Bokeh ends its opening anyway


def test_a_closed_pages_views_are_not_built():
    from types import SimpleNamespace

    from app.views.live import build_in_worker

    class View:
        count = 0

        def built(self):
            View.count += 1

    open_page, closed_page = (SimpleNamespace(session_context=context) for context in
                              (object(), None))

    async def both():
        await build_in_worker(View(), open_page)
        await build_in_worker(View(), closed_page)  # its session ended while it waited
    run(both())
    assert View.count == 1


def test_trend_charts_are_built_without_touching_bokehs_current_document(area):
    # Bokeh's current document is process-wide: in the build thread it is whichever session's
    # page the event loop is serving at that moment (hv.render set its theme from the thread)
    from bokeh.document import Document
    from bokeh.io.doc import patch_curdoc

    trends = dict(area.views)["Trends"]
    someone_elses = Document()
    theme = someone_elses.theme
    with patch_curdoc(someone_elses):
        trends.built()
    assert someone_elses.theme is theme and not someone_elses.roots


def test_bar_charts_value_axes_are_set_by_the_server():
    # left to the browser, each new range came back as one more message per chart and change
    import pandas as pd

    from app.views import charts

    bars = charts.HBar("t", [])
    bars.update(pd.DataFrame({"c": ["a", "b"], "v": [3.0, 10.0]}), "c", "v")
    assert bars.figure.x_range.start == 0 and bars.figure.x_range.end == pytest.approx(11.0)
    bars.update(pd.DataFrame({"c": [], "v": []}), "c", "v")
    assert bars.figure.x_range.end == 1.0
    columns = charts.VBar(["x", "y"], "t", [])
    columns.update(pd.DataFrame({"c": ["x", "y"], "v": [0.0, 4.0]}), "c", "v")
    assert columns.figure.y_range.start == 0 and columns.figure.y_range.end == pytest.approx(4.4)


def test_a_view_not_built_ahead_is_not_built_on_the_loop_to_be_attached():
    attached = []

    class View:
        def __init__(self, built):
            self.is_built = built

        def attach(self):
            attached.append(self.is_built)

    run(attach_hidden([View(False), View(True)], None))
    assert attached == [True], "the unbuilt view waits for its tab (built off the loop then)"


def test_the_served_page_has_no_global_busy_indicator(warehouse, monkeypatch):
    # Panel sets every busy indicator of the process on each session's busy toggle: with ten
    # sessions a process, 14% of the event loop's time under load (py-spy). Views being
    # recomputed show their own loading state instead.
    from app import dashboard

    monkeypatch.setattr(dashboard, "follow_new_data", lambda state: None)
    monkeypatch.setattr(dashboard, "warm_first_page", lambda layer: None)
    _state, template = dashboard.build(warehouse, served=True)
    assert template.busy_indicator is None


def test_a_built_view_is_handed_out_without_waiting_for_another_sessions_build(area):
    # the event loop waited on the build lock while the build thread built another session's
    # view (~0.5 s; a table page took ~1 s with four pages in one variant)
    import threading

    from app.views import live

    trends = dict(area.views)["Trends"]
    built = trends.built()
    held, release = threading.Event(), threading.Event()

    def other_sessions_build():
        with live._BUILD_LOCK:
            held.set()
            release.wait(10)
    worker = threading.Thread(target=other_sessions_build)
    worker.start()
    held.wait(10)
    handed = []
    try:  # asked while the other build holds the lock (it holds it until released)
        asking = threading.Thread(target=lambda: handed.append(trends.built()))
        asking.start()
        asking.join(5)
        assert handed == [built], "waited for another session's build"
    finally:
        release.set()
        worker.join()


def test_the_served_page_passes_bokehs_checks(warehouse, monkeypatch):
    # a 'fixed' box without a height logged W-1005 (FIXED_SIZING_MODE) on every page open
    # (empty layouts, W-1002, are the hidden views before they are drawn: Panel silences them)
    from bokeh.core.validation import check_integrity
    from bokeh.document import Document

    from app import dashboard

    monkeypatch.setattr(dashboard, "follow_new_data", lambda state: None)
    monkeypatch.setattr(dashboard, "warm_first_page", lambda layer: None)
    _state, template = dashboard.build(warehouse, served=True)
    doc = Document()
    template.server_doc(doc)
    issues = check_integrity(list(doc.models))
    assert [str(issue) for issue in issues.warning if issue.code != 1002] == []
    assert [str(issue) for issue in issues.error] == []
