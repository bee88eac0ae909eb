"""Typing a whole business user id or project name and pressing Enter picks that one, not a
longer one that merely contains it (`199` must not pick `1199`: for an admin that is another
company's data).

The database-searched picker (app/views/pickers.py `SearchPicker`) shows `option_matches` in the order
the database gives: an exact match first, then names starting with the text, then the rest. The
browser also narrows the last answer it has while the answer for the latest keystroke is on its
way, so the exact match must lead there too; and Enter pressed before any answer arrived sends
the typed text, which the picker resolves to the exact match. (The real-browser counterparts
are in tests/browser/test_pickers_browser.py.)"""

from __future__ import annotations

import pytest
from factories import build_warehouse, campaign, insight

import semantic
from app.state.store import DashboardState
from app.views.pickers import SearchPicker

USERS = (19, 199, 1199, 1990, 2199)
#: (user, project): "Kings" is the exact match of "kings"; two names start with it, two
#: contain it elsewhere, and each of those sorts before "Kings" alphabetically
PROJECTS = ((19, "Acme Kings"), (199, "Kings"), (1199, "Kings Cross"), (1990, "Kingsway"),
            (2199, "Bay Kingston"))


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = build_warehouse(
        tmp_path_factory.mktemp("exact") / "w.duckdb",
        campaigns=[campaign(i, user=user, project=project)
                   for i, (user, project) in enumerate(PROJECTS, start=1)],
        insights=[insight(i, "2024-07-01", spend=str(i)) for i in range(1, len(PROJECTS) + 1)])
    with semantic.connect(path) as lay:
        yield lay


def test_business_user_exact_id_comes_first(layer):
    found = layer.option_matches("business_user", "199")
    assert found[0] == 199
    assert found == [199, 1990]  # then ids starting with it, by id; 1199 does not start so
    assert layer.option_matches("business_user", "19") == [19, 199, 1990]
    assert layer.option_matches("business_user", " 1199 ") == [1199]


def test_project_exact_then_prefix_then_contains(layer):
    expected = ["Kings", "Kingsway", "Kings Cross", "Acme Kings", "Bay Kingston"]
    assert layer.option_matches("project", "kings") == expected  # any case
    assert layer.option_matches("project", "Kings") == expected
    assert layer.option_matches("project", "KINGS", limit=1) == ["Kings"]  # within the limit
    assert layer.option_matches("project", "kings c") == ["Kings Cross"]


@pytest.mark.parametrize("kind, typed, exact", [("business_user", "199", 199),
                                                ("business_user", "1199", 1199),
                                                ("project", "kings", "Kings")])
def test_exact_match_leads_a_narrowed_earlier_answer(layer, kind, typed, exact):
    """The completion menu narrows the answer to an earlier, shorter text (case-insensitively,
    anywhere in the label) until the answer to the latest one arrives: whichever earlier answer
    it has, a label equal to what is typed comes first, so Enter picks it."""
    for length in range(1, len(typed)):
        earlier = layer.option_matches(kind, typed[:length])
        shown = [v for v in earlier if typed.casefold() in str(v).casefold()]
        if exact in earlier:
            assert shown[0] == exact, (typed[:length], shown)


def test_search_picker_resolves_typed_text_to_the_exact_match(layer):
    """Enter before any completion arrived sends the typed text (restrict=False): the picker
    adds the choice it names exactly, in any case, and nothing for a partial text."""
    state = DashboardState(layer)
    users = SearchPicker(state, "business_users",
                         lambda text, limit: state.option_matches("business_user", text, limit),
                         "All business users")
    users.finder.value = "199"
    assert state.business_users == [199]
    assert users.finder.value == ""  # ready for the next search
    users.finder.value = "11"  # no business user 11: nothing is added, the text stays
    assert state.business_users == [199] and users.finder.value == "11"
    projects = SearchPicker(state, "projects",
                            lambda text, limit: state.option_matches("project", text, limit),
                            "All projects")
    projects.finder.value = " kings "
    assert state.projects == ["Kings"]
    projects.finder.value = "king"  # only a part of names: nothing
    assert state.projects == ["Kings"]
