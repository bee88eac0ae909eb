"""The database-searched pickers in a real browser (app/views/pickers.py `SearchPicker`, used when a
filter has more choices than the browser can list; forced here with a limit of 1): completions
arrive as you type, picking one filters the dashboard, removing its chip unfilters it, and
names from the data show as text. Below: typing a whole id or name and pressing Enter picks
exactly that one (`199`, not `1199`), in the full-list pickers (MultiChoice) and the searched
ones, whether or not the completions came back before Enter."""

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
    chip = page.locator("#sidebar .choices__list--multiple .choices__item", has_text="71")
    expect(chip).to_have_count(1)
    chip.locator(".choices__button").click()
    spend(page, "106.00")

    projects = page.get_by_placeholder("All projects (type to search)")
    projects.click()
    projects.press_sequentially("kings", delay=50)
    # a name starting with what is typed before one containing it further on
    expect(completions(page)).to_have_text(["Kingsway", HOSTILE], timeout=TIMEOUT)
    completions(page).filter(has_text="onerror").click()
    spend(page, "100.00")
    assert page.evaluate("window.__cbi_xss || []") == []


# -- Enter on a whole id or name picks that one, not a longer one containing it ---------------
#: business users 19, 199, 1199, 1990, 2199, one campaign each (spend 1..5); projects named so
#: that the exact match of "kings" sorts after names containing it (tests/test_picker_exact_match)
EXACT_USERS = ((19, "Acme Kings"), (199, "Kings"), (1199, "Kings Cross"), (1990, "Kingsway"),
               (2199, "Bay Kingston"))
PICK_TIMEOUT = 20_000


def exact_server(name: str, folder, env=None):
    db = build_warehouse(
        folder / "w.duckdb",
        campaigns=[campaign(i, user=user, project=project)
                   for i, (user, project) in enumerate(EXACT_USERS, start=1)],
        insights=[insight(i, "2024-07-01", spend=str(i)) for i in range(1, len(EXACT_USERS) + 1)])
    server = PanelServer(name, db, folder / "panel.log", env=env)
    server.wait_ready("/dashboard")
    return server


@pytest.fixture(scope="module")
def full_list_url(browser, tmp_path_factory):
    """Few choices: the pickers are MultiChoice widgets listing them all (Choices.js)."""
    server = exact_server("pickers-full", tmp_path_factory.mktemp("pickers-full"))
    try:
        yield server.url + "/dashboard"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def searched_url(browser, tmp_path_factory):
    """The same warehouse with the pickers searching the database (SearchPicker)."""
    server = exact_server("pickers-searched", tmp_path_factory.mktemp("pickers-searched"),
                          env={"CAMPAIGN_BI_PICKER_FULL_LIST": "1"})
    try:
        yield server.url + "/dashboard"
    finally:
        server.stop()


def chips(page):
    """The chosen chips of the sidebar's pickers (the campaign table's column chooser has its
    own)."""
    return page.locator("#sidebar .choices__list--multiple .choices__item")


def type_and_enter(page, placeholder: str, text: str, delay: int = 50,
                   menu_first: bool = False) -> None:
    """Type `text` into a picker and press Enter; with `menu_first`, once the completion menu
    of a searched picker shows."""
    box = page.get_by_placeholder(placeholder)
    box.click()
    box.press_sequentially(text, delay=delay)
    if menu_first:
        expect(completions(page).first).to_be_visible(timeout=PICK_TIMEOUT)
    box.press("Enter")


def expect_chosen(page, value: str, spend_value: str) -> None:
    expect(chips(page)).to_have_count(1, timeout=PICK_TIMEOUT)
    expect(chips(page).first).to_have_attribute("data-value", value)
    spend(page, spend_value)


#: (picker, what is typed, the chip it must give): 199's campaign spends 2.00, not 1199's
#: (3.00) nor 1990's; "kings" is the project Kings, not Acme Kings nor Kingsway
EXACT = pytest.mark.parametrize("placeholder, typed, chosen", [
    ("All business users (type to search)", "199", "199"),
    ("All projects (type to search)", "kings", "Kings"),
], ids=["business-user", "project"])


@EXACT
def test_full_list_enter_picks_the_exact_match(full_list_url, new_page, placeholder, typed,
                                               chosen):
    page = new_page().page
    page.goto(full_list_url)
    spend(page, "15.00")
    type_and_enter(page, placeholder, typed)
    expect_chosen(page, chosen, "2.00")


#: Enter at once (before the completions came back: the typed text is resolved), or once the
#: completion menu shows (Enter takes its first entry)
WHEN = pytest.mark.parametrize("menu_first", [False, True], ids=["at-once", "menu-shown"])


@EXACT
@WHEN
def test_searched_enter_picks_the_exact_match(searched_url, new_page, placeholder, typed,
                                              chosen, menu_first):
    page = new_page().page
    page.goto(searched_url)
    spend(page, "15.00")
    type_and_enter(page, placeholder, typed, delay=0, menu_first=menu_first)
    expect_chosen(page, chosen, "2.00")
