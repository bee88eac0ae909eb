"""A dashboard session must not outlive its browser page: once the page is closed and Bokeh has
destroyed the session, its store (`DashboardState`) and views are garbage.

Serves the dashboard with `panel serve` and the load test's server probe
(tests/load/instrument.py counts live stores through a WeakSet), opens a page in headless
Chromium, draws the Campaigns and Alerts tables and changes a filter, closes the page, and
waits for the server to free the store. A module-level object that keeps a reference to a
session (a shared Bokeh model with callbacks, a global cache, a watcher on a shared object)
fails it. Run: `.venv/bin/python -m pytest tests/app/serving/test_sessions_end_with_their_page.py`.
"""

from __future__ import annotations

import pytest
from browser_support import UI_TIMEOUT_MS, VIEWPORT, watch

pytestmark = pytest.mark.browser

FREED_TIMEOUT_S = 30.0


def test_closed_session_frees_its_store(browser, probed_server):
    context = browser.new_context(viewport=VIEWPORT)
    watched = watch(context.new_page())
    page = watched.page
    page.goto(probed_server.url)
    page.get_by_role("button", name="Reset filters").wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_text("Totals", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
    page.locator(".bk-tab", has_text="Alerts").first.click()
    page.get_by_text("Checking", exact=False).or_(page.locator(".alert-count").first) \
        .first.wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_role("button", name="Last 30 days").click()
    page.wait_for_timeout(1500)
    page.locator(".bk-tab", has_text="Campaigns").first.click()
    page.wait_for_timeout(500)
    assert probed_server.collect().get("live_stores", 0) >= 1, "the probe saw no store"
    context.close()

    live, waited = probed_server.wait_sessions_freed(timeout=FREED_TIMEOUT_S)
    events = probed_server.read_events()
    made = sum(e.get("kind") == "session" for e in events)
    destroyed = sum(e.get("kind") == "destroyed" for e in events)
    # A page whose websocket connects after its first session expired (a busy machine) gets a
    # second one; Bokeh does not always report the expired one as destroyed. What matters is
    # that sessions were destroyed and no store outlived them.
    assert made >= 1 and destroyed >= 1, \
        f"{made} session(s) made, {destroyed} destroyed after {waited:.0f} s"
    assert live == 0, f"{live} dashboard store(s) still alive {waited:.0f} s after the page " \
                      f"closed and its session was destroyed (a per-session leak)"
    watched.assert_no_errors("while drawing the tables")
