"""Links, cross-filtering and the campaign detail on a hand-built warehouse, without a browser:
a page built from a link shows what the link says (computed once), its URL says what the page
shows (state → URL → state), back/forward restores a view, a tenant's link never widens it,
clicks on charts set filters, chips remove them, and a campaign's detail holds its own rows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from factories import build_warehouse, campaign, change, insight, lead

import semantic
from app.dashboard import MainArea
from app.state.link import parse
from app.state.store import DashboardState, statuses_of_stage
from semantic.compiler.request import Filters

JULY = (dt.date(2024, 7, 1), dt.date(2024, 7, 31))


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = build_warehouse(
        tmp_path_factory.mktemp("links") / "w.duckdb",
        campaigns=[
            campaign(1, user=1, project="Kings Way", budget=100, start="2024-07-01 00:00:00",
                     stop="2024-07-31 23:00:00"),
            campaign(2, user=1, project="Bloomfields", budget=50, start="2024-07-01 00:00:00",
                     stop="2024-07-31 23:00:00"),
            campaign(3, user=2, project="Zed", budget=200, start="2024-07-01 00:00:00",
                     stop="2024-07-31 23:00:00"),
        ],
        insights=[
            insight(1, "2024-07-01", ad_set=11, spend="100", impressions=1000, clicks=50),
            insight(1, "2024-07-01", ad_set=12, spend="30", impressions=300, clicks=3),
            insight(1, "2024-07-09", ad_set=11, spend="60", impressions=500, clicks=10),
            insight(2, "2024-07-02", ad_set=21, spend="20", impressions=300, clicks=6),
            insight(3, "2024-07-05", ad_set=31, spend="80", impressions=2000, clicks=40),
            insight(3, "2024-07-30", ad_set=31, spend="10", impressions=100, clicks=1),
        ],
        leads=[
            lead(100, 1, "2024-07-01 10:00:00", status="QUALIFIED"),
            lead(101, 1, "2024-07-02 20:00:00", status="NEW_LEAD"),
            lead(102, 1, "2024-07-09 09:00:00", status="DONE_DEAL"),
            lead(103, 2, "2024-07-03 08:00:00", status="NOT_QUALIFIED"),
            lead(104, 3, "2024-07-05 14:00:00", status="QUALIFIED"),
        ],
        changes=[
            change(100, "NEW_LEAD", "2024-07-01 10:00:00"),
            change(100, "QUALIFIED", "2024-07-01 12:00:00"),
            change(102, "NO_ANSWER", "2024-07-09 15:00:00"),
            change(102, "DONE_DEAL", "2024-07-10 09:00:00"),
            change(103, "NOT_QUALIFIED", "2024-07-03 18:00:00"),
            change(104, "QUALIFIED", "2024-07-05 15:00:00"),
        ])
    with semantic.connect(path) as layer:
        yield layer


def page(layer, query: str = "", tenant: int | None = None):
    link, notes = parse(query)
    state = DashboardState(layer, tenant=tenant, link=link)
    return state, MainArea(state, link=link, notes=(*notes, *state.link_notes))


def spend(state) -> float:
    return state.data.kpis["spend"]


# -- a link opens its view -------------------------------------------------------------------
def test_a_link_opens_its_view_computed_once(layer):
    state, area = page(layer, "project=Kings+Way&date_from=2024-07-01&date_to=2024-07-05"
                              "&lead_status=QUALIFIED&tab=trends&grain=week&compare=year"
                              "&sort=cpl:asc")
    assert state.computations == 1, "the link's filters are the first computation, not a second"
    assert (state.projects, state.date_range, state.lead_statuses, state.grain,
            state.compare) == (["Kings Way"], (dt.date(2024, 7, 1), dt.date(2024, 7, 5)),
                               ["QUALIFIED"], "week", "year")
    assert spend(state) == 130  # campaign 1 on July 1 (both ad sets); Kings Way only
    assert state.data.kpis["leads"] == 1  # lead 100: QUALIFIED, July 1
    assert area.names[area.tabs.active] == "trends"
    assert (area.table.sort_by, area.table.ascending) == ("cpl", True)
    assert not area.link.notes.visible


def test_the_url_says_what_the_page_shows_and_reopens_it(layer):
    state, area = page(layer)
    state.param.update(projects=["Kings Way", "Bloomfields"], lead_statuses=["QUALIFIED"],
                       date_range=(dt.date(2024, 7, 1), dt.date(2024, 7, 9)), compare="year",
                       campaign_search="kings")
    state.grain = "month"
    area.tabs.active = area.names.index("segments")
    area.segments.by = "business_user"
    area.table.param.update(sort_by="leads", ascending=True)
    area.table.opened = 1
    query = area.link.bar.query
    assert "by=business_user" in query
    assert query == area.link.link().query()
    assert parse(query)[1] == []
    again, other = page(layer, query)
    assert other.link.link().query() == query, "state → URL → state → the same URL"
    assert again._inputs() == state._inputs()
    assert again.data.kpis == state.data.kpis
    assert other.names[other.tabs.active] == "segments"
    assert other.segments.by == "business_user"
    # the reopened Segments tab draws business users' bars
    assert other.segments._bars["cpl"].source.data["name"][0].startswith("User ")
    assert (other.table.sort_by, other.table.ascending, other.table.opened) == \
        ("leads", True, 1)
    assert other.table.detail.shown == 1


def test_the_table_page_of_a_link_is_shown(layer, tmp_path):
    _, area = page(layer, "page=2")
    assert area.table.page == 1, "one page of campaigns: page 2 does not exist, page 1 is shown"
    assert "page 2: the table has 1 page, its last is shown" in area.link.notes.object
    path = build_warehouse(
        tmp_path / "sixty.duckdb", campaigns=[campaign(i, user=1 + i % 3) for i in range(1, 61)],
        insights=[insight(i, "2024-07-01", spend=str(i)) for i in range(1, 61)])
    with semantic.connect(path) as many:
        state, area = page(many, "sort=campaign:asc&page=2")
        assert area.table._grid.page["keys"] == list(range(26, 51))
        assert "page=2" in area.link.bar.query
        area.link.bar.query = "sort=campaign:desc&page=3"  # back to another page and order
        assert area.table._grid.page["keys"] == list(range(10, 0, -1))
        state.projects = []  # no change: the page stays
        area.link.bar.query = "business_user=1&sort=campaign:asc&page=2"  # new data, page 2
        # 20 campaigns of user 1: one page, so page 2 is its last page, page 1
        assert area.table._grid.page["keys"] == list(range(3, 61, 3))
        assert area.table.page == 1 and "page=" not in area.link.bar.query


def test_a_change_is_a_history_entry_and_back_restores_the_view(layer):
    state, area = page(layer)
    bar = area.link.bar
    first = bar.query
    state.projects = ["Zed"]
    assert (bar.entry["query"], bar.entry["push"]) == (bar.query, True)
    assert "project=Zed" in bar.query
    area.tabs.active = area.names.index("outcomes")
    second = bar.query
    assert "tab=outcomes" in second and bar.entry["push"]
    refreshes = []
    state.param.watch(refreshes.append, "data")
    bar.query = first  # the browser's back button, twice
    assert (state.projects, area.names[area.tabs.active]) == ([], "campaigns")
    assert len(refreshes) == 1, "one refresh for the restored view"
    # no new entry; the restored address is sent again as a replacement: an entry the server
    # sent while the user went back may have landed on top of it
    assert bar.query == first and bar.entry["query"] == first and not bar.entry["push"]
    bar.query = second  # forward
    assert (state.projects, area.names[area.tabs.active]) == (["Zed"], "outcomes")
    assert spend(state) == 90


def test_a_restored_link_is_written_back_as_understood_without_a_new_entry(layer):
    state, area = page(layer)
    area.link.bar.query = "project=Zed&bogus=1"
    assert state.projects == ["Zed"]
    assert area.link.bar.entry["push"] is False
    assert "bogus" not in area.link.bar.query and "project=Zed" in area.link.bar.query
    assert area.link.notes.visible and "bogus" in area.link.notes.object


def test_unknown_values_are_dropped_with_a_note(layer):
    state, area = page(layer, "project=Nowhere&project=Zed&lead_status=NOPE&campaign=99"
                              "&business_user=77&detail=42&tab=bogus")
    assert (state.projects, state.lead_statuses, state.campaigns, state.business_users) == \
        (["Zed"], [], [], [])
    text = area.link.notes.object
    for said in ("Nowhere", "NOPE", "99", "77", "42", "tab"):
        assert said in text
    assert area.table.opened is None and area.names[area.tabs.active] == "campaigns"
    state.projects = []  # the user moves on: the note goes
    assert not area.link.notes.visible


# -- tenants ---------------------------------------------------------------------------------
def test_a_tenant_link_never_widens_the_tenant(layer):
    state, area = page(layer, "business_user=2&business_user=1&project=Zed&campaign=3&detail=3",
                       tenant=1)
    assert state.business_users == [1]
    assert (state.projects, state.campaigns, area.table.opened) == ([], [], None)
    assert spend(state) == 210  # campaigns 1 and 2 only
    text = area.link.notes.object
    assert "business_user: 2 not found" in text and "Zed" in text and "campaign 3" in text
    assert "business_user=1" in area.link.bar.query
    area.link.bar.query = "business_user=2"  # a foreign link through back/forward
    assert state.business_users == [1] and spend(state) == 210


def test_another_account_opening_a_link_sees_its_own_data(layer):
    _, tenant_area = page(layer, "project=Kings+Way", tenant=1)
    shared = tenant_area.link.bar.query
    admin, _ = page(layer, shared)
    assert admin.business_users == [1] and spend(admin) == 190, "an admin: that exact view"
    other, other_area = page(layer, shared, tenant=2)
    assert other.business_users == [2] and other.projects == []
    # its own data in the link's dates (tenant 1's span, July 1-9)
    assert spend(other) == 80 and "Kings Way" in other_area.link.notes.object


# -- chips -------------------------------------------------------------------------------------
def test_chips_show_the_filters_and_remove_one_at_a_time(layer):
    state, area = page(layer, "business_user=1&project=Kings+Way&lead_status=QUALIFIED"
                              "&campaign=1&search=king&date_from=2024-07-02&date_to=2024-07-09")
    chips = area.link.chips.chips
    assert [c["label"] for c in chips] == [
        "Business user 1", "Project: Kings Way", "Campaign 1", "Status: QUALIFIED",
        "Search: king", "Dates: 2024-07-02 – 2024-07-09"]
    area.link.chips._handle_msg({"key": "lead_status", "value": "QUALIFIED"})
    assert state.lead_statuses == [] and "lead_status" not in area.link.bar.query
    assert len(area.link.chips.chips) == 5
    area.link.chips._handle_msg({"key": "dates", "value": None})
    assert state.date_range == state.default_range()
    area.link.chips._handle_msg({"key": "*", "value": None})
    assert area.link.chips.chips == [] and state.campaigns == [] and state.projects == []
    assert spend(state) == 300


def test_a_tenant_has_no_chip_for_itself(layer):
    state, area = page(layer, tenant=1)
    assert area.link.chips.chips == []
    state.remove_filter("business_user", 1)
    assert state.business_users == [1]


# -- cross-filtering -------------------------------------------------------------------------
def click(renderer, row: int) -> None:
    """What a click on a shape does in the browser: the source's selection is that row."""
    renderer.data_source.selected.indices = [row]


