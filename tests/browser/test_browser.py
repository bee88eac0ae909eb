"""End-to-end tests in a real browser (Debian's headless Chromium through Playwright) against
`panel serve app/dashboard.py`, in demo mode and in production mode (login, tenant lock).

Every number the page shows is checked against the semantic layer for the same filters; the
exports are parsed and compared with the layer's leads export query. Fixtures (sample warehouse,
servers, browser) live in tests/browser_support.py. Run: `.venv/bin/python -m pytest -m browser`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from browser_support import (
    ADMIN_ACCOUNT,
    ROOT,
    TENANT_ACCOUNT,
    UI_TIMEOUT_MS,
    Watched,
    download_csv,
    grid,
    kpi_value,
    parse_number,
)

from app.views import format as fmt

pytestmark = pytest.mark.browser

EXPORT_HEADER = ["id", "campaign", "project", "business_user", "name", "email", "phone",
                 "status", "stage", "added_date"]
TABS = ("Trends", "Lead outcomes", "Segments", "Alerts")
CAMPAIGN_ROWS = f"{grid('campaigns')} tbody tr"
EMPTY_TEXT = "No data for these filters"
USERS_PLACEHOLDER = "All business users (type to search)"
PROJECTS_PLACEHOLDER = "All projects (type to search)"
SCREENSHOT = ROOT / "docs" / "dashboard.png"


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


# -- what the page should show, from the semantic layer -----------------------------------
def activity_span(layer, tenant: int | None = None) -> tuple[dt.date, dt.date]:
    """The default date range: first and last day with spend, leads or status changes."""
    days = layer.query(["spend", "leads", "status_changes"], ["day"], tenant=tenant)
    active = days[(days["spend"] > 0) | (days["leads"] > 0) | (days["status_changes"] > 0)]
    return active["day"].min().date(), active["day"].max().date()


def range_filters(span: tuple[dt.date, dt.date], **more) -> dict:
    return {"date_from": span[0].isoformat(), "date_to": span[1].isoformat(), **more}


def totals(layer, filters: dict, tenant: int | None = None) -> dict:
    row = layer.query(["spend", "leads"], filters=filters, tenant=tenant).iloc[0]
    return {"spend": float(row["spend"]), "leads": int(row["leads"])}


def export_ids(layer, filters: dict, tenant: int | None = None) -> list[int]:
    frame = layer.warehouse.query(layer.leads_export_sql(filters, tenant))
    return [int(i) for i in frame["id"]]


def user_with_leads(layer, filters: dict) -> int:
    """A business user with a middling number of leads in the range."""
    per_user = layer.query(["leads"], ["business_user"], filters=filters)
    ranked = per_user[per_user["leads"] >= 20].sort_values(["leads", "business_user"])
    assert len(ranked), "no business user with leads in the sample"
    return int(ranked.iloc[len(ranked) // 2]["business_user"])


# -- page helpers ---------------------------------------------------------------------------
def expect_kpis(page, spend: float, leads: int) -> None:
    """The Spend and Leads cards show these values (exact on hover, formatted on the card)."""
    spend_value = kpi_value(page, "Spend")
    expect(spend_value).to_have_attribute("title", f"{spend:,.2f}", timeout=UI_TIMEOUT_MS)
    expect(spend_value).to_have_text(fmt.by_unit(spend, "money"))
    assert parse_number(spend_value.get_attribute("title")) == pytest.approx(spend, abs=0.005)
    expect(kpi_value(page, "Leads")).to_have_text(f"{leads:,}")


def wait_for_dashboard(page) -> None:
    expect(kpi_value(page, "Spend")).to_have_count(1, timeout=UI_TIMEOUT_MS)
    expect(page.locator(CAMPAIGN_ROWS).first).to_be_visible()


def open_dashboard(new_page, url: str):
    """A fresh watched page on the dashboard at `url`, its KPIs and campaign rows shown."""
    watched = new_page()
    watched.page.goto(url + "/")
    wait_for_dashboard(watched.page)
    return watched


def tab(page, name: str):
    return page.locator(".bk-tab").filter(has_text=re.compile(rf"^{re.escape(name)}$"))


def no_view_errors(page) -> None:
    """Views turn their exceptions into an error box instead of a console error."""
    expect(page.locator(".cbi-error")).to_have_count(0)


def select_business_user(page, user: int) -> None:
    search = page.get_by_placeholder(USERS_PLACEHOLDER)
    search.click()
    search.fill(str(user))
    page.get_by_role("option", name=str(user), exact=True).filter(visible=True).click()
    page.keyboard.press("Escape")


def visible_options(page, placeholder: str) -> list[str]:
    """Every choice a MultiChoice offers (its dropdown opened, then closed again)."""
    page.get_by_placeholder(placeholder).click()
    options = page.locator(".choices__list--dropdown .choices__item--choice").filter(
        visible=True)
    expect(options.first).to_be_visible()
    texts = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return [t for t in texts if t and t != "No choices to choose from"]


def table_column(page, field: str) -> list[str]:
    return [t.strip() for t in
            page.locator(f"{CAMPAIGN_ROWS} td[data-field={field}]")
            .all_inner_texts()]


def expect_table_only(page, field: str, value: str) -> None:
    """The campaign table has rows, and `field` is `value` in every one (waits for redraws)."""
    cells = page.locator(f"{CAMPAIGN_ROWS} td[data-field={field}]")
    expect(cells.first).to_be_visible()
    expect(cells.filter(has_not_text=re.compile(rf"^\s*{re.escape(value)}\s*$"))) \
        .to_have_count(0)


def screenshot(page, path) -> None:
    """The whole dashboard: the template scrolls inside #main, so the viewport is made as tall
    as the content for the shot, then restored."""
    size = page.viewport_size
    height = page.evaluate("""() => {
        const main = document.getElementById('main');
        const header = document.getElementById('header');
        return (main ? main.scrollHeight : 0) + (header ? header.offsetHeight : 0) + 16; }""")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"],
                                                                  min(height, 6000))})
    page.wait_for_timeout(700)  # let Bokeh lay out at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def check_tabs(watched: Watched, layer, filters: dict, tenant: int | None, shots) -> None:
    """Each tab draws its charts or tables, without view or console errors."""
    from semantic.runtime.alerts import evaluate, load_config

    page = watched.page
    plots = page.locator(".bk-Canvas").filter(visible=True)  # one per Bokeh figure
    for name in TABS:
        tab(page, name).click()
        if name == "Trends":
            expect(page.get_by_text("Grain", exact=True)).to_be_visible()
            expect(plots).to_have_count(4)  # leads, spend, status changes, CPL
        elif name == "Lead outcomes":
            expect(page.get_by_text("Time to first contact: hours from")).to_be_visible()
            expect(plots).to_have_count(4)  # status, funnel, time to contact, arrival
        elif name == "Segments":
            expect(plots).to_have_count(3)  # CPL, CTR, cost per qualified lead
            page.get_by_role("button", name="By business user").click()
            expect(plots).to_have_count(3)
            page.get_by_role("button", name="By project").click()
        else:
            fired = evaluate(layer, filters, tenant)["rule"].value_counts()
            for rule, spec in load_config().items():
                if spec.get("enabled", True):
                    chip = f"{spec.get('label', rule)}: {int(fired.get(rule, 0)):,}"
                    expect(page.get_by_text(chip, exact=True)).to_be_visible()
            if fired.sum():
                expect(page.locator(f"{grid('alerts')} tbody tr").first) \
                    .to_be_visible()
        no_view_errors(page)
        page.wait_for_timeout(300)  # late errors from drawing the charts
        watched.assert_no_errors(f"on the {name} tab")
        screenshot(page, shots / f"tab-{name.lower().replace(' ', '-')}.png")
    tab(page, "Campaigns").click()


def sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=username]").fill(name)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


# -- demo mode --------------------------------------------------------------------------------
def test_demo_flow(demo_url, layer, new_page, tmp_path):
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/")
    wait_for_dashboard(page)

    span = activity_span(layer)
    everything = range_filters(span)
    expect(page.get_by_text(f"Data available: {span[0]} – {span[1]}")).to_be_visible()
    expect(page.locator("input.form-control")).to_have_value(f"{span[0]} to {span[1]}")
    expected = totals(layer, everything)
    expect_kpis(page, **expected)
    expect(page.get_by_text(EMPTY_TEXT)).to_have_count(0)
    no_view_errors(page)
    watched.assert_no_errors("on first load")
    screenshot(page, tmp_path / "default-filters.png")
    assert (tmp_path / "default-filters.png").stat().st_size > 50_000  # a real, drawn page
    if os.environ.get("UPDATE_SCREENSHOT"):  # refresh the README's picture on request only
        shutil.copyfile(tmp_path / "default-filters.png", SCREENSHOT)

    user = user_with_leads(layer, everything)
    select_business_user(page, user)
    chosen = range_filters(span, business_user=[user])
    mine = totals(layer, chosen)
    assert mine != expected
    expect_kpis(page, **mine)
    expect_table_only(page, "business_user", str(user))

    name, header, rows = download_csv(page)
    assert header == EXPORT_HEADER
    assert f"user-{user}" in name and f"{span[0]}_{span[1]}" in name, name
    assert [int(r["id"]) for r in rows] == export_ids(layer, chosen)
    assert len(rows) == mine["leads"]
    assert {r["business_user"] for r in rows} == {str(user)}
    days = {r["added_date"][:10] for r in rows}
    assert min(days) >= span[0].isoformat() and max(days) <= span[1].isoformat()

    check_tabs(watched, layer, chosen, None, tmp_path)
    watched.assert_no_errors()
    assert watched.requests, "no requests recorded"
    assert watched.foreign_requests() == [], "the dashboard must work offline"


def test_empty_state(demo_url, layer, new_page):
    watched = new_page()
    page = watched.page
    page.goto(demo_url + "/")
    wait_for_dashboard(page)
    expected = totals(layer, range_filters(activity_span(layer)))
    expect_kpis(page, **expected)

    search = page.get_by_placeholder("Campaign id(s) or project text")
    search.fill("no-such-campaign-zzz")
    search.press("Enter")
    expect(page.get_by_text(EMPTY_TEXT).first).to_be_visible()
    expect(page.get_by_text("No campaign matches the search.").first).to_be_visible()
    expect(kpi_value(page, "Spend")).to_have_count(0)
    expect(page.locator(CAMPAIGN_ROWS).filter(visible=True)).to_have_count(0)
    name, header, rows = download_csv(page)  # the export of nothing is a header only
    assert header == EXPORT_HEADER and rows == [], name
    no_view_errors(page)

    page.get_by_role("button", name="Reset filters").click()
    expect(search).to_have_value("")
    expect_kpis(page, **expected)
    # (hidden tabs' views keep their last drawing until shown: only what is visible counts)
    expect(page.get_by_text(EMPTY_TEXT).filter(visible=True)).to_have_count(0)
    watched.assert_no_errors()
    assert watched.foreign_requests() == []


# -- production mode (login) ------------------------------------------------------------------
def test_without_login_every_page_redirects_to_login(prod_setup, new_page):
    page = new_page().page
    for path in ("/", "/dashboard"):
        page.goto(prod_setup.url + path)
        assert re.search(r"/login(\?|$)", page.url), page.url
        expect(page.locator("input[name=username]")).to_be_visible()
        expect(kpi_value(page, "Spend")).to_have_count(0)


def test_wrong_password_shows_the_login_page_with_an_error(prod_setup, new_page):
    watched = new_page()
    page = watched.page
    sign_in(page, prod_setup.url, TENANT_ACCOUNT, prod_setup.tenant_password + "-wrong")
    assert "/login" in page.url, page.url
    expect(page.get_by_text("Wrong user name or password")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    sign_in(page, prod_setup.url, "nobody", prod_setup.tenant_password)
    expect(page.get_by_text("Wrong user name or password")).to_be_visible()
    page.goto(prod_setup.url + "/")  # still not signed in
    assert "/login" in page.url, page.url


def test_business_user_sees_only_its_own_data(prod_setup, layer, new_page, tmp_path):
    tenant, other = prod_setup.tenant, prod_setup.other
    watched = new_page()
    page = watched.page
    sign_in(page, prod_setup.url, TENANT_ACCOUNT, prod_setup.tenant_password)
    wait_for_dashboard(page)
    assert "/login" not in page.url

    span = activity_span(layer, tenant)
    filters = range_filters(span)
    expect(page.get_by_text(f"Business user {tenant} · Data available: {span[0]} – "
                            f"{span[1]}")).to_be_visible()
    expect_kpis(page, **totals(layer, filters, tenant))

    # The business-user picker is locked to the tenant and offers nobody else.
    users = page.get_by_placeholder(USERS_PLACEHOLDER)
    expect(users).to_be_disabled()
    expect(page.locator(".choices.is-disabled .choices__item[data-value]")).to_have_count(1)
    expect(page.locator(".choices.is-disabled .choices__item[data-value]")) \
        .to_have_attribute("data-value", str(tenant))
    own_projects = layer.filter_options(tenant=tenant)["projects"]
    their_projects = set(layer.filter_options(business_user=[other])["projects"])
    assert sorted(visible_options(page, PROJECTS_PLACEHOLDER)) == sorted(own_projects)

    # The campaign table holds the tenant's campaigns only.
    own = layer.query(["spend", "leads", "budget"], ["campaign"], filters=filters, tenant=tenant)
    assert 0 < len(own) <= 25, "pick_tenants chooses a tenant whose table fits one page"
    theirs = layer.campaigns(filters={"business_user": [other]})
    campaigns = table_column(page, "campaign")
    assert sorted(map(int, campaigns)) == sorted(int(c) for c in own["campaign"])
    assert not set(campaigns) & {str(c) for c in theirs["campaign_id"]}
    expect_table_only(page, "business_user", str(tenant))
    assert not set(table_column(page, "project")) & (their_projects - set(own_projects))

    name, header, rows = download_csv(page)
    assert header == EXPORT_HEADER
    assert [int(r["id"]) for r in rows] == export_ids(layer, filters, tenant)
    assert rows and {r["business_user"] for r in rows} == {str(tenant)}, name
    assert not {r["campaign"] for r in rows} & {str(c) for c in theirs["campaign_id"]}

    check_tabs(watched, layer, filters, tenant, tmp_path)
    watched.assert_no_errors()
    assert watched.foreign_requests() == []

    # Signing out ends the session: the dashboard asks for a login again.
    page.get_by_text("Sign out").click()
    page.wait_for_url("**/login**")
    page.goto(prod_setup.url + "/")
    assert "/login" in page.url, page.url


def test_admin_sees_every_business_user(prod_setup, layer, new_page):
    watched = new_page()
    page = watched.page
    sign_in(page, prod_setup.url, ADMIN_ACCOUNT, prod_setup.admin_password)
    wait_for_dashboard(page)
    expect_kpis(page, **totals(layer, range_filters(activity_span(layer))))
    expect(page.get_by_placeholder(USERS_PLACEHOLDER)).to_be_enabled()
    watched.assert_no_errors()
