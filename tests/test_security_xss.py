"""Text from the data (project names, lead statuses, lead names) is shown as text in the served
dashboard, never run as HTML: a business user who names a project `<img onerror=...>` must not
get script into another session (e.g. an analyst who sees every business user).

Known failing (strict xfail): Bokeh's MultiChoice renders option labels with Choices.js, which
treats them as HTML, and the project and status pickers list names from the data. The fix
(app/dashboard.py, see docs/SECURITY.md) is to give those widgets escaped labels."""

from __future__ import annotations

import pytest
from browser_support import PanelServer
from factories import build_warehouse, campaign, insight, lead

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


@pytest.mark.xfail(strict=True, reason="Bokeh MultiChoice (Choices.js) renders option labels "
                   "as HTML; app/dashboard.py passes project and status names unescaped")
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
