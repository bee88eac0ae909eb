"""Text from the data (project names, lead statuses, lead names) is shown as text in the served
dashboard, never run as HTML: a business user who names a project `<img onerror=...>` must not
get script into another session (e.g. an analyst who sees every business user).

Bokeh's MultiChoice renders option labels with Choices.js, which treats them as HTML; the
project and status pickers (app/views/pickers.py) therefore get escaped labels mapped to raw values."""

from __future__ import annotations

import pytest
from browser_support import PanelServer, kpi_value
from factories import build_warehouse, campaign, insight, lead
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARK = "window.__cbi_xss = (window.__cbi_xss || []).concat"
PROJECT = f'<img src=x onerror="{MARK}([\'project\'])">Kings'
STATUS = f'<img src=x onerror="{MARK}([\'status\'])">'
NAME = f'<img src=x onerror="{MARK}([\'name\'])">'


@pytest.fixture(scope="module")
def hostile_url(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    db = build_warehouse(
        folder / "w.duckdb",
        campaigns=[campaign(1, user=7, project=PROJECT), campaign(2, user=8, project="Zed")],
        insights=[insight(1, "2024-07-01", spend="100", impressions=1000, clicks=10),
                  insight(2, "2024-07-01", spend="5", impressions=10, clicks=1)],
        leads=[lead(1, 1, "2024-07-01 10:00:00", name=NAME, status=STATUS),
               lead(2, 2, "2024-07-01 11:00:00")])
    server = PanelServer("xss", db, folder / "panel.log")
    try:
        server.wait_ready("/dashboard")
        yield server.url + "/dashboard"
    finally:
        server.stop()


def fired(page) -> list[str]:
    return page.evaluate("window.__cbi_xss || []")


def test_names_from_the_data_never_run_as_html(hostile_url, new_page):
    watched = new_page()
    page = watched.page
    page.goto(hostile_url)
    page.get_by_role("button", name="Reset filters").wait_for()
    page.wait_for_timeout(2000)
    for tab in ("Trends", "Lead outcomes", "Segments", "Alerts", "Campaigns"):
        page.locator(".bk-tab", has_text=tab).first.click()
        page.wait_for_timeout(1000)
    for placeholder in ("All projects (type to search)", "All statuses"):
        box = page.get_by_placeholder(placeholder)
        box.click()
        box.press_sequentially("img", delay=30)
        page.wait_for_timeout(500)
        box.press("Escape")
    assert fired(page) == []


def test_a_hostile_name_shows_as_text_and_still_filters(hostile_url, new_page):
    """The escaped label reads as the raw name and choosing it filters by the raw value."""
    watched = new_page()
    page = watched.page
    page.goto(hostile_url)
    expect(kpi_value(page, "Spend")).to_have_attribute("title", "105.00", timeout=60_000)
    box = page.get_by_placeholder("All projects (type to search)")
    box.click()
    box.press_sequentially("img", delay=30)  # Choices.js' fuzzy search favours early matches
    option = page.locator(".choices__list--dropdown .choices__item--choice").filter(
        visible=True).filter(has_text="Kings")
    expect(option).to_have_count(1)
    assert option.inner_text().strip() == PROJECT
    option.click()
    page.keyboard.press("Escape")
    expect(kpi_value(page, "Spend")).to_have_attribute("title", "100.00", timeout=60_000)
    assert fired(page) == []
