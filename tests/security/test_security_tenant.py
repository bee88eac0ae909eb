"""Tenant isolation as a property: for EVERY business user T of a generated sample and random
filters — including forged ones naming other business users, their projects and campaigns — a
dashboard store bound to T shows nothing of anyone else in any view (KPIs, campaign table and
its pages, trends, segments, alerts) and its export holds only T's leads.
(tests/app/serving/test_dashboard_tenant.py and tests/app/state/test_store.py check one hand-made tenant.)"""

from __future__ import annotations

import csv
import datetime as dt
import math
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from factories import sample_warehouse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import semantic
from app.state.store import KPI_METRICS, OTHER, DashboardState, FilterState
from semantic.access.export import export_leads

EXAMPLES = 5  # per business user; every business user of the sample is a tenant


class World:
    """The sample, its owners (campaign -> business user, per the layer) and one store per
    tenant."""

    def __init__(self, root: Path):
        self.layer = semantic.connect(sample_warehouse(root, scale=0.05, seed=5))
        self.audit = root / "audit.jsonl"
        every = self.layer.campaigns()
        self.owner = dict(zip(every["campaign_id"].astype(int),
                              every["business_user"].astype(int), strict=True))
        self.users = sorted(set(self.owner.values()))
        self.projects = sorted(set(every["project"]))
        self.projects_of = {u: set(every.loc[every["business_user"] == u, "project"])
                            for u in self.users}
        options = self.layer.filter_options()
        self.statuses = options["lead_statuses"]
        self.span = (options["date_min"], options["date_max"])
        self.totals = self.layer.query(["spend", "leads"], ["business_user"]).set_index(
            "business_user")
        self.stores: dict[int, DashboardState] = {}

    def store(self, tenant: int) -> DashboardState:
        if tenant not in self.stores:
            self.stores[tenant] = DashboardState(self.layer, tenant=tenant)
        return self.stores[tenant]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("tenant"))
    yield w
    w.layer.close()


def test_the_sample_has_many_business_users(world):
    assert len(world.users) >= 10 and len(world.projects) >= 5
    assert all(len(world.projects_of[u]) < len(world.projects) for u in world.users)