def test_a_segment_bar_click_keeps_that_project_everywhere(layer):
    state, area = page(layer)
    area.tabs.active = area.names.index("segments")
    view = dict(area.views)["Segments"]
    bars = view._bars["cpl"]
    names = list(bars.source.data["key"])
    row = names.index("Zed")
    click(bars.bars, row)
    assert state.projects == ["Zed"] and spend(state) == 90
    assert bars.source.selected.indices == [], "nothing stays selected (or dimmed)"
    assert "project=Zed" in area.link.bar.query
    view._by.value = "business_user"
    state.projects = []
    users = list(view._bars["ctr"].source.data["key"])
    click(view._bars["ctr"].bars, users.index("1"))
    assert state.business_users == [1] and spend(state) == 210


def test_the_other_bar_does_nothing():
    from app.views.segments import bar_columns

    frame = pd.DataFrame({"project": ["A", "Other (3)"], "cpl": [1.0, 2.0], "spend": [1, 2],
                          "leads": [1, 1], "qualified_leads": [0, 0]})
    assert bar_columns(frame, "project", "cpl", str, "#000")["key"] == ["A", ""]


def test_status_and_stage_clicks_keep_their_leads(layer):
    state, area = page(layer)
    area.tabs.active = area.names.index("outcomes")
    view = dict(area.views)["Lead outcomes"]
    statuses = list(view._donut.source.data["lead_status"])
    click(view._donut.wedges, statuses.index("QUALIFIED"))
    assert state.lead_statuses == ["QUALIFIED"] and state.data.kpis["leads"] == 2
    state.lead_statuses = []
    stages = list(view._funnel.source.data["stage"])
    click(view._funnel.bars, stages.index("lost"))
    assert state.lead_statuses == ["NOT_QUALIFIED"] and state.data.kpis["leads"] == 1


