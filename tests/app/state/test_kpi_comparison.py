"""The KPI cards compare with the previous period of equal length or with the same days a year
earlier, chosen in the page; a comparison period that lies (partly) before the data starts shows
no change rather than a misleading +99 %. On a hand-built warehouse with two Julys."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import build_warehouse, campaign, insight, lead

import semantic
from app.state import store as S
from app.state.viewdata import FilterState, year_before
from app.views import kpis as kpi_view
from app.views.live import same

JULY_2024 = (dt.date(2024, 7, 1), dt.date(2024, 7, 10))


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = build_warehouse(
        tmp_path_factory.mktemp("compare") / "w.duckdb",
        campaigns=[
            campaign(1, start="2023-07-01 00:00:00", stop="2023-07-10 23:00:00"),
            campaign(2, start="2024-06-21 00:00:00", stop="2024-07-10 23:00:00"),
        ],
        insights=[
            insight(1, "2023-07-01", spend="50", impressions=1000, clicks=20, reach=900),
            insight(2, "2024-06-25", spend="40", impressions=400, clicks=8, reach=300),
            insight(2, "2024-07-02", spend="200", impressions=3000, clicks=60, reach=2500),
        ],
        leads=[lead(1, 1, "2023-07-04 10:00:00"), lead(2, 2, "2024-07-03 10:00:00"),
               lead(3, 2, "2024-07-04 10:00:00")],
    )
    with semantic.connect(path) as opened:
        yield opened


@pytest.fixture
def state(layer):
    st = S.DashboardState(layer)
    st.date_range = JULY_2024
    return st


def test_a_year_before_keeps_the_day_and_turns_29_february_into_the_28th():
    assert year_before(dt.date(2024, 7, 10)) == dt.date(2023, 7, 10)
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    july = FilterState(date_from=JULY_2024[0], date_to=JULY_2024[1], compare="year")
    assert (july.previous().date_from, july.previous().date_to) == (
        dt.date(2023, 7, 1), dt.date(2023, 7, 10))
    before = FilterState(date_from=JULY_2024[0], date_to=JULY_2024[1])
    assert (before.previous().date_from, before.previous().date_to) == (
        dt.date(2024, 6, 21), dt.date(2024, 6, 30))


def test_the_cards_compare_with_the_chosen_period(state, layer):
    previous = state.data.previous
    assert previous["spend"] == 40 and previous["leads"] == 0  # 21-30 June 2024
    html = kpi_view.cards_html(state.data, state.date_min)
    assert "Change vs the previous period of equal length (" in html
    state.compare = "year"
    year_ago = layer.query(["spend", "leads", "cpl"], filters={
        "date_from": "2023-07-01", "date_to": "2023-07-10"}).iloc[0]
    assert state.data.previous["spend"] == year_ago["spend"] == 50
    assert state.data.previous["leads"] == year_ago["leads"] == 1
    assert state.data.kpis["spend"] == 200 and state.data.kpis["leads"] == 2
    assert state.data.previous_range == (dt.date(2023, 7, 1), dt.date(2023, 7, 10))
    html = kpi_view.cards_html(state.data, state.date_min)
    assert "Change vs the same period a year earlier (" in html
    assert "▲ +300" in html  # spend 50 -> 200


def test_switching_the_comparison_recomputes_once_and_leaves_the_other_views_alone(state):
    state.date_range = (dt.date(2024, 7, 1), dt.date(2024, 7, 9))  # no other test asks this
    before, computed = state.data, state.computations
    state.compare = "year"
    after = state.data
    assert state.computations == computed + 1
    for name in ("campaigns", "trends", "status", "funnel", "segments", "alerts", "ttfc"):
        assert same(getattr(after, name), getattr(before, name)), name  # views not redrawn
    assert after.campaigns is before.campaigns  # from the cache, not queried again
    assert not same(after.previous, before.previous)


def test_no_change_is_shown_when_the_compared_period_starts_before_the_data(state):
    state.date_range = (dt.date(2023, 7, 1), dt.date(2023, 7, 10))  # the data's first July
    state.compare = "year"
    html = kpi_view.cards_html(state.data, state.date_min)
    assert "No change shown: the same period a year earlier" in html
    assert "lies before the data, which starts on" in html
    assert "▲" not in html and "▼" not in html
    state.compare = "previous"  # 21-30 June 2023: also before the first day, 1 July 2023
    html = kpi_view.cards_html(state.data, state.date_min)
    assert "No change shown: the previous period of equal length" in html
    state.date_range = (dt.date(2023, 7, 3), dt.date(2023, 7, 5))  # 30 June - 2 July: partly
    html = kpi_view.cards_html(state.data, state.date_min)
    assert "starts before the data, which starts on" in html and "▲" not in html
