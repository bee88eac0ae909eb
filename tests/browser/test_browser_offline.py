"""The served dashboard loads nothing from any other host: every script, stylesheet (Panel's
component and theme CSS, the ES-module shim behind the Campaigns and Alerts tables) and font comes
from the server itself, on every tab and after filter changes, and also when Bokeh rebuilds a
session because the page's websocket connected after the first one expired.

Any request off this machine fails the test (the dashboard must work offline and must not tell
a CDN who uses it). Run: `.venv/bin/python -m pytest tests/browser/test_browser_offline.py`.
"""

from __future__ import annotations

import time

import pytest
from browser_support import UI_TIMEOUT_MS, VIEWPORT, watch

pytestmark = pytest.mark.browser

TABS = ("Trends", "Lead outcomes", "Segments", "Alerts", "Campaigns")


def use_every_view(page) -> None:
    """Draw the Campaigns table, every tab (the Alerts table included) and change filters."""
    page.get_by_role("button", name="Reset filters").wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_text("Totals", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
    for tab in TABS:
        page.locator(".bk-tab", has_text=tab).first.click()
        page.wait_for_timeout(800)
    page.locator(".bk-tab", has_text="Alerts").first.click()
    page.locator(".alert-count").first.wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_role("button", name="Last 30 days").click()
    page.wait_for_timeout(1500)
    page.locator(".bk-tab", has_text="Campaigns").first.click()
    page.get_by_role("button", name="All data").click()
    page.get_by_text("Totals", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
    page.wait_for_timeout(1500)


def assert_offline(watched) -> None:
    assert watched.requests, "the page made no requests at all (was it served?)"
    assert not watched.foreign_requests(), \
        f"requests off this machine: {sorted(set(watched.foreign_requests()))[:10]}"
    watched.assert_no_errors()


def test_dashboard_loads_nothing_from_other_hosts(demo_url, new_page):
    watched = new_page()
    watched.page.goto(f"{demo_url}/dashboard")
    use_every_view(watched.page)
    assert_offline(watched)
    # nothing is typeset: MathJax's 1.8 MB of script is not loaded (app/serving/no_mathjax.py)
    scripts = [url for url in watched.requests if ".js" in url]
    assert any("bokeh.min.js" in url for url in scripts), scripts
    assert not [url for url in scripts if "mathjax" in url.lower()], scripts


def test_session_rebuilt_at_websocket_connect_is_offline(browser, probed_server):
    """A slow browser: Bokeh's JS arrives 3 s late, the page's session has expired by then and
    Bokeh builds a new one when the websocket connects (it never gets Panel's page rewrite of
    stylesheet URLs)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        watched = watch(page)

        def slow_bokeh(route) -> None:
            time.sleep(3.0)
            route.continue_()

        page.route("**/static/js/bokeh.min.js*", slow_bokeh)
        page.goto(probed_server.url)
        use_every_view(page)
        built = sum(e.get("kind") == "session" for e in probed_server.read_events())
        assert built >= 2, "the page's first session did not expire: nothing was rebuilt"
        assert_offline(watched)
    finally:
        context.close()
