"""Links in a real browser: the URL is the view. An opened link restores filters, tab, grain,
sort and the open campaign; every change is a history entry that back/forward walks; clicks on
charts and rows filter and drill (segment bar, trend period, funnel stage, status slice,
campaign detail); a bad link is used as far as it can be, with a note; a tenant's session never
widens through a link. Every value is checked against the semantic layer (app/state/link.py,
app/views/page_link.py, app/views/detail.py)."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pandas as pd
import pytest
from browser_support import ADMIN_ACCOUNT, TENANT_ACCOUNT, UI_TIMEOUT_MS, grid, kpi_value
from test_browser import (
    PROJECTS_PLACEHOLDER,
    USERS_PLACEHOLDER,
    activity_span,
    expect_kpis,
    expect_table_only,
    range_filters,
    sign_in,
    tab,
    totals,
    wait_for_dashboard,
)

from app.state.viewdata import SEGMENT_TOP_N  # bars before "Other"
from app.views import format as fmt
from app.views.detail import FIRST_ROWS
from app.views.outcomes import RING_X
from semantic.catalog import STATUSES

pytestmark = pytest.mark.browser

#: rows of the campaign table only (the detail's and other tabs' grids are `.cbi-grid` too)
CAMPAIGN_ROWS = f"{grid('campaigns')} tr.open"
NOTE = ".cbi-link-note"
NOTE_START = "Parts of the link were not used:"

#: A Bokeh figure on screen by its title: its frame's box on the page, every column of its
#: renderers' sources, and (given x and y in data units) where that point is on the page.
FIGURE_JS = """([title, x, y]) => {
  const seen = new Set();
  let found = null;
  function walk(view) {
    if (!view || seen.has(view) || found) return;
    seen.add(view);
    const model = view.model;
    if (view.frame && model && model.title && model.title.text === title
        && view.canvas_view.el.getBoundingClientRect().width > 0) { found = view; return; }
    for (const child of (view.child_views || [])) walk(child);
  }
  for (const root of Object.values(Bokeh.index)) walk(root);
  if (!found) return null;
  const box = found.canvas_view.el.getBoundingClientRect();
  const columns = {};
  for (const renderer of found.model.renderers) {
    const source = renderer.data_source;
    if (!source || !source.data) continue;
    const data = source.data instanceof Map ? Object.fromEntries(source.data) : source.data;
    for (const [name, values] of Object.entries(data)) {  // a name twice: the longest
      if (!(name in columns) || values.length > columns[name].length) {
        columns[name] = Array.from(values);
      }
    }
  }
  const frame = found.frame.bbox;
  const at = x === null ? null : [box.x + found.frame.x_scale.compute(x),
                                  box.y + found.frame.y_scale.compute(y)];
  return {frame: [box.x + frame.left, box.y + frame.top, frame.width, frame.height],
          columns, at};
}"""


# -- helpers -----------------------------------------------------------------------------------
def _expect():
    """Playwright's `expect` waiting UI_TIMEOUT_MS (its own instance: the shared one's default
    of 5 s is left alone for the other modules)."""
    from playwright.sync_api import expect as shared

    mine = type(shared)()
    mine.set_options(timeout=UI_TIMEOUT_MS)
    return mine


expect = _expect()


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def until(page, check, what: str):
    """Poll `check()` (every 100 ms, up to UI_TIMEOUT_MS) until it returns something truthy;
    for what the page shows but no locator can wait on (the URL, a chart's data)."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not (value := check()) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert value, what() if callable(what) else what
    return value


def expect_query(page, **expected) -> None:
    """The page's URL query is exactly `expected` (name → value or list of values; order of
    parameters and of repeated values ignored). Waits: the address follows the server."""
    want = {k: sorted(v if isinstance(v, list) else [str(v)]) for k, v in expected.items()}
    until(page, lambda: {k: sorted(v) for k, v in query_of(page).items()} == want,
          lambda: f"URL {page.url}, expected the query {want}")


def dates(first: dt.date, last: dt.date) -> dict[str, str]:
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


def expect_tab(page, name: str) -> None:
    expect(page.locator(".bk-tab.bk-active")).to_have_text(name)


def expect_chips(page, *labels: str) -> None:
    """Exactly these filter chips, in order (none: the "No filters" hint)."""
    chips = page.locator(".chip > span")
    if labels:
        expect(chips).to_have_text(list(labels))
    else:
        expect(chips).to_have_count(0)
        expect(page.get_by_text("No filters: all data.")).to_be_visible()


def wait_for_kpis(page) -> None:
    expect(kpi_value(page, "Spend")).to_have_count(1, timeout=UI_TIMEOUT_MS)


def figure(page, title: str, x=None, y=None) -> dict:
    """`FIGURE_JS` for the visible figure titled `title` (waits until it is on the page)."""
    return until(page, lambda: page.evaluate(FIGURE_JS, [title, x, y]),
                 f"no figure {title!r} on the page")


def bars(page, title: str, ready=bool) -> list[dict]:
    """A bar chart's rows (each its source's columns: `_cat` the axis label, `_value` the
    length), top bar first, once `ready(rows)` (by default: once it has bars)."""
    def rows():
        columns = figure(page, title)["columns"]
        found = [dict(zip(columns, values, strict=True))
                 for values in zip(*columns.values(), strict=True)]
        return found if found and ready(found) else None
    return until(page, rows, lambda: f"{title!r}: not the bars expected")


def click_bar(page, title: str, bar: dict) -> None:
    """Click the middle of a horizontal bar (a row of `bars`)."""
    page.mouse.click(*figure(page, title, bar["_value"] / 2, bar["_cat"])["at"])


def detail_grid(page, first_field: str, without: str | None = None):
    """One of the campaign detail's tables, by its columns."""
    grids = page.locator(grid("detail")).filter(
        has=page.locator(f"th[data-field={first_field}]"))
    if without:
        grids = grids.filter(has_not=page.locator(f"th[data-field={without}]"))
    return grids


def campaign_cells(page, field: str) -> list[str]:
    return [t.strip() for t in page.locator(f"{CAMPAIGN_ROWS} td[data-field={field}]")
            .all_inner_texts()]


def picked(page, placeholder: str):
    """The values chosen in the sidebar's MultiChoice with this placeholder."""
    box = page.locator(".choices").filter(has=page.get_by_placeholder(placeholder))
    return box.locator(".choices__list--multiple .choices__item[data-value]")


# -- demo mode -------------------------------------------------------------------------------
def test_a_shared_link_restores_the_exact_view(demo_url, layer, new_page, tmp_path):
    span = activity_span(layer)
    first = span[0] + dt.timedelta(days=60)
    last = first + dt.timedelta(days=119)  # 120 days: the automatic grain is week, not day
    chosen = range_filters((first, last))
    per_project = layer.query(["spend"], ["project"], filters=chosen)
    project = str(per_project.sort_values(["spend", "project"], ascending=[False, True])
                  .iloc[0]["project"])
    filters = {**chosen, "project": [project]}
    wanted = {"project": project, **dates(first, last), "tab": "trends", "grain": "day",
              "sort": "cpl:asc"}

    watched = new_page()
    page = watched.page
    page.goto(f"{demo_url}/dashboard?{urlencode(wanted, quote_via=quote, safe=':')}")
    wait_for_kpis(page)
    expect_tab(page, "Trends")
    expect(page.locator(".bk-Canvas").filter(visible=True)).to_have_count(4)
    until(page, lambda: len(figure(page, "Spend")["columns"].get("period", [])) == 120,
          "the trends drawn by day: 120 periods")
    expect(page.get_by_role("button", name="Day", exact=True)).to_have_class(
        re.compile(r"\bbk-active\b"))
    expect_chips(page, f"Project: {project}", f"Dates: {first} – {last}")
    expect(picked(page, PROJECTS_PLACEHOLDER)).to_have_count(1)
    expect(picked(page, PROJECTS_PLACEHOLDER)).to_have_attribute("data-value", project)
    expect(page.locator("input.form-control")).to_have_value(f"{first} to {last}")
    expect(page.locator(NOTE)).to_have_count(0)
    expect_kpis(page, **totals(layer, filters))
    expect_query(page, **wanted)  # written back as it came (the canonical form)

    tab(page, "Campaigns").click()
    expect_query(page, **{k: v for k, v in wanted.items() if k != "tab"})
    expect_table_only(page, "project", project)
    cpl = layer.query(["cpl"], ["campaign"], filters=filters).dropna(subset=["cpl"])
    order = cpl.sort_values(["cpl", "campaign"]).reset_index(drop=True)
    ids, shown = campaign_cells(page, "campaign"), campaign_cells(page, "cpl")
    assert len(ids) == min(25, len(layer.campaigns(filters=filters))) and len(ids) >= 5
    valued = [i for i, v in enumerate(shown) if v != fmt.MISSING]
    assert valued == list(range(len(valued))), f"campaigns without a CPL sort last: {shown}"
    assert [int(ids[i]) for i in valued] == [int(c) for c in order["campaign"][:len(valued)]]
    assert [shown[i] for i in valued] == [f"{v:,.2f}" for v in order["cpl"][:len(valued)]]
    expect(page.locator("th[data-field=cpl]").first).to_have_attribute("aria-sort", "ascending")
    page.screenshot(path=str(tmp_path / "shared-link.png"))
    watched.assert_no_errors()


def test_back_and_forward_walk_the_changes(demo_url, layer, new_page):
    span = activity_span(layer)
    everything = range_filters(span)
    per_project = layer.query(["spend", "ctr"], ["project"], filters=everything)
    top = per_project.sort_values(["spend", "project"], ascending=[False, True]).head(
        SEGMENT_TOP_N)
    ranking = [str(p) for p in top.sort_values("ctr", ascending=False)["project"]]
    ranking += [""] if len(per_project) > SEGMENT_TOP_N else []  # "Other": no click
    best = ranking[0]  # CTR's top bar

    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/dashboard")
    wait_for_dashboard(page)
    base = dates(*span)
    expect_query(page, **base)  # the dates are written at once, replacing the entry
    expect_chips(page)
    length = page.evaluate("() => history.length")

    tab(page, "Segments").click()
    expect_query(page, **base, tab="segments")
    every = bars(page, "CTR", lambda rows: len(rows) == len(ranking))
    assert [bar["key"] for bar in every] == ranking, "best CTR on top, then the others, Other"
    click_bar(page, "CTR", every[0])
    expect_query(page, **base, project=best, tab="segments")
    expect_chips(page, f"Project: {best}")
    expect(picked(page, PROJECTS_PLACEHOLDER)).to_have_attribute("data-value", best)
    expect_kpis(page, **totals(layer, {**everything, "project": [best]}))
    bars(page, "CTR", lambda rows: [bar["key"] for bar in rows] == [best])  # that one only

    tab(page, "Trends").click()
    expect_query(page, **base, project=best, tab="trends")
    assert page.evaluate("() => history.length") == length + 3, "one entry per change"

    page.go_back()
    expect_query(page, **base, project=best, tab="segments")
    expect_tab(page, "Segments")
    expect_chips(page, f"Project: {best}")
    page.go_back()
    expect_query(page, **base, tab="segments")
    expect_tab(page, "Segments")
    expect_chips(page)
    expect(picked(page, PROJECTS_PLACEHOLDER)).to_have_count(0)
    expect_kpis(page, **totals(layer, everything))
    page.go_back()
    expect_query(page, **base)
    expect_tab(page, "Campaigns")
    expect_chips(page)
    expect(page.locator(CAMPAIGN_ROWS).first).to_be_visible()
    assert len(set(campaign_cells(page, "project"))) > 1, "every project again"

    page.go_forward()
    expect_query(page, **base, tab="segments")
    expect_tab(page, "Segments")
    expect_chips(page)
    bars(page, "CTR", lambda rows: [bar["key"] for bar in rows] == ranking)  # all again
    watched.assert_no_errors()


def test_the_segments_breakdown_is_in_the_link(demo_url, layer, new_page):
    span = activity_span(layer)
    base = dates(*span)
    watched = new_page()
    page = watched.page
    page.goto(f"{demo_url}/dashboard?tab=segments&by=business_user")
    wait_for_kpis(page)
    expect_tab(page, "Segments")
    by_user = page.get_by_role("button", name="By business user")
    by_project = page.get_by_role("button", name="By project")
    expect(by_user).to_have_class(re.compile(r"\bbk-active\b"))
    bars(page, "CTR", lambda rows: all(bar["name"].startswith(("User ", "Other"))
                                       for bar in rows))
    expect_query(page, **base, tab="segments", by="business_user")
    by_project.click()
    expect_query(page, **base, tab="segments")  # by project: the default, not written
    bars(page, "CTR", lambda rows: not rows[0]["name"].startswith("User "))
    page.go_back()
    expect_query(page, **base, tab="segments", by="business_user")
    expect(by_user).to_have_class(re.compile(r"\bbk-active\b"))
    bars(page, "CTR", lambda rows: rows[0]["name"].startswith("User "))
    watched.assert_no_errors()


def test_a_quick_back_leaves_the_address_and_the_view_in_step(demo_url, layer, new_page):
    """Back pressed within one server round trip of a change: the entry the server sent for
    the change crosses the Back; the address must end as the view shown (it stayed on the
    change's address before the restored one was always sent again)."""
    span = activity_span(layer)
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/dashboard")
    wait_for_dashboard(page)
    base = dates(*span)
    expect_query(page, **base)
    tab(page, "Segments").click()
    expect_query(page, **base, tab="segments")
    def in_step() -> bool:
        shown = page.locator(".bk-tab.bk-active").inner_text().strip()
        wanted = {**base, **({} if shown == "Campaigns" else {"tab": shown.lower()})}
        return query_of(page) == {k: [v] for k, v in wanted.items()}

    for _ in range(3):  # it crossed every time before the fix
        tab(page, "Trends").click()
        page.evaluate("() => history.back()")  # at once, before the server's answer
        until(page, in_step, lambda: f"the tab shown and the URL {page.url} disagree")
        page.wait_for_timeout(1000)  # and they stay in step once every answer has come
        assert in_step(), f"the tab shown and the URL {page.url} disagree"
        tab(page, "Segments").click()  # again from Segments
        expect_query(page, **base, tab="segments")
    watched.assert_no_errors()


def test_a_campaign_row_opens_its_detail(demo_url, layer, new_page, tmp_path):
    span = activity_span(layer)
    filters = range_filters(span)
    base = dates(*span)
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/dashboard")
    wait_for_dashboard(page)
    expect_query(page, **base)
    first_row = page.locator(CAMPAIGN_ROWS).first
    campaign = int(first_row.locator("td[data-field=campaign]").inner_text())
    leads, lead_count = layer.campaign_leads(campaign, filters)
    _log, log_count = layer.status_log(campaign, filters)
    daily = layer.ad_set_delivery(campaign, filters)
    ad_sets = daily["ad_set"].nunique(dropna=False)
    info = layer.campaigns(filters={"campaign": [campaign]}).iloc[0]
    assert lead_count > 0 and ad_sets > 0, "the first campaign (most spend) has leads"

    def expect_detail() -> None:
        head = page.locator(".detail-head")
        expect(head).to_be_visible()
        expect(head.locator("b")).to_have_text(f"Campaign {campaign}")
        expect(head).to_contain_text(f"Business user {info['business_user']}")
        expect(head).to_contain_text(str(info["project"]))
        expect(page.locator(".detail-section").filter(has_text="Ad sets (")).to_have_text(
            f"Ad sets ({ad_sets}): delivery in the chosen dates")
        first = min(lead_count, FIRST_ROWS)
        expect(page.locator(".detail-section").filter(has_text="Leads:")).to_have_text(
            f"Leads: {lead_count:,}" + (f" (the newest {first} shown)" if first < lead_count
                                        else ""))
        expect(page.locator(".detail-section").filter(has_text="Status log:")).to_contain_text(
            f"Status log: {log_count:,} changes")
        expect(detail_grid(page, "ad_set", without="day").locator("tbody tr")) \
            .to_have_count(ad_sets)
        expect(detail_grid(page, "day").locator("tbody tr")).to_have_count(
            min(len(daily), FIRST_ROWS))
        lead_rows = detail_grid(page, "lead_id", without="changed_at").locator("tbody tr")
        expect(lead_rows).to_have_count(first)
        expect(lead_rows.first.locator("td").first).to_have_text(str(leads["lead_id"].iloc[0]))

    first_row.click()
    expect_detail()
    expect_query(page, **base, detail=campaign)
    page.screenshot(path=str(tmp_path / "detail.png"))

    if lead_count > FIRST_ROWS:  # the rest of the fetched leads on "Show more"
        lead_rows = detail_grid(page, "lead_id", without="changed_at").locator("tbody tr")
        more = page.locator(".more-leads button")
        expect(more).to_have_text(f"Show {min(lead_count, 500) - FIRST_ROWS:,} more")
        more.click()
        expect(lead_rows).to_have_count(min(lead_count, 500))

    page.get_by_role("button", name="Keep only this campaign").click()
    expect_query(page, **base, campaign=campaign, detail=campaign)
    expect_chips(page, f"Campaign {campaign}")
    expect(page.locator(CAMPAIGN_ROWS)).to_have_count(1)
    assert campaign_cells(page, "campaign") == [str(campaign)]
    expect_kpis(page, **totals(layer, {**filters, "campaign": [campaign]}))

    page.get_by_role("button", name="Close ✕").click()
    expect_query(page, **base, campaign=campaign)
    expect(page.locator(".detail-head")).to_be_hidden()
    expect_chips(page, f"Campaign {campaign}")

    page.goto(f"{demo_url}/dashboard?detail={campaign}")  # a shared link to the detail
    wait_for_kpis(page)
    expect_detail()
    expect_query(page, **base, detail=campaign)
    expect_chips(page)
    watched.assert_no_errors()


def test_a_bad_link_is_used_as_far_as_it_can_be(demo_url, layer, new_page):
    span = activity_span(layer)
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/dashboard?bogus=1&tab=nope&page=x&date_from=2024-13-01")
    wait_for_dashboard(page)
    note = page.locator(NOTE)
    expect(note).to_be_visible()
    expect(note).to_contain_text(re.compile(rf"^{re.escape(NOTE_START)}"))
    text = note.inner_text()
    for part in ("unknown parameter 'bogus'", "tab: 'nope'", "page: 'x'",
                 "date_from: '2024-13-01' is not a date"):
        assert part in text, text
    expect_tab(page, "Campaigns")
    expect_query(page, **dates(*span))  # what was used: the default view
    expect_kpis(page, **totals(layer, range_filters(span)))
    expect_chips(page)

    tab(page, "Trends").click()  # the user moves on: the note goes
    expect(note).to_be_hidden()
    expect_query(page, **dates(*span), tab="trends")
    watched.assert_no_errors()


def test_clicks_on_charts_filter_every_view(demo_url, layer, new_page):
    span = activity_span(layer)
    month = (span[1].replace(day=1) - dt.timedelta(days=100)).replace(day=1)
    month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/dashboard?tab=trends")  # the whole span: monthly periods
    wait_for_kpis(page)
    expect_query(page, **dates(*span), tab="trends")
    middle = pd.Timestamp(month) + pd.Timedelta(days=14)
    spend = figure(page, "Spend", middle.value // 10**6, 0)
    x = spend["at"][0]
    y = spend["frame"][1] + spend["frame"][3] / 2
    page.mouse.click(x, y)
    expect_query(page, **dates(month, month_end), tab="trends")  # a month is ≤ 45 days: daily
    expect_chips(page, f"Dates: {month} – {month_end}")
    in_month = range_filters((month, month_end))
    expect_kpis(page, **totals(layer, in_month))

    tab(page, "Lead outcomes").click()
    present = layer.filter_options()["lead_statuses"]

    def statuses_of(stage: str) -> list[str]:
        return [s for s in present if s in STATUSES and STATUSES[s].stage == stage]
    funnel = "Funnel: leads by current stage"
    stages = bars(page, funnel, lambda rows: sum(bar["_value"] for bar in rows) ==
                  totals(layer, in_month)["leads"])
    # the longest bar of a stage with several statuses
    stage = max((bar for bar in stages if len(statuses_of(bar["stage"])) > 1),
                key=lambda bar: bar["_value"])
    statuses = statuses_of(stage["stage"])
    click_bar(page, funnel, stage)
    expect_query(page, **dates(month, month_end), lead_status=statuses, tab="outcomes")
    expect_chips(page, *(f"Status: {s}" for s in statuses), f"Dates: {month} – {month_end}")
    expect_kpis(page, **totals(layer, {**in_month, "lead_status": statuses}))

    # the widest slice of the ring (which now holds the stage's statuses only)
    def ring_of_the_stage():
        found = figure(page, "Leads by current status", RING_X, 0)
        shown = set(found["columns"]["lead_status"])
        return found if shown and shown <= set(statuses) else None
    ring = until(page, ring_of_the_stage, "the ring shows the stage's statuses only")
    slices = ring["columns"]
    widest = max(range(len(slices["start"])),
                 key=lambda i: slices["end"][i] - slices["start"][i])
    status = slices["lead_status"][widest]
    angle = (slices["start"][widest] + slices["end"][widest]) / 2  # counter-clockwise from 3 h
    center_x, center_y = ring["at"]
    radius = 88  # between the ring's inner (58 px) and outer (118 px) radius
    page.mouse.click(center_x + radius * math.cos(angle), center_y - radius * math.sin(angle))
    expect_query(page, **dates(month, month_end), lead_status=status, tab="outcomes")
    expect_chips(page, f"Status: {status}", f"Dates: {month} – {month_end}")
    expect_kpis(page, **totals(layer, {**in_month, "lead_status": [status]}))

    page.get_by_role("button", name=f"Remove filter Status: {status}").click()
    expect_query(page, **dates(month, month_end), tab="outcomes")
    expect_chips(page, f"Dates: {month} – {month_end}")
    expect_kpis(page, **totals(layer, in_month))
    watched.assert_no_errors()


# -- production mode: a link never widens a tenant ------------------------------------------
def test_a_link_never_widens_a_tenant(prod_setup, layer, new_page):
    tenant, other = prod_setup.tenant, prod_setup.other
    theirs = layer.campaigns(filters={"business_user": [other]})
    foreign = int(theirs["campaign_id"].iloc[0])
    span = activity_span(layer, tenant)
    own = range_filters(span)
    mine = totals(layer, own, tenant)

    watched = new_page()
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, prod_setup.url, TENANT_ACCOUNT, prod_setup.tenant_password)
    wait_for_dashboard(page)
    missing = 999_999_999  # no campaign at all: reads exactly like another tenant's
    page.goto(f"{prod_setup.url}/dashboard?business_user={other}&detail={foreign}"
              f"&campaign={foreign}&campaign={missing}")
    wait_for_dashboard(page)
    note = page.locator(NOTE)
    expect(note).to_be_visible()
    expect(note).to_contain_text(NOTE_START)
    expect(note).to_contain_text(f"business_user: {other} not found in your data")
    expect(note).to_contain_text(f"detail: campaign {foreign} not found in your data")
    expect(note).to_contain_text(f"campaign: {foreign}, {missing} not found in your data")
    expect_query(page, business_user=tenant, **dates(*span))
    expect(page.get_by_placeholder(USERS_PLACEHOLDER)).to_be_disabled()
    expect(picked(page, USERS_PLACEHOLDER)).to_have_attribute("data-value", str(tenant))
    expect_kpis(page, **mine)
    expect_table_only(page, "business_user", str(tenant))
    expect(page.locator(".detail-head")).to_be_hidden()
    expect_chips(page)  # the tenant's own business user is no removable chip

    # the tenant copies a link to its view ...
    page.locator(".cbi-copy-link").click()
    expect(page.locator(".cbi-copy-link")).to_have_text("Link copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.url and f"business_user={tenant}" in copied, copied
    watched.assert_no_errors()

    # ... and an admin who opens it sees exactly the tenant's numbers
    admin = new_page()
    sign_in(admin.page, prod_setup.url, ADMIN_ACCOUNT, prod_setup.admin_password)
    wait_for_dashboard(admin.page)
    admin.page.goto(copied)
    wait_for_dashboard(admin.page)
    expect_query(admin.page, business_user=tenant, **dates(*span))
    assert totals(layer, {**own, "business_user": [tenant]}) == mine
    expect_kpis(admin.page, **mine)
    whole = activity_span(layer)
    expect_chips(admin.page, f"Business user {tenant}",
                 *([f"Dates: {span[0]} – {span[1]}"] if span != whole else []))
    expect(admin.page.get_by_placeholder(USERS_PLACEHOLDER)).to_be_enabled()
    expect_table_only(admin.page, "business_user", str(tenant))
    expect(admin.page.locator(NOTE)).to_have_count(0)
    admin.assert_no_errors()
