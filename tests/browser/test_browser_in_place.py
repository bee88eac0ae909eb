"""The page as a person uses it after the in-place rewrite: cards laid out across the width,
search applied as you type, a single-day calendar click that keeps the range, and a pager that
is off when there is nothing to page."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_support import UI_TIMEOUT_MS, kpi_value
from test_browser import (
    activity_span,
    expect,
    expect_kpis,
    open_dashboard,
    range_filters,
    totals,
)

pytestmark = pytest.mark.browser


def test_kpi_cards_fill_the_row(demo_url, new_page):
    page = open_dashboard(new_page, demo_url).page
    rows = {round(page.locator(f'.kpi[data-metric="{m}"]').bounding_box()["y"])
            for m in ("spend", "impressions", "clicks", "reach", "leads")}
    assert len(rows) == 1, "the first five cards share a row at 1500 px"


def test_search_applies_as_you_type_and_pager_is_off_without_rows(demo_url, new_page):
    watched = open_dashboard(new_page, demo_url)
    page = watched.page
    search = page.get_by_placeholder("Campaign id(s) or project text")
    search.press_sequentially("zzz-no-such", delay=20)  # no Enter
    expect(page.get_by_text("No campaign matches the search.").first).to_be_visible(
        timeout=UI_TIMEOUT_MS)
    expect(kpi_value(page, "Spend")).to_have_count(0)
    expect(page.get_by_role("button", name="Next ›")).to_be_disabled()
    expect(page.get_by_role("button", name="‹ Previous")).to_be_disabled()
    watched.assert_no_errors()


def test_a_single_day_click_keeps_the_range(demo_url, layer, new_page):
    watched = open_dashboard(new_page, demo_url)
    page = watched.page
    page.get_by_role("button", name="Last 30 days").click()
    span = activity_span(layer)
    start = max(span[1] - dt.timedelta(days=29), span[0])
    before = f"{start.isoformat()} to {span[1].isoformat()}"
    dates = page.locator("input").filter(visible=True)
    shown = next(i for i in dates.all() if " to " in (i.input_value() or ""))
    expect(shown).to_have_value(before, timeout=UI_TIMEOUT_MS)  # the quick pick has applied
    expected = totals(layer, range_filters((start, span[1])))
    expect_kpis(page, **expected)
    shown.click()
    day = page.locator(".flatpickr-calendar.open .flatpickr-day:not(.prevMonthDay)"
                       ":not(.nextMonthDay):not(.flatpickr-disabled)").first
    day.click()  # one day only, then leave the calendar
    page.keyboard.press("Escape")
    page.locator(".kpi-title").first.click()
    expect(shown).to_have_value(before, timeout=UI_TIMEOUT_MS)
    expect_kpis(page, **expected)  # still the last 30 days, not all data
    watched.assert_no_errors()
