"""An independent pandas oracle on realistic data, and invariants of the layer.

The oracle reads the four CSV exports with pandas (never the warehouse), cleans them the way
ingest does (exact duplicate rows dropped; insight rows with an unknown campaign dropped, those
with clicks > impressions kept; leads with an unknown campaign and changes of an unknown lead
dropped; project names trimmed; conflicting same-key insight rows kept; a campaign that stops
before it starts has no scheduled day), derives every fact and recomputes every
metric from its own formulas. For many random requests the layer must match it to the cent.

Data: `semantic.sample.generate(scale=0.2)`, loaded by `semantic.builder.ingest.ingest`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import semantic
from semantic.builder.ingest import ingest
from semantic.errors import IncompatibleQueryError
from semantic.sample import generate

STAGES = {"NEW_LEAD": "new", "NO_ANSWER": "working", "CALL_AGAIN": "working",
          "FOLLOW_UP": "working", "WHATSAPP": "working", "SWITCHED_OFF": "working",
          "QUALIFIED": "qualified", "HIGH_INTEREST": "qualified", "MEETING_DONE": "qualified",
          "DONE_DEAL": "won", "NOT_QUALIFIED": "lost", "LOW_BUDGET": "lost",
          "WRONG_NUMBER": "lost", "SPAM": "lost", "ALREADY_BOUGHT": "lost",
          "RESALE_REQUEST": "lost", "UNKNOWN": "unknown"}
FACT_OF = {"spend": "delivery", "impressions": "delivery", "clicks": "delivery",
           "reach": "delivery", "leads": "leads", "qualified_leads": "leads", "deals": "leads",
           "contacted_leads": "leads", "hours": "leads", "status_changes": "changes",
           "budget": "budget"}
# metric -> measure, or (numerator, denominator, scale); written from METRICS.md, not the catalog
DEFS = {
    "spend": "spend", "impressions": "impressions", "clicks": "clicks", "reach": "reach",
    "frequency": ("impressions", "reach", 1), "ctr": ("clicks", "impressions", 1),
    "cpc": ("spend", "clicks", 1), "cpm": ("spend", "impressions", 1000), "leads": "leads",
    "click_to_lead_rate": ("leads", "clicks", 1), "cpl": ("spend", "leads", 1),
    "qualified_leads": "qualified_leads", "qualification_rate": ("qualified_leads", "leads", 1),
    "cost_per_qualified_lead": ("spend", "qualified_leads", 1), "deals": "deals",
    "cost_per_deal": ("spend", "deals", 1), "contacted_leads": "contacted_leads",
    "contact_rate": ("contacted_leads", "leads", 1), "speed_to_lead_hours": "hours",
    "status_changes": "status_changes", "budget": "budget",
    "budget_utilization": ("spend", "budget", 1),
}
MONEY = {"spend", "budget"}  # held in cents by the oracle
LEAD_DIMS = ["lead_status", "stage", "lead_hour", "lead_weekday"]
DIMS = ["day", "week", "month", "business_user", "project", "campaign", *LEAD_DIMS]
LEAD_METRICS = [m for m, d in DEFS.items()
                if all(FACT_OF[x] in ("leads", "changes")
                       for x in ((d,) if isinstance(d, str) else d[:2]))]
ADDITIVE = ["spend", "impressions", "clicks", "reach", "leads", "qualified_leads", "deals",
            "contacted_leads", "status_changes", "budget"]


def _typed(path, ints=(), stamps=(), money=()):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in ints:
        df[c] = df[c].str.strip().astype("int64")
    for c in stamps:
        df[c] = pd.to_datetime(df[c].str.strip(), format="mixed")
    for c in money:
        df[c] = np.round(df[c].str.strip().astype(float) * 100).astype("int64")
    return df.drop_duplicates()


class Oracle:
    def __init__(self, src):
        camps = _typed(src / "campaigns.csv", ints=("id", "user_id"),
                       stamps=("start_time", "stop_time"), money=("daily_budget",))
        camps = camps.drop_duplicates("id")
        camps = pd.DataFrame({"campaign": camps.id, "business_user": camps.user_id,
                              "project": camps.project_name.str.strip(" "),
                              "start": camps.start_time.dt.normalize(),
                              "stop": camps.stop_time.dt.normalize(),
                              "daily": camps.daily_budget})
        ins = _typed(src / "insights.csv", ints=("ad_set_id", "campaign_id", "reach", "clicks",
                                                 "impressions"), money=("spend",))
        ins["date"] = pd.to_datetime(ins.created_at.str.strip().str.slice(0, 10))
        ins = ins.drop(columns="created_at").drop_duplicates()
        ins = ins.rename(columns={"campaign_id": "campaign"}).assign(ad_set=ins.ad_set_id)
        scope = ["campaign", "business_user", "project"]
        self.delivery = ins.merge(camps[scope], on="campaign")
        leads = _typed(src / "campaign_leads.csv", ints=("id", "campaign_id"),
                       stamps=("added_date",))
        leads = leads.rename(columns={"id": "lead_id", "campaign_id": "campaign"})
        leads = leads.merge(camps[scope], on="campaign").drop_duplicates("lead_id")
        chg = _typed(src / "lead_status_changes.csv", ints=("lead_id",), stamps=("created_at",))
        chg = chg[chg.lead_id.isin(leads.lead_id)]
        first = chg[chg.status != "NEW_LEAD"].groupby("lead_id").created_at.min()
        contacted = set(chg.lead_id[~chg.status.isin(["NEW_LEAD", "UNKNOWN"])])
        leads["stage"] = leads.lead_status.map(STAGES).fillna("other")
        leads["date"] = leads.added_date.dt.normalize()
        leads["lead_hour"] = leads.added_date.dt.hour.astype("int64")
        leads["lead_weekday"] = leads.added_date.dt.isocalendar().day.astype("int64")
        leads["leads"] = 1
        leads["qualified_leads"] = leads.stage.isin(["qualified", "won"]).astype("int64")
        leads["deals"] = (leads.lead_status == "DONE_DEAL").astype("int64")
        leads["contacted_leads"] = leads.lead_id.isin(contacted).astype("int64")
        leads["hours"] = (leads.lead_id.map(first) - leads.added_date).dt.total_seconds() / 3600
        self.leads = leads
        attrs = ["lead_id", *scope, "lead_status", "stage", "lead_hour", "lead_weekday"]
        self.changes = chg.merge(leads[attrs], on="lead_id").assign(
            date=lambda d: d.created_at.dt.normalize(), status_changes=1)
        days = ((camps.stop - camps.start).dt.days + 1).clip(lower=0)
        budget = camps.loc[camps.index.repeat(days)].copy()
        budget["date"] = budget.start + pd.to_timedelta(
            budget.groupby(level=0).cumcount(), unit="D")
        self.budget = budget.rename(columns={"daily": "budget"})
        self.campaigns = camps

    def frame(self, fact, filters, tenant):
        df = {"delivery": self.delivery, "leads": self.leads, "changes": self.changes,
              "budget": self.budget}[fact]
        keep = np.ones(len(df), dtype=bool)
        if tenant is not None:
            keep &= (df.business_user == tenant).to_numpy()
        for name, col in (("business_user", "business_user"), ("project", "project"),
                          ("campaign", "campaign"), ("lead_status", "lead_status")):
            values = filters.get(name)
            if values and col in df.columns:
                if name == "project":
                    values = [v.strip(" ") for v in values]
                keep &= df[col].isin(values).to_numpy()
        if filters.get("date_from"):
            keep &= (df.date >= pd.Timestamp(filters["date_from"])).to_numpy()
        if filters.get("date_to"):
            keep &= (df.date <= pd.Timestamp(filters["date_to"])).to_numpy()
        df = df[keep].copy()
        df["day"] = df.date
        df["week"] = df.date - pd.to_timedelta(df.date.dt.day_of_week, unit="D")
        df["month"] = df.date.dt.to_period("M").dt.start_time
        return df

    def query(self, metrics, dims, filters, tenant):
        measures = {m for x in metrics for m in ((DEFS[x],) if isinstance(DEFS[x], str)
                                                 else DEFS[x][:2])}
        parts = []
        for fact in ("delivery", "leads", "changes", "budget"):
            mine = sorted(m for m in measures if FACT_OF[m] == fact)
            if not mine:
                continue
            df = self.frame(fact, filters, tenant)
            aggs = {m: ("median" if m == "hours" else "sum") for m in mine}
            if dims:
                parts.append(df.groupby(dims, sort=False).agg(aggs).reset_index())
            else:
                parts.append(pd.DataFrame([{m: (df[m].median() if a == "median" else
                                                df[m].sum()) for m, a in aggs.items()}]))
        both = pd.concat(parts, ignore_index=True)
        if dims:
            agg = {m: ("max" if m == "hours" else "sum") for m in measures}
            both = both.groupby(dims, sort=True).agg(agg).reset_index()
        else:
            both = both.agg({m: ("max" if m == "hours" else "sum") for m in measures}).to_frame().T
        out = both[list(dims)].copy()
        for name in metrics:
            d = DEFS[name]
            if isinstance(d, str):
                out[name] = both[d].to_numpy()
            else:
                num = both[d[0]].astype(float) / (100 if d[0] in MONEY else 1) * d[2]
                den = both[d[1]].astype(float) / (100 if d[1] in MONEY else 1)
                out[name] = np.where(den == 0, np.nan, num / den.where(den != 0, 1))
        return out


@pytest.fixture(scope="session")
def realistic(tmp_path_factory):
    root = tmp_path_factory.mktemp("realistic")
    src = root / "csv"
    generate(src, scale=0.2, seed=3)

    ingest(src, root / "warehouse.duckdb")
    layer = semantic.connect(root / "warehouse.duckdb")
    yield layer, Oracle(src)
    layer.close()


def assert_same(layer_df, oracle_df, dims, metrics):
    assert list(layer_df.columns) == [*dims, *metrics]
    ordered = layer_df.sort_values(list(dims), kind="stable").reset_index(drop=True) \
        if dims else layer_df
    pd.testing.assert_frame_equal(ordered[list(dims)], layer_df[list(dims)], check_dtype=False)
    assert len(layer_df) == len(oracle_df)
    for d in dims:
        got, want = layer_df[d].to_numpy(), oracle_df[d].to_numpy()
        if d in ("day", "week", "month"):
            got, want = got.astype("datetime64[us]"), want.astype("datetime64[us]")
        assert (got == want).all(), d
    for m in metrics:
        got = layer_df[m].to_numpy(dtype=float)
        want = oracle_df[m].to_numpy(dtype=float)
        if m in MONEY:
            assert (np.round(got * 100) == want).all(), m
        elif isinstance(DEFS[m], str) and m != "speed_to_lead_hours":
            assert (got == want).all(), m
        else:
            assert np.allclose(got, want, rtol=1e-9, atol=0, equal_nan=True), m


@st.composite
def requests(draw, options):
    """Mostly non-empty requests: filters are drawn around one business user when there is one."""
    dims = draw(st.lists(st.sampled_from(DIMS), max_size=2, unique=True))
    pool = LEAD_METRICS if set(dims) & set(LEAD_DIMS) else list(DEFS)
    metrics = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    camps = options["campaigns"]
    user = draw(st.none() | st.sampled_from(options["users"]))
    if user is not None:
        camps = camps[camps.business_user == user]
    tenant = user if user is not None and draw(st.booleans()) else None
    filters = {}
    for name, column in (("business_user", "business_user"), ("project", "project"),
                         ("campaign", "campaign_id")):
        if draw(st.integers(0, 3)) == 0:
            filters[name] = draw(st.lists(st.sampled_from(sorted(set(camps[column]))),
                                          min_size=1, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        filters["lead_status"] = draw(st.lists(st.sampled_from(options["statuses"]),
                                               min_size=1, max_size=4))
    if draw(st.booleans()):
        start = draw(st.dates(min_value=dt.date(2024, 6, 1), max_value=dt.date(2025, 9, 30)))
        filters["date_from"] = start.isoformat()
        if draw(st.booleans()):
            span = dt.timedelta(days=draw(st.integers(0, 400)))
            filters["date_to"] = (start + span).isoformat()
    return metrics, dims, filters, tenant


_OPTIONS = {}


def _options(layer):
    """Users, their campaigns and projects, and statuses to draw requests from (cached)."""
    if id(layer) not in _OPTIONS:
        opts = layer.filter_options()
        camps = layer.campaigns()
        busy = camps.business_user.value_counts()
        _OPTIONS[id(layer)] = {"users": sorted(busy.index[:30].tolist()), "campaigns": camps,
                               "statuses": opts["lead_statuses"]}
    return _OPTIONS[id(layer)]


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_layer_matches_the_oracle(realistic, data):
    layer, oracle = realistic
    metrics, dims, filters, tenant = data.draw(requests(_options(layer)))
    got = layer.query(metrics, dims, filters, tenant=tenant)
    assert_same(got, oracle.query(metrics, dims, filters, tenant), dims, metrics)


@pytest.mark.parametrize("dims", [[], ["week", "project"], ["campaign"], ["stage"]])
def test_every_metric_matches_the_oracle(realistic, dims):
    layer, oracle = realistic
    metrics = LEAD_METRICS if "stage" in dims else list(DEFS)
    assert_same(layer.query(metrics, dims), oracle.query(metrics, dims, {}, None), dims, metrics)


DELIVERY_METRICS = ["spend", "impressions", "clicks", "reach", "frequency", "ctr", "cpc", "cpm"]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_delivery_by_ad_set_matches_the_oracle(realistic, data):
    layer, oracle = realistic
    _, _, filters, tenant = data.draw(requests(_options(layer)))
    dims = data.draw(st.sampled_from([["ad_set"], ["ad_set", "week"], ["campaign", "ad_set"]]))
    metrics = data.draw(st.lists(st.sampled_from(DELIVERY_METRICS), min_size=1, max_size=4,
                                 unique=True))
    got = layer.query(metrics, dims, filters, tenant=tenant)
    assert_same(got, oracle.query(metrics, dims, filters, tenant), dims, metrics)


def test_every_campaign_with_delivery_has_its_three_ad_sets(realistic):
    layer, _ = realistic
    per_campaign = layer.query(["spend"], ["campaign", "ad_set"]).groupby("campaign").size()
    assert len(per_campaign) > 100 and (per_campaign == 3).mean() > 0.95


@pytest.mark.parametrize("metric", ["leads", "cpl", "qualified_leads", "budget",
                                    "status_changes", "speed_to_lead_hours"])
def test_metrics_recorded_per_campaign_are_refused_by_ad_set_with_the_reason(realistic, metric):
    layer, _ = realistic
    with pytest.raises(IncompatibleQueryError) as refused:
        layer.query([metric], ["ad_set"])
    text = str(refused.value)
    assert f"metric {metric!r} cannot be broken down by 'ad_set'" in text
    assert "per campaign, not per ad set" in text and "spend, impressions, clicks" in text


def test_dirt_was_cleaned_like_ingest(realistic):
    layer, oracle = realistic
    counts = layer.sql("SELECT (SELECT count(*) FROM raw.ad_insights) AS i, "
                       "(SELECT count(*) FROM core.leads) AS l, "
                       "(SELECT count(*) FROM raw.lead_status_changes) AS c").iloc[0]
    assert (counts.i, counts.l, counts.c) == (len(oracle.delivery), len(oracle.leads),
                                              len(oracle.changes))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_breakdown_sums_to_the_total(realistic, data):
    layer, _ = realistic
    _, _, filters, tenant = data.draw(requests(_options(layer)))
    dim = data.draw(st.sampled_from(["project", "business_user", "week", "campaign"]))
    total = layer.query(ADDITIVE, [], filters, tenant=tenant)
    parts = layer.query(ADDITIVE, [dim], filters, tenant=tenant)
    for m in ADDITIVE:
        if m in MONEY:
            assert round(parts[m].sum() * 100) == round(total[m].iloc[0] * 100), m
        else:
            assert parts[m].sum() == total[m].iloc[0], m


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_tenant_sees_only_its_own_rows(realistic, data):
    layer, _ = realistic
    users = _options(layer)["users"]
    user = data.draw(st.sampled_from(users))
    other = data.draw(st.sampled_from([u for u in users if u != user]))
    metrics = ["spend", "leads", "cpl", "status_changes", "budget", "speed_to_lead_hours"]
    scoped = layer.query(metrics, ["campaign"], tenant=user)
    filtered = layer.query(metrics, ["campaign"], {"business_user": [user]})
    pd.testing.assert_frame_equal(scoped, filtered)
    everyone = layer.query(metrics, ["campaign"]).set_index("campaign")
    pd.testing.assert_frame_equal(scoped.set_index("campaign"), everyone.loc[scoped.campaign])
    assert layer.query(metrics, ["campaign"], {"business_user": [other]}, tenant=user).empty
    own = set(layer.campaigns(tenant=user)["campaign_id"])
    assert set(scoped["campaign"]) <= own
