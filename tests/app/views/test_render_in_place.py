"""A filter change computes once and draws each shown view once, in place: no view is drawn
twice for one change (a date change that switches the grain used to draw the trends twice),
hidden views wait until shown, a view whose data did not change is not touched, and an update
sends data to the existing Bokeh models instead of new ones."""

from __future__ import annotations

import datetime as dt

import panel as pn
import pytest
from bokeh.document import Document

from app.dashboard import MainArea, build
from app.state.layers import get_layer
from app.views import OutcomesView, TrendsView


@pytest.fixture
def page(warehouse):
    from app.state import store

    store.RESULTS.clear()  # every change below computes afresh
    state = store.DashboardState(get_layer(warehouse))
    area = MainArea(state)
    views = {type(view): view for view in (area.kpis, *(v for _, v in area.views))}
    return state, pn.Column(area), views, area.tabs


def renders(views) -> dict:
    return {kind.__name__: view.renders for kind, view in views.items()}


def drawn_once(before: dict, after: dict, shown: set[str]) -> None:
    for name in before:
        expected = before[name] + (1 if name in shown else 0)
        assert after[name] == expected, f"{name}: {after[name] - before[name]} renders"


def test_the_first_page_draws_only_what_is_shown(page):
    _state, _layout, views, _tabs = page
    assert renders(views) == {"KpiCards": 1, "CampaignTable": 1, "TrendsView": 0,
                              "OutcomesView": 0, "SegmentsView": 0, "AlertsView": 0,
                              "DataHealthView": 0}


@pytest.mark.parametrize("change", [
    {"business_users": "first"},
    {"date_range": "last 30 days"},  # also switches the grain from week to day
    {"lead_statuses": ["QUALIFIED"]},
    {"campaign_search": "a"},
    "reset",
], ids=["user", "range+grain", "status", "search", "reset"])
def test_a_change_computes_once_and_draws_each_shown_view_once(page, change):
    from app.state import store

    state, _layout, views, tabs = page
    tabs.active = 1  # the trends: they depend on the grain too
    if change == "reset":
        state.param.update(lead_statuses=["QUALIFIED"], business_users=[
            state.param.business_users.objects[0]])
    store.RESULTS.clear()  # the reset page was computed when the page opened
    before, computed, grain = renders(views), state.computations, state.grain
    if change == "reset":
        state.reset()
    elif change.get("business_users") == "first":
        state.business_users = [state.param.business_users.objects[1]]
    elif change.get("date_range"):
        state.apply_quick_range("Last 30 days")
        assert state.grain == "day" != grain
    else:
        state.param.update(**change)
    assert state.computations == computed + 1, "one computation per change"
    drawn_once(before, renders(views), {"KpiCards", "TrendsView"})
    assert views[TrendsView]._shown[1][1] == state.grain


def test_a_grain_change_touches_only_the_trends(page):
    state, _layout, views, tabs = page
    tabs.active = 1
    before = renders(views)
    state.grain = "week" if state.grain != "week" else "day"
    drawn_once(before, renders(views), {"TrendsView"})


def test_hidden_views_catch_up_once_when_shown(page):
    state, _layout, views, tabs = page
    state.apply_quick_range("Last 90 days")
    state.apply_quick_range("Last 30 days")
    before = renders(views)
    tabs.active = 2  # lead outcomes: drawn once, for the latest filters only
    drawn_once(before, renders(views), {"OutcomesView"})
    assert views[OutcomesView]._shown[1][0] is state.data.status
    tabs.active = 0
    tabs.active = 2  # nothing changed meanwhile: not drawn again
    assert views[OutcomesView].renders == before["OutcomesView"] + 1


def test_updates_send_data_to_the_existing_models(page):
    state, layout, _views, tabs = page
    root = layout.get_root(Document())
    for index in range(len(tabs)):  # draw (build) every tab's view
        tabs.active = index
    tabs.active = 1
    models = {m.id for m in root.references()}
    state.apply_quick_range("Last 7 days")
    state.grain = "week"
    state.lead_statuses = [state.param.lead_statuses.objects[0]]
    for index in range(len(tabs)):
        tabs.active = index
    new = {m.id for m in root.references()} - models
    assert not new, f"{len(new)} new Bokeh models: {sorted(new)[:5]}"


def test_segments_switch_between_projects_and_business_users_in_place(page):
    from app.state.store import OTHER
    from app.views import SegmentsView

    state, layout, views, tabs = page
    root = layout.get_root(Document())
    tabs.active = 3
    segments = views[SegmentsView]
    models = {m.id for m in root.references()}
    cpl = segments._bars["cpl"]
    projects = list(cpl.source.data["name"])
    assert projects and not any(name.startswith("User ") for name in projects)
    segments._by.value = "business_user"
    users = list(cpl.source.data["name"])
    assert users != projects and all(
        name.startswith(("User ", OTHER)) for name in users)
    assert cpl.hover.tooltips[0] == ("Business user", "@name")
    assert not {m.id for m in root.references()} - models, "new Bokeh models"
    segments._by.value = "project"
    assert list(cpl.source.data["name"]) == projects


def test_a_single_day_click_keeps_the_last_range(warehouse):
    """The calendar sends no range when a single day was clicked and it closed: the filter keeps
    its range (it used to drop the date filter and show all data) and the field shows it."""
    from app.dashboard import date_picker

    state, _ = build(warehouse, served=False)
    picker = date_picker(state)
    state.apply_quick_range("Last 30 days")
    kept, computed = state.date_range, state.computations
    assert tuple(picker.value) == tuple(kept)
    picker.value = None  # what the widget sends
    assert state.date_range == kept and tuple(picker.value) == tuple(kept)
    assert state.computations == computed and state.data.state.date_from == kept[0]
    picker.value = (kept[0], kept[0])  # a one-day range is a range
    assert state.date_range == (kept[0], kept[0])


def test_only_the_recomputed_views_show_a_loading_state(page):
    state, _layout, views, tabs = page
    tabs.active = 1  # the trends (a hidden view shows none)
    state.pending = ["trends"]
    loading = {kind.__name__ for kind, view in views.items() if view._layout.loading}
    assert loading == {"TrendsView"}
    state.pending = []
    assert not any(view._layout.loading for view in views.values())


def test_days_in_the_july_sample_compute_without_error(page):
    state, *_ = page
    state.date_range = (dt.date(2024, 7, 1), dt.date(2024, 7, 1))
    assert state.error == "" and state.grain == "day"


def test_the_arrival_grid_names_its_zone_on_a_line_of_its_own(page, monkeypatch):
    from app.views.outcomes import ARRIVAL_TITLE, arrival_zone

    state, layout, views, tabs = page
    layout.get_root(Document())
    tabs.active = 2  # Lead outcomes
    heatmap = views[OutcomesView]._arrival.figure
    subtitle = views[OutcomesView]._arrival_zone
    assert heatmap.title.text == ARRIVAL_TITLE
    assert subtitle in heatmap.above
    assert subtitle.text == arrival_zone(state.layer.time_zone)
    # a new ingest reporting in another zone: the next drawing names it, in the same model
    monkeypatch.setattr(type(state.layer), "time_zone", property(lambda _: "Africa/Cairo"))
    state.apply_quick_range("Last 7 days")
    assert views[OutcomesView]._arrival_zone is subtitle
    assert subtitle.text == "Hours in Africa/Cairo"