def test_statuses_of_a_stage_are_those_in_the_data():
    present = ["QUALIFIED", "MEETING_DONE", "NEW_LEAD", "ODD_ONE"]
    assert statuses_of_stage("qualified", present) == ["QUALIFIED", "MEETING_DONE"]
    assert statuses_of_stage("other", present) == ["ODD_ONE"]


def test_a_trend_period_click_keeps_its_days_within_the_range(layer):
    state, area = page(layer, "date_from=2024-07-03&date_to=2024-07-31&grain=week")
    area.tabs.active = area.names.index("trends")
    view = dict(area.views)["Trends"]
    clicked = pd.Timestamp("2024-07-02 06:00")  # nearest drawn week: Monday 1 July
    view._on_tap(SimpleNamespace(x=clicked.value // 10**6))
    assert state.date_range == (dt.date(2024, 7, 3), dt.date(2024, 7, 7)), \
        "that week, from the range's first day"
    assert state.grain == "day"
    view._on_tap(SimpleNamespace(x=pd.Timestamp("2024-07-05 08:00").value // 10**6))
    assert state.date_range == (dt.date(2024, 7, 5), dt.date(2024, 7, 5))


# -- the campaign detail ---------------------------------------------------------------------
def grid_rows(area, name: str) -> list[list[str]]:
    return area.table.detail._grids[name].page["rows"]


def test_a_row_click_opens_the_campaigns_detail(layer):
    state, area = page(layer, "date_from=2024-07-01&date_to=2024-07-31")
    area.table._grid._handle_msg({"open": 1})
    detail = area.table.detail
    assert area.table.opened == 1 and detail.layout.visible and "detail=1" in area.link.bar.query
    assert "Campaign 1" in detail._head.object and "Kings Way" in detail._head.object
    assert grid_rows(area, "ad_sets") == [["11", "160.00", "1,500", "60", "4.00%", "2.67"],
                                          ["12", "30.00", "300", "3", "1.00%", "10.00"]]
    assert [row[:2] for row in grid_rows(area, "daily")] == [
        ["11", "2024-07-01"], ["11", "2024-07-09"], ["12", "2024-07-01"]]
    assert [row[0] for row in grid_rows(area, "leads")] == ["102", "101", "100"]
    assert grid_rows(area, "leads")[2][2:] == ["QUALIFIED", "qualified", "2024-07-01 12:00",
                                               "2.0 h"]
    assert [row[1:3] for row in grid_rows(area, "log")] == [
        ["102", "DONE_DEAL"], ["102", "NO_ANSWER"], ["100", "QUALIFIED"], ["100", "NEW_LEAD"]]
    assert "Leads: 3" in detail._titles["leads"].object

    state.lead_statuses = ["QUALIFIED"]  # the detail follows the filters
    assert [row[0] for row in grid_rows(area, "leads")] == ["100"]
    detail._keep.clicks += 1  # "Keep only this campaign"
    assert state.campaigns == [1] and "campaign=1" in area.link.bar.query
    area.table.opened = None
    assert not detail.layout.visible and "detail=" not in area.link.bar.query


def test_a_detail_draws_its_first_rows_and_the_rest_on_show_more(layer, monkeypatch):
    from app.views import detail as detail_module

    monkeypatch.setattr(detail_module, "FIRST_ROWS", 2)
    _, area = page(layer, "date_from=2024-07-01&date_to=2024-07-31")
    area.table._grid._handle_msg({"open": 1})
    detail = area.table.detail
    assert [row[0] for row in grid_rows(area, "leads")] == ["102", "101"]  # the newest first
    assert "Leads: 3 (the newest 2 shown)" in detail._titles["leads"].object
    assert detail._more["leads"].visible and detail._more["leads"].label == "Show 1 more"
    assert len(grid_rows(area, "log")) == 2 and detail._more["log"].label == "Show 2 more"
    assert "Status log: 4 changes (the newest 2 shown)" in detail._titles["log"].object
    assert "(the first 2 of 3 rows shown)" in detail._titles["daily"].object
    assert len(grid_rows(area, "ad_sets")) == 2 and "ad_sets" not in detail._more

    detail._more["leads"].clicks += 1
    assert [row[0] for row in grid_rows(area, "leads")] == ["102", "101", "100"]
    assert not detail._more["leads"].visible
    assert "Leads: 3</div>" in detail._titles["leads"].object
    assert len(grid_rows(area, "log")) == 2, "only the table asked for"
    area.table.opened = 2  # another campaign starts again from its first rows
    area.table.opened = 1
    assert len(grid_rows(area, "leads")) == 2 and detail._more["leads"].visible


def test_a_tenant_cannot_open_another_tenants_campaign(layer):
    _, area = page(layer, tenant=2)
    area.table._grid._handle_msg({"open": 1})
    detail = area.table.detail
    assert "is not in your data" in detail._head.object
    assert not detail._body.visible and grid_rows(area, "leads") == []
    area.table._grid._handle_msg({"open": "1; DROP"})  # not an id: nothing happens
    assert area.table.opened == 1


def test_detail_numbers_equal_the_layers(layer):
    _, area = page(layer)
    area.table.opened = 3
    leads, count = layer.campaign_leads(3, Filters(date_from=JULY[0]), tenant=None)
    assert count == 1 and [r[0] for r in grid_rows(area, "leads")] == \
        [str(i) for i in leads["lead_id"]]


def test_the_segments_breakdown_changed_while_hidden_is_drawn_when_shown(layer):
    _state, area = page(layer, "tab=segments")
    cpl = area.segments._bars["cpl"].source
    assert not cpl.data["name"][0].startswith("User ")
    area.tabs.active = area.names.index("campaigns")
    renders = area.segments.renders
    area.link._on_address(SimpleNamespace(new="by=business_user"))  # back/forward to it
    assert area.segments.by == "business_user" and area.segments.renders == renders
    area.tabs.active = area.names.index("segments")
    assert area.segments.renders == renders + 1
    assert all(name.startswith("User ") for name in cpl.data["name"])
