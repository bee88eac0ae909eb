"""The dashboard's data store on a hand-built warehouse with known answers: KPIs equal the
semantic layer's for the same filters, the campaign table totals equal the KPIs, previous-period
deltas, narrowing project options, the tenant lock and the empty state."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from factories import build_warehouse, campaign, change, insight, lead

import semantic
from app.state import queries as Q
from app.state import store as S
from app.views import kpis as kpi_view
from app.views.campaigns import CampaignTable
from app.views.states import EMPTY_TEXT
from semantic import catalog

JULY = (dt.date(2024, 7, 1), dt.date(2024, 7, 10))


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = build_warehouse(
        tmp_path_factory.mktemp("store") / "w.duckdb",
        campaigns=[
            campaign(1, user=1, project="Kings Way", budget=100, start="2024-07-01 00:00:00",
                     stop="2024-07-10 23:00:00"),
            campaign(2, user=1, project="Bloomfields ", budget=50, start="2024-06-21 00:00:00",
                     stop="2024-07-10 23:00:00"),
            campaign(3, user=2, project="Zed", budget=200, start="2024-07-05 00:00:00",
                     stop="2024-07-06 23:00:00"),
        ],
        insights=[
            insight(1, "2024-07-01", spend="100", impressions=1000, clicks=50, reach=800),
            insight(1, "2024-07-05", spend="60", impressions=500, clicks=10, reach=400),
            insight(2, "2024-06-25", spend="40", impressions=400, clicks=8, reach=300),
            insight(2, "2024-07-02", spend="20", impressions=300, clicks=6, reach=200),
            insight(3, "2024-07-05", spend="80", impressions=2000, clicks=40, reach=1500),
        ],
        leads=[
            lead(100, 1, "2024-07-01 10:00:00", status="QUALIFIED"),
            lead(101, 1, "2024-07-02 20:00:00", status="NEW_LEAD"),
            lead(102, 1, "2024-07-05 09:00:00", status="DONE_DEAL"),
            lead(103, 2, "2024-06-25 08:00:00", status="NOT_QUALIFIED"),
            lead(104, 2, "2024-07-03 23:30:00", status="NO_ANSWER"),
            lead(105, 3, "2024-07-05 14:00:00", status="UNKNOWN"),
            lead(106, 3, "2024-07-06 15:00:00", status="QUALIFIED"),
        ],
        changes=[
            change(100, "NEW_LEAD", "2024-07-01 10:00:00"),
            change(100, "QUALIFIED", "2024-07-01 12:00:00"),      # 2 h
            change(102, "NEW_LEAD", "2024-07-05 09:00:00"),
            change(102, "NO_ANSWER", "2024-07-06 09:00:00"),      # 24 h
            change(102, "DONE_DEAL", "2024-07-08 09:00:00"),
            change(103, "NEW_LEAD", "2024-06-25 08:00:00"),
            change(103, "NOT_QUALIFIED", "2024-06-25 18:00:00"),  # 10 h
            change(104, "NO_ANSWER", "2024-07-04 00:30:00"),      # 1 h
            change(106, "QUALIFIED", "2024-07-10 15:00:00"),      # 96 h
        ],
    )
    with semantic.connect(path) as opened:
        yield opened


@pytest.fixture
def state(layer):
    st = S.DashboardState(layer)
    st.date_range = JULY
    return st


def test_kpis_are_the_hand_computed_values(state):
    k = state.data.kpis
    assert (k["spend"], k["impressions"], k["clicks"], k["reach"]) == (260, 3800, 106, 2900)
    assert (k["leads"], k["qualified_leads"], k["deals"], k["contacted_leads"]) == (6, 3, 1, 4)
    assert k["cpl"] == pytest.approx(260 / 6)
    assert k["ctr"] == pytest.approx(106 / 3800)
    assert k["cpm"] == pytest.approx(1000 * 260 / 3800)
    assert k["contact_rate"] == pytest.approx(4 / 6)
    assert k["speed_to_lead_hours"] == pytest.approx(13.0)  # median of 1, 2, 24, 96
    assert k["budget"] == 1900 and k["status_changes"] == 7


@pytest.mark.parametrize("change", [
    {},
    {"business_users": [1]},
    {"business_users": [1], "projects": ["Kings Way"]},
    {"lead_statuses": ["QUALIFIED"]},
    {"campaign_search": "zed"},
    {"date_range": (dt.date(2024, 6, 1), dt.date(2024, 7, 3))},
], ids=["all", "user", "project", "status", "search", "dates"])
def test_kpis_equal_the_layer_for_the_same_filters(state, layer, change):
    state.param.update(**change)
    filters = state.filter_state().filters()
    expected = layer.query(metrics=list(S.KPI_METRICS), filters=filters).iloc[0]
    for metric in S.KPI_METRICS:
        assert state.data.kpis[metric] == pytest.approx(expected[metric], nan_ok=True), metric


@pytest.mark.parametrize("change", [{}, {"business_users": [1]}, {"lead_statuses": ["NO_ANSWER"]}],
                         ids=["all", "user", "status"])
def test_campaign_totals_equal_the_kpis(state, change):
    state.param.update(**change)
    data = state.data
    for metric in S.TABLE_METRICS:
        assert data.totals[metric] == pytest.approx(data.kpis[metric]), metric
    table = CampaignTable(store=state)
    assert f"Spend: <b>{kpi_view.fmt.money(data.kpis['spend'], True)}</b>" in \
        table._totals.object


def test_previous_period_of_equal_length_and_its_deltas(state):
    data = state.data
    assert data.previous_range == (dt.date(2024, 6, 21), dt.date(2024, 6, 30))
    p = data.previous
    assert (p["spend"], p["leads"], p["qualified_leads"], p["budget"]) == (40, 1, 0, 500)
    assert p["speed_to_lead_hours"] == pytest.approx(10.0)
    html = kpi_view.cards_html(data)
    # spend up 550% is neutral (blue); CPL up 8.3% is bad; leads up 500% is good;
    # qualified leads from 0 has no defined change
    assert '<div class="kpi-delta neutral">▲ +550.0%</div>' in html
    assert '<div class="kpi-delta bad">▲ +8.3%</div>' in html
    assert '<div class="kpi-delta good">▲ +500.0%</div>' in html
    assert 'data-metric="qualified_leads"' in html
    qualified = html.split('data-metric="qualified_leads"')[1].split("</div></div>")[0]
    assert '<div class="kpi-delta none">–' in qualified
    assert "(2024-06-21 – 2024-06-30)" in html


def test_all_data_says_there_is_nothing_before_it_to_compare(state):
    state.apply_quick_range("All data")  # 2024-06-25 … 2024-07-10: nothing before it
    html = kpi_view.cards_html(state.data)
    assert "No activity in the previous period of equal length (2024-06-09 – 2024-06-24): " \
        "no change to show" in html
    assert "Change vs" not in html
    state.date_range = JULY
    assert "Change vs the previous period of equal length" in kpi_view.cards_html(state.data)


def test_kpi_cards_have_stable_titles(state):
    html = kpi_view.cards_html(state.data)
    assert len(kpi_view.CARDS) == 15
    for title in ("Spend", "Leads", "CPL", "CTR", "Reach (sum of daily)",
                  "Median time to first contact"):
        assert f'<div class="kpi-title">{title}</div>' in html
    assert '<div class="kpi-value" title="260.00">260.00</div>' in html


def test_kpi_cards_take_direction_and_hint_from_the_catalog(state):
    html = kpi_view.cards_html(state.data)
    assert 'data-metric="contact_rate" title="Leads with a logged status other than ' \
        'NEW_LEAD/UNKNOWN / leads.' in html
    assert kpi_view.delta_class(0.1, catalog.METRICS["cpl"].direction) == "bad"
    assert kpi_view.delta_class(0.1, catalog.METRICS["leads"].direction) == "good"
    assert kpi_view.delta_class(0.1, catalog.METRICS["spend"].direction) == "neutral"


def test_project_options_narrow_with_business_users(state):
    assert state.param.projects.objects == ["Bloomfields", "Kings Way", "Zed"]
    state.projects = ["Zed"]
    state.business_users = [1]
    assert state.param.projects.objects == ["Bloomfields", "Kings Way"]
    assert state.projects == []  # a project the chosen users lack is dropped
    state.business_users = [2]
    assert state.param.projects.objects == ["Zed"]
    state.business_users = []
    assert state.param.projects.objects == ["Bloomfields", "Kings Way", "Zed"]


def test_tenant_lock_cannot_be_widened(layer):
    st = S.DashboardState(layer, tenant=2)
    assert st.param.business_users.objects == [2] and st.business_users == [2]
    with pytest.raises(ValueError):
        st.business_users = [1]
    assert st.business_users == [2]
    assert st.data.kpis["spend"] == 80 and st.data.kpis["leads"] == 2
    assert set(st.data.campaigns["campaign"]) == {3}
    assert st.param.projects.objects == ["Zed"]
    st.campaign_search = "1"  # campaign 1 belongs to another tenant
    assert st.data.empty and st.export_filters().campaign == (-1,)
    st.campaign_search = "Kings"
    assert st.data.empty


def test_campaign_search_matches_ids_and_project_text(state):
    state.campaign_search = "3, kings"
    assert state.filter_state().campaign == (1, 3)
    assert set(state.data.campaigns["campaign"]) == {1, 3}
    assert state.data.kpis["spend"] == 100 + 60 + 80
    state.campaign_search = "KINGS"  # project text only: the same campaigns as a project filter
    assert (state.filter_state().project, state.filter_state().campaign) == (("Kings Way",), ())
    assert set(state.data.campaigns["campaign"]) == {1}


@pytest.mark.parametrize("change", [
    {"date_range": (dt.date(2030, 1, 1), dt.date(2030, 1, 31))},
    {"campaign_search": "no such campaign"},
    {"business_users": [2], "lead_statuses": ["DONE_DEAL"], "date_range": (
        dt.date(2024, 6, 1), dt.date(2024, 6, 2))},
], ids=["future", "search", "narrow"])
def test_empty_filters_give_the_empty_state(state, change):
    state.param.update(**change)
    assert state.data.empty and state.error == ""
    cards = kpi_view.KpiCards(store=state)
    assert cards._message.visible and EMPTY_TEXT in cards._message.object
    assert not cards._content.visible
    table = CampaignTable(store=state)
    assert table._message.visible and not table._content.visible
    # nothing to page through: the pager is off (it stayed enabled with no rows)
    assert table._pager.prev.disabled and table._pager.next.disabled


def test_reset_restores_the_defaults(state):
    state.param.update(business_users=[1], campaign_search="x", lead_statuses=["SPAM"])
    state.reset()
    assert (state.business_users, state.projects, state.campaign_search, state.lead_statuses) \
        == ([], [], "", [])
    assert state.date_range == (dt.date(2024, 6, 25), dt.date(2024, 7, 10))  # activity span


def test_quick_ranges_end_on_the_last_active_day(state):
    assert state.quick_range("Last 7 days") == (dt.date(2024, 7, 4), dt.date(2024, 7, 10))
    assert state.quick_range("This month") == (dt.date(2024, 7, 1), dt.date(2024, 7, 10))
    assert state.quick_range("Last 90 days") == (dt.date(2024, 6, 25), dt.date(2024, 7, 10))
    state.apply_quick_range("Last 7 days")
    assert state.grain == "day" and state.data.kpis["spend"] == 140  # 07-05: 60 + 80


def test_status_funnel_and_time_to_first_contact(state):
    data = state.data
    status = dict(zip(data.status["lead_status"], data.status["leads"], strict=True))
    assert status == {"QUALIFIED": 2, "DONE_DEAL": 1, "NEW_LEAD": 1, "NO_ANSWER": 1,
                      "UNKNOWN": 1}
    funnel = dict(zip(data.funnel["stage"], data.funnel["leads"], strict=True))
    assert list(funnel)[:6] == ["new", "working", "qualified", "won", "lost", "unknown"]
    assert funnel == {"new": 1, "working": 1, "qualified": 2, "won": 1, "lost": 0,
                      "unknown": 1}  # no "other" bar: every status is in a stage
    # campaigns by the median hours of their contacted leads: 1 → median(2, 24) = 13,
    # 2 → 1 (lead 103 is in June), 3 → 96
    ttfc = dict(zip(data.ttfc["bucket"], data.ttfc["campaigns"], strict=True))
    assert ttfc == {"< 1 h": 0, "1–4 h": 1, "4–24 h": 1, "1–3 d": 0, "3–7 d": 1,
                    "1–4 wk": 0, "> 4 wk": 0}
    arrival = data.arrival.set_index(["lead_weekday", "lead_hour"])["leads"]
    assert len(arrival) == 7 * 24 and arrival.sum() == 6
    assert arrival[(1, 10)] == 1  # 2024-07-01 10:00 was a Monday


def test_trends_follow_the_grain(state):
    day = state.data.trends
    assert day["period"].dt.date.tolist()[0] == dt.date(2024, 7, 1)
    assert day["spend"].sum() == 260 and day["leads"].sum() == 6
    state.grain = "month"
    month = state.data.trends
    assert month["period"].dt.date.tolist() == [dt.date(2024, 7, 1)]
    assert month["cpl"].iloc[0] == pytest.approx(260 / 6)


def test_campaign_page_sorts_all_rows_then_pages(state):
    page, rows = state.campaign_page(page=1, size=2, sort_by="spend", ascending=False)
    assert rows == 3 and page["campaign"].tolist() == [1, 3]
    page, _ = state.campaign_page(page=2, size=2, sort_by="spend", ascending=False)
    assert page["campaign"].tolist() == [2]
    page, _ = state.campaign_page(page=1, size=3, sort_by="cpl", ascending=True)
    assert page["campaign"].tolist() == [2, 3, 1]  # 20/1, 80/2, 160/3
    first = page.set_index("campaign").loc[1]
    assert (first["project"], first["daily_budget"], first["budget"]) == ("Kings Way", 100, 1000)


def test_segments_fold_the_tail_into_other_with_ratios_from_sums():
    frame = pd.DataFrame({"project": ["A", "B", "C"], "spend": [300.0, 100.0, 50.0],
                          "impressions": [1000, 1000, 3000], "clicks": [10, 30, 30],
                          "leads": [3, 0, 5], "qualified_leads": [1, 0, 0]})
    folded = S.fold_top(frame, "project", n=1)
    assert folded["project"].tolist() == ["A", "Other (2)"]
    other = folded.iloc[1]
    assert other["spend"] == 150 and other["leads"] == 5
    assert other["cpl"] == pytest.approx(150 / 5)          # not the mean of 100/0 and 50/5
    assert other["ctr"] == pytest.approx(60 / 4000)
    assert pd.isna(other["cost_per_qualified_lead"])       # no qualified leads: undefined


def test_segments_equal_the_layer_by_project(state, layer):
    expected = layer.query(metrics=list(S.SEGMENT_METRICS), dimensions=["project"],
                           filters=state.filter_state().filters()).set_index("project")
    got = state.data.segments["project"].set_index("project")
    for project in expected.index:
        for metric in S.SEGMENT_METRICS:
            assert got.loc[project, metric] == pytest.approx(expected.loc[project, metric],
                                                             nan_ok=True)


def test_export_name_carries_the_filters(state):
    state.param.update(business_users=[1], projects=["Kings Way"])
    assert state.export_name(dt.date(2026, 11, 24)) == \
        "leads_user-1_kings-way_2024-07-01_2024-07-10_20261124.csv"


def test_a_scope_too_large_to_hold_pages_in_the_database(state, monkeypatch):
    full = state.data
    pages = {sort: state.campaign_page(1, 2, sort, asc)[0]["campaign"].tolist()
             for sort, asc in (("spend", False), ("cpl", True), ("project", True))}
    monkeypatch.setattr(Q, "FULL_FRAME_LIMIT", 2)  # 3 campaigns in scope: too many
    S.RESULTS.clear()
    big = state.compute(state.filter_state(), state.grain)
    assert big.paged and big.campaign_count == 3 and big.campaigns.empty
    assert big.alerts is None and big.ttfc is None  # left for the second step
    state.data = big
    for (sort, asc), ids in zip((("spend", False), ("cpl", True), ("project", True)),
                                pages.values(), strict=True):
        page, rows = state.campaign_page(1, 2, sort, asc)
        assert (page["campaign"].tolist(), rows) == (ids, 3)
    page, _ = state.campaign_page(2, 2, "spend", False)
    assert page["campaign"].tolist() == [2] and page["daily_budget"].tolist() == [50]
    for metric in S.TABLE_METRICS:
        assert big.totals[metric] == pytest.approx(full.totals[metric])
    for key in ("project", "business_user"):
        pd.testing.assert_frame_equal(big.segments[key], full.segments[key], check_dtype=False)
    monkeypatch.setattr(Q, "SEGMENT_TOP_N", 1)  # the tail folded into "Other" from the KPIs
    S.RESULTS.clear()
    top1 = state.compute(state.filter_state(), state.grain).segments["project"]
    expected = S.fold_top(S.segment_sums(full.campaigns, "project"), "project", n=1)
    assert top1["project"].tolist() == ["Kings Way", "Other (2)"]
    pd.testing.assert_frame_equal(top1, expected, check_dtype=False)
    done = state.complete(big)
    assert fired(done.alerts) == fired(full.alerts)
    pd.testing.assert_frame_equal(done.ttfc, full.ttfc)


def fired(alerts):
    return sorted(zip(alerts["rule"], alerts["campaign"], strict=True))


def test_segments_from_campaign_rows_in_one_pass_equal_fold_of_sums(state):
    S.RESULTS.clear()  # an earlier test cached this state paged
    campaigns = state.refresh().campaigns
    assert len(campaigns) == 3
    for key in ("project", "business_user"):
        for n in (1, 2, 10):
            pd.testing.assert_frame_equal(
                S.top_segments(campaigns, key, n=n),
                S.fold_top(S.segment_sums(campaigns, key), key, n=n), check_exact=True)


def test_time_to_first_contact_buckets_include_their_lower_bound():
    hours = pd.DataFrame({"speed_to_lead_hours": [0.0, 0.99, 1.0, 3.99, 4.0, 24.0, 71.9, 72.0,
                                                  167.0, 168.0, 671.0, 672.0, 9000.0, None]})
    ttfc = S.ttfc_histogram(hours)
    assert dict(zip(ttfc["bucket"], ttfc["campaigns"], strict=True)) == {
        "< 1 h": 2, "1–4 h": 2, "4–24 h": 1, "1–3 d": 2, "3–7 d": 2, "1–4 wk": 2, "> 4 wk": 2}
    assert ttfc["share"].sum() == pytest.approx(1.0) and ttfc["campaigns"].dtype == "int64"


def test_first_row_gives_plain_values_and_none_for_null():
    row = S.first_row(pd.DataFrame({"spend": [1.5], "leads": [3], "cpl": [float("nan")],
                                    "project": ["A"]}))
    assert row == {"spend": 1.5, "leads": 3, "cpl": None, "project": "A"}
    assert type(row["leads"]) is int and type(row["spend"]) is float
    assert S.first_row(pd.DataFrame()) == {}


def test_a_refresh_reads_each_source_once(state, layer, monkeypatch):
    """Four statements answer a scoped refresh: campaign rows with their planned run (and the
    row count), KPIs with the previous period, statuses + arrival + per-campaign medians, and
    the trend; a scope too large to hold adds two, the segment charts and their counts."""
    sent = []
    for name in ("query", "query_arrays"):
        original = getattr(layer.warehouse, name)
        monkeypatch.setattr(layer.warehouse, name,
                            lambda sql, params=None, _o=original: sent.append(sql) or _o(sql, params))
    S.RESULTS.clear()
    state.compute(replace(state.filter_state(), business_user=(1,)), "week")
    assert len(sent) == 4
    sent.clear()
    monkeypatch.setattr(Q, "FULL_FRAME_LIMIT", 1)
    S.RESULTS.clear()
    data = state.compute(state.filter_state(), "week")
    assert data.paged and len(sent) == 6


def test_option_matches_follow_the_chosen_users_and_the_tenant(state, layer):
    assert state.option_matches("project", "") == ["Bloomfields", "Kings Way", "Zed"]
    assert state.option_matches("project", "K") == ["Kings Way"]
    state.business_users = [2]
    assert state.option_matches("project", "") == ["Zed"]
    assert state.option_matches("business_user", "") == [1, 2]
    bound = S.DashboardState(layer, tenant=2)
    assert bound.option_matches("business_user", "") == [2]
    assert bound.option_matches("project", "kings") == []


def test_the_funnel_shows_other_only_for_statuses_outside_its_stages():
    import pandas as pd

    from app.state.viewdata import status_and_funnel

    frame = pd.DataFrame({"stage": ["new", "other"], "lead_status": ["NEW_LEAD", "ODD"],
                          "leads": [3, 1]})
    status, funnel = status_and_funnel(frame)
    assert dict(zip(funnel["stage"], funnel["leads"], strict=True)) == {
        "new": 3, "working": 0, "qualified": 0, "won": 0, "lost": 0, "unknown": 0, "other": 1}
    assert funnel["share"].sum() == 1.0 and status["leads"].tolist() == [3, 1]
