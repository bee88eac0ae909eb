"""The sidebar's pickers (app/views/pickers.py): data-derived labels are escaped but map to the raw
values, the widgets and the store stay in sync both ways, and beyond FULL_LIST_LIMIT choices a
picker searches the database instead of sending every choice to the browser."""

from __future__ import annotations

import pytest
from factories import build_warehouse, campaign, insight

import semantic
from app.state.store import DashboardState
from app.views import pickers
from app.views.pickers import SearchPicker, data_choice, picker, safe_labels

HOSTILE = '<b onmouseover="x()">Kings & Co</b>'


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = build_warehouse(
        tmp_path_factory.mktemp("pickers") / "w.duckdb",
        campaigns=[campaign(1, user=7, project=HOSTILE), campaign(2, user=71, project="Zed"),
                   campaign(3, user=8, project="Kingsway")],
        insights=[insight(1, "2024-07-01", spend="100"), insight(2, "2024-07-01", spend="5"),
                  insight(3, "2024-07-01", spend="1")])
    with semantic.connect(path) as lay:
        yield lay


@pytest.fixture
def state(layer):
    return DashboardState(layer)


def users_search(state):
    return lambda text, limit: state.option_matches("business_user", text, limit)


def projects_search(state):
    return lambda text, limit: state.option_matches("project", text, limit)


def test_labels_are_escaped_text_mapped_to_raw_values():
    assert safe_labels([HOSTILE, 7]) == {
        '&lt;b onmouseover="x()"&gt;Kings &amp; Co&lt;/b&gt;': HOSTILE, "7": 7}
    # escaping is injective: a name that looks escaped keeps its own label
    assert len(safe_labels(["&lt;b&gt;", "<b>"])) == 2


def test_data_choice_follows_the_store_both_ways(state):
    widget = data_choice(state, "projects")
    assert sorted(widget.options.values()) == sorted([HOSTILE, "Kingsway", "Zed"])
    widget.value = [HOSTILE]
    assert state.projects == [HOSTILE]
    assert state.data.kpis["spend"] == 100
    state.business_users = [8]  # projects narrow to user 8's: the chosen one is dropped
    assert list(widget.options.values()) == ["Kingsway"]
    assert widget.value == [] and state.projects == []
    state.reset()
    assert sorted(widget.options.values()) == sorted([HOSTILE, "Kingsway", "Zed"])


def test_search_picker_completes_from_the_database_and_adds_chips(state):
    search = SearchPicker(state, "business_users", users_search(state), "All business users")
    assert search.finder.options == {} and not search.chosen.visible
    search.finder.value_input = "7"
    assert search.finder.options == {"7": 7, "71": 71}  # ids starting with what is typed
    search.finder.value = 71
    assert state.business_users == [71] and state.data.kpis["spend"] == 5
    assert search.chosen.visible and search.chosen.value == [71]
    assert search.finder.value == ""  # ready for the next one
    assert search.finder.placeholder == "Add another (type to search)"
    search.finder.value = 7
    assert state.business_users == [71, 7] and state.data.kpis["spend"] == 105
    search.chosen.value = [7]  # a chip removed
    assert state.business_users == [7] and state.data.kpis["spend"] == 100
    state.reset()
    assert search.chosen.value == [] and not search.chosen.visible
    assert search.finder.placeholder == "All business users"
    search.finder.value_input = ""
    assert search.finder.options == {}


def test_search_picker_escapes_project_names_and_searches_within_chosen_users(state):
    search = SearchPicker(state, "projects", projects_search(state), "All projects")
    search.finder.value_input = "kings"
    # any case, any place; the completion menu shows labels as text, so they stay raw
    assert search.finder.options == {HOSTILE: HOSTILE, "Kingsway": "Kingsway"}
    search.finder.value = HOSTILE
    assert state.projects == [HOSTILE] and state.data.kpis["spend"] == 100
    assert search.chosen.options == safe_labels([HOSTILE])
    state.business_users = [8]
    search.finder.value_input = ""
    search.finder.value_input = "kings"
    assert search.finder.options == {"Kingsway": "Kingsway"}
    search.finder.value_input = "x' OR '1'='1"
    assert search.finder.options == {}


def test_picker_sends_the_full_list_only_when_it_is_small(state, monkeypatch):
    small = picker(state, "projects", projects_search(state), "All projects",
                   option_limit=100)
    assert small.option_limit == 100 and len(small.options) == 3
    monkeypatch.setattr(pickers, "FULL_LIST_LIMIT", 2)
    large = picker(state, "projects", projects_search(state), "All projects",
                   option_limit=100)
    finder, chosen = large.objects
    assert finder.options == {} and chosen.options == {}