def same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and \
            (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def assert_only(world, tenant: int, data, filters: dict) -> None:
    """Nothing in `data` (a DashboardData of a store bound to `tenant`) belongs to anyone else,
    and its KPIs are the layer's for `filters` confined to `tenant`."""
    mine = world.projects_of[tenant]
    if not data.state.no_match:
        expected = world.layer.query(list(KPI_METRICS), filters=filters, tenant=tenant)
        row = expected.iloc[0].to_dict() if len(expected) else {}
        for metric in KPI_METRICS:
            if data.kpis:
                assert same(data.kpis.get(metric), row.get(metric)), metric
    if data.kpis:
        assert (data.kpis.get("spend") or 0) <= world.totals.loc[tenant, "spend"] + 1e-6
        assert (data.kpis.get("leads") or 0) <= world.totals.loc[tenant, "leads"]
    if data.empty:
        return
    rows = data.campaigns
    assert {world.owner[int(c)] for c in rows["campaign"]} <= {tenant}
    assert set(rows["business_user"].astype(int)) <= {tenant}
    assert set(rows["project"]) <= mine
    assert int(data.trends["leads"].sum()) == int(data.kpis["leads"])
    assert int(data.status["leads"].sum()) == int(data.kpis["leads"])
    users = data.segments["business_user"]["business_user"].astype(str)
    assert set(users) <= {str(tenant)}
    projects = set(data.segments["project"]["project"].astype(str))
    assert {p for p in projects if not p.startswith(OTHER + " (")} <= mine
    if data.alerts is not None and len(data.alerts):
        assert {world.owner[int(c)] for c in data.alerts["campaign"]} == \
            set(data.alerts["business_user"].astype(int)) == {tenant}


def assert_export_only(world, tenant: int, filters: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "leads.csv"
        export_leads(world.layer, out, filters, tenant, actor="property-test")
        with open(out, newline="", encoding="utf-8") as f:
            exported = list(csv.DictReader(f))
    assert {int(r["business_user"]) for r in exported} <= {tenant}
    assert {world.owner[int(r["campaign"])] for r in exported} <= {tenant}


@st.composite
def filter_states(draw, world, tenant: int):
    others = [u for u in world.users if u != tenant]
    start, end = world.span
    days = (end - start).days
    first = draw(st.integers(0, days))
    last = draw(st.integers(first, min(days, first + draw(st.sampled_from([0, 6, 30, 400])))))
    dated = draw(st.booleans())
    foreign = [c for c, u in world.owner.items() if u != tenant]
    search_terms = st.one_of(
        st.sampled_from(world.projects).map(lambda p: p[: max(3, len(p) // 2)]),
        st.sampled_from(foreign).map(str),
        st.text(alphabet="abcdeKSW 'i,0123", max_size=8),
    )
    own = sorted(world.projects_of[tenant])
    any_project = st.one_of(st.sampled_from(own), st.sampled_from(world.projects))
    return {
        "business_user": tuple(draw(st.lists(st.sampled_from(others), max_size=3))),
        "project": tuple(draw(st.lists(any_project, max_size=3, unique=True))),
        "campaign": tuple(draw(st.lists(st.sampled_from(sorted(world.owner)), max_size=4))),
        "lead_status": tuple(draw(st.lists(st.sampled_from(world.statuses), max_size=3,
                                           unique=True))),
        "date_from": start + dt.timedelta(days=first) if dated else None,
        "date_to": start + dt.timedelta(days=last) if dated else None,
        "search": draw(st.one_of(st.just(""), st.lists(search_terms, min_size=1, max_size=2)
                                 .map(", ".join))),
        "grain": draw(st.sampled_from(["day", "week", "month"])),
    }


def _check_tenant(world, tenant: int, f: dict) -> None:
    state = world.store(tenant)
    state.reset()
    # the widgets: another business user is refused; projects and statuses may name anything
    if f["business_user"]:
        with pytest.raises(ValueError):
            state.business_users = list(f["business_user"])
    assert list(state.business_users) == [tenant]
    dates = (f["date_from"], f["date_to"]) if f["date_from"] else None
    state.param.update(projects=list(f["project"]), lead_statuses=list(f["lead_status"]),
                       date_range=dates, campaign_search=f["search"], grain=f["grain"])
    assert not state.error, state.error
    data = state.data
    assert data.state.tenant == tenant
    assert_only(world, tenant, data, data.state.filters())
    page, _ = state.campaign_page(page=1, size=10, sort_by="leads")
    assert {world.owner[int(c)] for c in page.get("campaign", [])} <= {tenant}
    assert_export_only(world, tenant, state.export_filters())
    # forged: a filter state naming other business users, their projects and campaigns
    forged = FilterState(business_user=f["business_user"], project=f["project"],
                         campaign=f["campaign"], lead_status=f["lead_status"],
                         date_from=f["date_from"], date_to=f["date_to"], tenant=tenant)
    forged_data = state.complete(state.compute(forged, f["grain"]))
    assert_only(world, tenant, forged_data, forged.filters())
    assert_export_only(world, tenant, forged.filters())


def _property(world, tenant: int):
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(filters=filter_states(world, tenant))
    def holds(filters):
        _check_tenant(world, tenant, filters)

    return holds


def test_a_tenant_store_never_shows_foreign_rows(world):
    for tenant in world.users:  # every business user, each with random filters
        _property(world, tenant)()


def test_unfiltered_and_all_foreign_filters_for_every_tenant(world):
    for tenant in world.users:
        state = world.store(tenant)
        state.reset()
        assert_only(world, tenant, state.refresh(), state.filter_state().filters())
        assert state.data.kpis["spend"] == pytest.approx(world.totals.loc[tenant, "spend"])
        others = tuple(u for u in world.users if u != tenant)
        foreign = tuple(c for c, u in world.owner.items() if u != tenant)
        forged = replace(state.filter_state(), business_user=others, campaign=foreign,
                         project=tuple(sorted(set(world.projects) - world.projects_of[tenant])))
        assert state.compute(forged, "week").empty
        assert_export_only(world, tenant, forged.filters())


def test_compute_cannot_be_handed_another_tenant(world):
    tenant = world.users[0]
    state = world.store(tenant)
    for forged_tenant in (None, world.users[1]):
        data = state.compute(FilterState(tenant=forged_tenant), "week")
        assert data.empty or set(data.campaigns["business_user"].astype(int)) <= {tenant}
