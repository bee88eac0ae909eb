"""The database-searched pickers in a real browser (app/pickers.py `SearchPicker`, used when a
filter has more choices than the browser can list; forced here with a limit of 1): completions
arrive as you type, picking one filters the dashboard, removing its chip unfilters it, and
names from the data show as text."""

from __future__ import annotations

import pytest
from browser_support import PanelServer, kpi_value
from factories import build_warehouse, campaign, insight
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARK = "window.__cbi_xss = (window.__cbi_xss || []).concat"
HOSTILE = f'<img src=x onerror="{MARK}([\'project\'])">Kings'
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def url(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pickers")
    db = build_warehouse(
        folder / "w.duckdb",
        campaigns=[campaign(1, user=7, project=HOSTILE), campaign(2, user=71, project="Zed"),
                   campaign(3, user=8, project="Kingsway")],
        insights=[insight(1, "2024-07-01", spend="100"), insight(2, "2024-07-01", spend="5"),
                  insight(3, "2024-07-01", spend="1")])
    server = PanelServer("pickers", db, folder / "panel.log",
                         env={"CAMPAIGN_BI_PICKER_FULL_LIST": "1"})
    try:
        server.wait_ready("/dashboard")
        yield server.url + "/dashboard"
    finally:
        server.stop()


def spend(page, value: str) -> None:
    expect(kpi_value(page, "Spend")).to_have_attribute("title", value, timeout=TIMEOUT)


def completions(page):
    return page.locator(".bk-menu div").filter(visible=True)


def test_search_pick_and_remove(url, new_page):
    page = new_page().page
    page.goto(url)
    spend(page, "106.00")
    finder = page.get_by_placeholder("All business users (type to search)")
    finder.click()
    finder.press_sequentially("7", delay=50)
    expect(completions(page)).to_have_text(["7", "71"], timeout=TIMEOUT)
    completions(page).filter(has_text="71").click()
    spend(page, "5.00")
    chip = page.locator(".choices__list--multiple .choices__item", has_text="71")
    expect(chip).to_have_count(1)
    chip.locator(".choices__button").click()
    spend(page, "106.00")

    projects = page.get_by_placeholder("All projects (type to search)")
    projects.click()
    projects.press_sequentially("kings", delay=50)
    expect(completions(page)).to_have_text([HOSTILE, "Kingsway"], timeout=TIMEOUT)
    completions(page).filter(has_text="onerror").click()
    spend(page, "100.00")
    assert page.evaluate("window.__cbi_xss || []") == []
