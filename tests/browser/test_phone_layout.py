"""The page on a phone (390 × 844, a mobile browser that honours the viewport meta tag): the
filters fold behind the menu button, KPI cards flow two per row, charts stack full width, tables
scroll inside their box, nothing overflows the page sideways; the filters still work from the
menu."""

from __future__ import annotations

import pytest
from browser_support import UI_TIMEOUT_MS, watch
from test_browser import expect, tab, wait_for_dashboard

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield watch(context.new_page())
    context.close()


def page_width(page) -> list[int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def test_a_phone_gets_the_whole_width_for_the_data(demo_url, phone, tmp_path):
    page = phone.page
    page.goto(demo_url + "/")
    wait_for_dashboard(page)
    assert page_width(page) == [390, 390], "laid out at the phone's width, nothing sideways"
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_hidden()  # folded behind the menu when the page opens
    cards = [page.locator(f'.kpi[data-metric="{m}"]').bounding_box()
             for m in ("spend", "impressions", "clicks")]
    assert cards[0]["y"] == cards[1]["y"] < cards[2]["y"], "two cards per row"
    assert cards[0]["width"] > 140 and cards[1]["x"] + cards[1]["width"] <= 390
    table = page.locator(".grid-wrap").filter(visible=True).first.bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390, "the table scrolls inside"

    page.click("#sidebar-button")  # the filters open over the page ...
    expect(sidebar).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert sidebar.bounding_box()["width"] >= 380
    page.get_by_role("button", name="Last 30 days").click()
    page.click("#sidebar-button")  # ... and close again
    expect(sidebar).to_be_hidden(timeout=UI_TIMEOUT_MS)
    expect(page.get_by_text("Change vs the previous period of equal length")).to_be_visible(
        timeout=UI_TIMEOUT_MS)

    tab(page, "Trends").click()
    canvases = page.locator(".bk-Canvas").filter(visible=True)
    expect(canvases.first).to_be_visible(timeout=UI_TIMEOUT_MS)
    boxes = [c.bounding_box() for c in canvases.all()[:2]]
    assert boxes[0]["y"] < boxes[1]["y"], "charts stacked"
    assert all(b["width"] > 300 for b in boxes), "each chart the width of the phone"
    page.screenshot(path=str(tmp_path / "phone-trends.png"))  # looked at while writing this
    assert page_width(page) == [390, 390]
    phone.assert_no_errors()


def test_a_desktop_keeps_the_filters_open_and_charts_side_by_side(demo_url, new_page):
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/")
    wait_for_dashboard(page)
    expect(page.locator("#sidebar")).to_be_visible()
    tab(page, "Segments").click()
    canvases = page.locator(".bk-Canvas").filter(visible=True)
    expect(canvases.nth(2)).to_be_visible(timeout=UI_TIMEOUT_MS)
    boxes = [c.bounding_box() for c in canvases.all()[:3]]
    assert len({round(b["y"]) for b in boxes}) == 1, "three segment charts in one row"
    watched.assert_no_errors()
