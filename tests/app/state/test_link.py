"""A page's view as a URL query string and back (app/state/link.py): every parameter round-trips
(state → URL → state), values are encoded as a browser sends them, and whatever cannot be used
is left out with a note, never an error."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.state.link import COMPARES, GRAINS, SEGMENT_KEYS, SORTABLE, TABS, Link, parse, read
from app.views.campaigns import FIELDS
from semantic import catalog

FULL = Link(business_user=(1122, 7), project=("Kings Way", "Zed & Co"),
            date_from=dt.date(2024, 7, 1), date_to=dt.date(2024, 7, 31),
            lead_status=("QUALIFIED",), campaign=(2933,), search="kings, 12", tab="trends",
            grain="week", compare="year", by="business_user", sort=("cpl", False), page=2,
            detail=2933)


def test_the_issue_example_reads_as_written():
    link, notes = parse("business_user=1122&project=Kings+Way&date_from=2024-07-01"
                        "&date_to=2024-07-31&lead_status=QUALIFIED&campaign=2933&tab=trends"
                        "&grain=week&sort=cpl:desc&page=2")
    assert notes == []
    assert link == Link(business_user=(1122,), project=("Kings Way",),
                        date_from=dt.date(2024, 7, 1), date_to=dt.date(2024, 7, 31),
                        lead_status=("QUALIFIED",), campaign=(2933,), tab="trends",
                        grain="week", sort=("cpl", False), page=2)


def test_every_parameter_round_trips():
    query = FULL.query()
    assert parse(query) == (FULL, [])
    # filters first, in the catalog's order, repeated for several values; then the page's own
    names = [name for name, _ in parse_qsl(query)]
    filters = [n for n in names if n in catalog.FILTERS]
    assert filters == sorted(filters, key=list(catalog.FILTERS).index)
    assert names.index("date_to") < names.index("search") < names.index("detail")
    assert "project=Kings+Way" in query and "project=Zed+%26+Co" in query
    assert "sort=cpl:desc" in query


@pytest.mark.parametrize("field", [f.name for f in Link.__dataclass_fields__.values()])
def test_each_parameter_alone_round_trips(field):
    link = Link(**{field: getattr(FULL, field)})
    assert parse(link.query()) == (link, [])
    assert link.query(), f"{field} set to a non-default value appears in the query"


def test_defaults_make_an_empty_query():
    assert Link().query() == ""
    assert parse("") == (Link(), [])
    assert Link(sort=("spend", False), page=1, tab="campaigns", compare="previous").query() == ""


@pytest.mark.parametrize("choice", [*(("tab", t) for t in TABS), *(("grain", g) for g in GRAINS),
                                    *(("compare", c) for c in COMPARES),
                                    *(("by", k) for k in SEGMENT_KEYS)])
def test_every_choice_round_trips(choice):
    name, value = choice
    link, notes = parse(f"{name}={value}")
    assert getattr(link, name) == value and notes == []
    assert parse(link.query())[0] == link


def test_the_sortable_columns_are_the_tables():
    assert set(SORTABLE) == set(FIELDS)
    for field in SORTABLE:
        for ascending in (True, False):
            link = Link(sort=(field, ascending))
            assert parse(link.query())[0].sort == (field, ascending)
    # a column without a direction: metrics largest first, keys in order
    assert parse("sort=cpl")[0].sort == ("cpl", False)
    assert parse("sort=project")[0].sort == ("project", True)


def test_bad_parameters_are_ignored_with_a_note():
    link, notes = parse("bogus=1&tab=nope&page=x&page=0&date_from=2024-13-01&sort=name:up"
                        "&business_user=12&business_user=abc&grain=hour&detail=-3&compare=x"
                        "&project=&date_to=2024-07-31")
    assert link == Link(business_user=(12,), date_to=dt.date(2024, 7, 31))
    joined = " | ".join(notes)
    for name in ("bogus", "tab", "page", "date_from", "sort", "'abc'", "grain", "detail",
                 "compare", "project"):
        assert name in joined, f"{name} not named in {notes}"
    assert len(notes) == 10  # page given twice: the last one (0) is the one refused


def test_dates_in_the_wrong_order_are_both_dropped():
    link, notes = parse("date_from=2024-08-01&date_to=2024-07-01")
    assert (link.date_from, link.date_to) == (None, None)
    assert notes == ["date_from is after date_to: the dates were ignored"]


def test_repeated_values_are_kept_once_in_order_and_capped():
    link, _ = parse("business_user=3&business_user=1&business_user=3&project=B&project=A")
    assert link.business_user == (3, 1) and link.project == ("B", "A")
    many = "&".join(f"campaign={i}" for i in range(1, 260))
    link, notes = parse(many)
    assert link.campaign == tuple(range(1, 201))
    assert notes == ["campaign: only the first 200 values are used"]


def test_a_single_valued_parameter_given_twice_takes_the_last():
    assert parse("tab=trends&tab=segments")[0].tab == "segments"


def test_session_args_as_bytes_are_read():
    link, notes = read({"project": [b"Kings Way"], "page": [b"3"], "search": [b" x "]})
    assert (link.project, link.page, link.search, notes) == (("Kings Way",), 3, "x", [])


def test_non_utf8_and_huge_values_do_not_fail():
    link, notes = read({"project": [b"\xff\xfe", "x" * 500], "search": ["y" * 500]})
    assert link.project == ("\ufffd\ufffd",) and len(link.search) == 200
    assert len(notes) == 1 and "too long" in notes[0]


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                max_size=30).map(str.strip).filter(bool)


@given(projects=st.lists(texts, max_size=4, unique=True),
       statuses=st.lists(texts, max_size=3, unique=True),
       ids=st.lists(st.integers(1, 10**12), max_size=4, unique=True),
       search=st.text(max_size=40).map(str.strip),
       page=st.integers(1, 10**6), tab=st.sampled_from(TABS),
       sort=st.tuples(st.sampled_from(SORTABLE), st.booleans()))
def test_any_view_round_trips(projects, statuses, ids, search, page, tab, sort):
    link = Link(project=tuple(projects), lead_status=tuple(statuses), campaign=tuple(ids),
                business_user=tuple(ids[:2]), search=search, page=page, tab=tab, sort=sort,
                detail=ids[0] if ids else None)
    assert parse(link.query()) == (link, [])
