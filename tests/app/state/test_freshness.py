"""An open dashboard follows a new warehouse file (app/state/freshness.py): new data, choices and
span after an ingest swapped the file, the chosen filters kept; in a real browser too."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading

import pytest
from browser_support import PanelServer, kpi_value
from factories import build_warehouse, campaign, insight
from playwright.sync_api import expect

import semantic
from app.state.freshness import reload_data
from app.state.store import DashboardState

OLD = dict(campaigns=[campaign(1, user=7, project="Kings"), campaign(2, user=8, project="Zed")],
           insights=[insight(1, "2024-07-01", spend="10"), insight(2, "2024-07-02", spend="5")])
NEW = dict(campaigns=[*OLD["campaigns"], campaign(3, user=9, project="Nile")],
           insights=[*OLD["insights"], insight(1, "2024-07-05", spend="100"),
                     insight(3, "2024-07-05", spend="1000")])


def run(coroutine) -> None:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop running in the
    main thread once a browser test of the session has started."""
    failure = []
    thread = threading.Thread(target=lambda: _run_catching(coroutine, failure))
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def _run_catching(coroutine, failure: list) -> None:
    try:
        asyncio.run(coroutine)
    except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
        failure.append(exc)


def swap_in(path, tmp_path, **tables) -> None:
    """What ingest does: build beside, then replace the file atomically."""
    fresh = build_warehouse(tmp_path / "fresh.duckdb", version="test-2", **tables)
    os.replace(fresh, path)


def test_a_session_reloads_choices_span_and_data_keeping_its_filters(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", **OLD)
    with semantic.connect(path) as layer:
        everyone = DashboardState(layer)
        assert everyone.date_max == dt.date(2024, 7, 2) and everyone.data.kpis["spend"] == 15
        mine = DashboardState(layer)
        mine.business_users = [7]
        mine.date_range = (dt.date(2024, 7, 1), dt.date(2024, 7, 1))
        swap_in(path, tmp_path, **NEW)
        for state in (everyone, mine):
            run(reload_data(state))
        # the whole span followed the data; the new user and project are offered
        assert everyone.date_range == (dt.date(2024, 7, 1), dt.date(2024, 7, 5))
        assert everyone.data.kpis["spend"] == 1115
        assert 9 in everyone.param.business_users.objects
        assert "Nile" in everyone.param.projects.objects
        # a chosen range and user stay as they were
        assert mine.business_users == [7]
        assert mine.date_range == (dt.date(2024, 7, 1), dt.date(2024, 7, 1))
        assert mine.date_max == dt.date(2024, 7, 5)
        assert mine.data.kpis["spend"] == 10


def test_a_chosen_project_that_no_longer_exists_drops_out(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", **OLD)
    with semantic.connect(path) as layer:
        state = DashboardState(layer)
        state.projects = ["Zed"]
        assert state.data.kpis["spend"] == 5
        swap_in(path, tmp_path, campaigns=OLD["campaigns"][:1], insights=OLD["insights"][:1])
        run(reload_data(state))
        assert state.projects == [] and state.param.projects.objects == ["Kings"]
        assert state.data.kpis["spend"] == 10


@pytest.mark.browser
def test_an_open_page_shows_the_new_data_without_a_reload(browser, new_page, tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", **OLD)
    server = PanelServer("freshness", path, tmp_path / "panel.log",
                         env={"CAMPAIGN_BI_DATA_CHECK_MS": "500"})
    try:
        server.wait_ready("/dashboard")
        page = new_page().page
        page.goto(server.url + "/dashboard")
        spend = kpi_value(page, "Spend")
        expect(spend).to_have_attribute("title", "15.00", timeout=60_000)
        swap_in(path, tmp_path, **NEW)
        expect(spend).to_have_attribute("title", "1,115.00", timeout=60_000)
        expect(page.get_by_text("Data available: 2024-07-01 – 2024-07-05")).to_have_count(1)
    finally:
        server.stop()
