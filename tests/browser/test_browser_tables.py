"""The tables in the page. Campaigns: a header click sorts every campaign in the filters (first
click descending for a number, again ascending), Next shows the following rows of that order,
cells are written as the semantic layer's values, and only alerting cells are highlighted.
Alerts: the most severe first, 20 at a time, one rule at a time."""

from __future__ import annotations

import re

import pytest
from browser_support import UI_TIMEOUT_MS, grid
from test_browser import (
    CAMPAIGN_ROWS,
    activity_span,
    expect,
    open_dashboard,
    range_filters,
    table_column,
)

pytestmark = pytest.mark.browser
PAGE = 25
GRID = grid("campaigns")


def header(page, title: str):
    return page.locator(f"{GRID} th button").filter(
        has_text=re.compile(rf"^\s*{re.escape(title)}\s*[▲▼]?\s*$"))


def ranked(layer, metric: str, ascending: bool) -> list[int]:
    """Campaign ids ordered as the table orders them: by the metric (no value last), then
    by id."""
    frame = layer.query(["spend", "leads", "cpl"], ["campaign"],
                        filters=range_filters(activity_span(layer)))
    frame = frame.sort_values([metric, "campaign"], ascending=[ascending, True],
                              na_position="last")
    return [int(c) for c in frame["campaign"]]


def shown_ids(page) -> list[int]:
    return [int(c) for c in table_column(page, "campaign")]


def expect_rows(page, ids: list[int]) -> None:
    """The page shows exactly these campaigns, in this order (waiting for the first)."""
    expect(page.locator(f"{CAMPAIGN_ROWS} td[data-field=campaign]").first).to_have_text(
        str(ids[0]), timeout=UI_TIMEOUT_MS)
    assert shown_ids(page) == ids


def expect_sorted(page, field: str, direction: str, ids: list[int]) -> None:
    """The header of `field` says the table is sorted `direction`, and the first page is
    the first PAGE of `ids`."""
    expect(page.locator(f"{GRID} th[aria-sort={direction}]")).to_have_attribute(
        "data-field", field, timeout=UI_TIMEOUT_MS)
    expect_rows(page, ids[:PAGE])


def test_header_sorts_every_campaign_and_next_follows_the_order(demo_url, layer, new_page):
    watched = open_dashboard(new_page, demo_url)
    page = watched.page
    expect_rows(page, ranked(layer, "spend", ascending=False)[:PAGE])

    header(page, "CPL").click()
    by_cpl = ranked(layer, "cpl", ascending=False)
    expect_sorted(page, "cpl", "descending", by_cpl)
    cpl = layer.query(["cpl"], ["campaign"], filters=range_filters(activity_span(layer))) \
        .set_index("campaign")["cpl"]
    assert table_column(page, "cpl") == [f"{cpl[c]:,.2f}" for c in by_cpl[:PAGE]]

    header(page, "CPL").click()  # again: ascending
    by_cpl_up = ranked(layer, "cpl", ascending=True)
    expect_sorted(page, "cpl", "ascending", by_cpl_up)

    page.get_by_role("button", name="Next ›").click()
    expect_rows(page, by_cpl_up[PAGE:2 * PAGE])
    watched.assert_no_errors()


def test_only_alerting_cells_are_highlighted(demo_url, layer, new_page):
    from semantic.runtime.alerts import evaluate

    watched = open_dashboard(new_page, demo_url)
    page = watched.page
    filters = range_filters(activity_span(layer))
    fired = evaluate(layer, filters, None)
    high_cpl = {int(c) for c in fired.loc[fired["rule"] == "cpl_high", "campaign"]}
    rows = page.locator(CAMPAIGN_ROWS)
    expect(rows).to_have_count(PAGE, timeout=UI_TIMEOUT_MS)
    marked = [int(rows.nth(i).locator("td[data-field=campaign]").inner_text())
              for i in range(PAGE) if "hot" in
              (rows.nth(i).locator("td[data-field=cpl]").get_attribute("class") or "")]
    shown = shown_ids(page)
    assert marked == [c for c in shown if c in high_cpl]
    assert marked, "the sample's top spenders include a CPL alert"
    assert page.locator(f"{CAMPAIGN_ROWS} td[data-field=project].hot").count() == 0
    watched.assert_no_errors()


def test_alerts_page_through_one_rule_at_a_time(demo_url, layer, new_page):
    from semantic.runtime.alerts import evaluate

    watched = open_dashboard(new_page, demo_url)
    page = watched.page
    fired = evaluate(layer, range_filters(activity_span(layer)), None)
    page.locator(".bk-tab").filter(has_text=re.compile(r"^Alerts$")).click()
    rows = page.locator(f"{grid('alerts')} tbody tr")
    expect(rows).to_have_count(min(20, len(fired)), timeout=UI_TIMEOUT_MS)
    expect(page.get_by_text(f"Alerts 1–20 of {len(fired):,}", exact=False)).to_be_visible()
    first_ids = [int(t) for t in rows.locator("td[data-field=campaign]").all_inner_texts()]
    assert first_ids == [int(c) for c in fired["campaign"][:20]]  # most severe first

    label = sorted(set(fired["label"]))[-1]
    count = int((fired["label"] == label).sum())
    page.get_by_role("combobox").filter(has=page.locator("option", has_text=label)) \
        .select_option(label)
    expect(page.get_by_text(f"of {count:,} · page 1", exact=False)).to_be_visible(
        timeout=UI_TIMEOUT_MS)
    expect(rows.locator("td[data-field=label]").filter(has_not_text=label)).to_have_count(0)
    watched.assert_no_errors()
