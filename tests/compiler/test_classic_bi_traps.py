"""Classic BI traps on a tiny hand-computed warehouse (see `factories.trap_warehouse`).

Every expected number below was computed by hand from the rows documented in factories.py.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import sqlglot
from factories import trap_warehouse

import semantic
from semantic import catalog
from semantic.compiler import DIALECTS, compile_query, make_query, plan
from semantic.errors import (
    IncompatibleQueryError,
    InvalidFilterValueError,
    InvalidQueryError,
    UnknownDimensionError,
    UnknownFilterError,
    UnknownMetricError,
)

NAN = float("nan")


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = trap_warehouse(tmp_path_factory.mktemp("traps") / "w.duckdb")
    with semantic.connect(path) as lay:
        yield lay


def rows(df: pd.DataFrame) -> list[tuple]:
    out = []
    for rec in df.itertuples(index=False):
        out.append(tuple(
            v.date() if isinstance(v, pd.Timestamp)
            else None if isinstance(v, float) and math.isnan(v)
            else round(v, 6) if isinstance(v, float) else v
            for v in rec))
    return out


def D(s: str) -> dt.date:  # noqa: N802 - reads like a literal
    return dt.date.fromisoformat(s)


def test_fan_out_spend_and_leads_do_not_multiply(layer):
    # campaign 1: 3 ad sets x 2 days of delivery and 4 leads; a join would give 24 rows
    df = layer.query(["spend", "clicks", "leads", "cpl", "status_changes"], ["campaign"])
    assert rows(df) == [
        (1, 120.0, 60, 4, 30.0, 6),
        (2, 5.0, 0, 0, None, 0),   # delivery, no leads: CPL is NULL, not 0 or inf
        (3, 0.0, 0, 2, 0.0, 0),    # leads, no delivery: spend 0, CPL 0
        (4, 10.0, 5, 1, 10.0, 2),
    ]


def test_totals_every_metric(layer):
    df = layer.query(list(catalog.METRICS))
    got = df.iloc[0].to_dict()
    expected = {
        "spend": 135.0, "impressions": 6100, "clicks": 65, "reach": 5450,
        "frequency": 6100 / 5450, "ctr": 65 / 6100, "cpc": 135 / 65, "cpm": 1000 * 135 / 6100,
        "leads": 7, "click_to_lead_rate": 7 / 65, "cpl": 135 / 7, "qualified_leads": 3,
        "qualification_rate": 3 / 7, "cost_per_qualified_lead": 45.0, "deals": 1,
        "cost_per_deal": 135.0, "contacted_leads": 4, "contact_rate": 4 / 7,
        "speed_to_lead_hours": 5.0,  # median of 2, 10, 6, 4 (never-contacted leads excluded)
        "status_changes": 8, "budget": 860.0, "budget_utilization": 135 / 860,
    }
    assert list(df.columns) == list(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12), name


def test_zero_denominators_give_null(layer):
    df = layer.query(["spend", "ctr", "cpc", "cpm", "frequency", "cpl", "click_to_lead_rate"],
                     ["campaign"], {"campaign": [2, 3]})
    assert rows(df) == [(2, 5.0, None, None, None, None, None, None),
                        (3, 0.0, None, None, None, None, 0.0, None)]
    empty = layer.query(["spend", "leads", "cpl", "speed_to_lead_hours"],
                        filters={"date_from": "2030-01-01"})
    assert rows(empty) == [(0.0, 0, None, None)]


def test_ratio_of_sums_not_mean_of_ratios(layer):
    # campaign CPLs are 30 (120/4) and 10 (10/1); the project's CPL is 130/5 = 26, not 20
    df = layer.query(["spend", "leads", "cpl"], ["project"], {"business_user": [10]})
    assert rows(df) == [("Alpha", 130.0, 5, 26.0), ("Beta", 5.0, 0, None)]


def test_iso_weeks_start_on_monday(layer):
    df = layer.query(["spend", "leads", "status_changes", "budget"], ["week"])
    assert rows(df) == [
        (D("2024-06-24"), 60.0, 2, 2, 200.0),   # Sat 06-29 + Sun 06-30
        (D("2024-07-01"), 75.0, 3, 6, 260.0),   # Mon 07-01 starts a new week
        (D("2024-07-29"), 0.0, 2, 0, 400.0),
    ]
    assert str(df["week"].dtype) == "datetime64[us]"


def test_month_boundaries(layer):
    df = layer.query(["spend", "leads", "status_changes", "budget"], ["month"])
    assert rows(df) == [
        (D("2024-06-01"), 60.0, 2, 2, 200.0),
        (D("2024-07-01"), 75.0, 4, 6, 460.0),   # lead 5 at 07-31 23:30 is July
        (D("2024-08-01"), 0.0, 1, 0, 200.0),    # lead 6 at 08-01 00:10 is August
    ]


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    ("2024-07-01", "2024-07-01", (65.0, 2, 3, 150.0)),
    ("2024-07-31", "2024-07-31", (0.0, 1, 0, 200.0)),
    ("2024-06-30", "2024-07-01", (125.0, 4, 5, 250.0)),
    (None, "2024-06-29", (0.0, 0, 0, 100.0)),
    ("2024-08-01", None, (0.0, 1, 0, 200.0)),
], ids=["one-day", "last-day-of-month", "two-days", "open-start", "open-end"])
def test_date_range_is_inclusive_on_each_facts_own_date(layer, date_from, date_to, expected):
    df = layer.query(["spend", "leads", "status_changes", "budget"],
                     filters={"date_from": date_from, "date_to": date_to})
    assert rows(df) == [expected]


def test_budget_over_scheduled_days(layer):
    df = layer.query(["budget", "spend", "budget_utilization"], ["campaign"])
    assert rows(df) == [(1, 400.0, 120.0, 0.3), (2, 50.0, 5.0, 0.1), (3, 400.0, 0.0, 0.0),
                        (4, 10.0, 10.0, 1.0)]
    by_day = layer.query(["budget"], ["day"], {"campaign": [1]})
    assert rows(by_day) == [(D("2024-06-29"), 100.0), (D("2024-06-30"), 100.0),
                            (D("2024-07-01"), 100.0), (D("2024-07-02"), 100.0)]


def test_tenant_isolation(layer):
    mine = layer.query(["spend", "leads", "budget"], ["campaign"], tenant=20)
    assert rows(mine) == [(3, 0.0, 2, 400.0)]
    # a filter cannot widen the tenant: asking for user 10's data returns nothing
    widened = layer.query(["spend", "leads"], ["campaign"], {"business_user": [10]}, tenant=20)
    assert widened.empty
    assert rows(layer.query(["spend", "leads"], filters={"campaign": [1]}, tenant=20)) == [
        (0.0, 0)]


def test_tenant_isolation_of_listings_and_export(layer):
    """The row listings beside the metrics (DuckDB only) keep the tenant too."""
    assert list(layer.campaigns(tenant=20)["campaign_id"]) == [3]
    opts = layer.filter_options(tenant=20)
    assert (opts["business_users"], opts["projects"]) == ([20], ["Alpha"])
    export = layer.sql(layer.leads_export_sql({"business_user": [10]}, tenant=20))
    assert export.empty
    assert list(layer.sql(layer.leads_export_sql(None, tenant=20))["id"]) == [5, 6]


def test_lead_status_filter_restricts_lead_facts_only(layer):
    df = layer.query(["spend", "leads", "cpl", "status_changes"], ["campaign"],
                     {"lead_status": ["QUALIFIED", "DONE_DEAL"]})
    # leads 1 and 3 are kept (with their 2 + 3 changes); spend is not restricted
    assert rows(df) == [(1, 120.0, 2, 60.0, 5), (2, 5.0, 0, None, 0), (4, 10.0, 0, None, 0)]
    assert any("not restricted" in n for n in df.attrs["notes"])
    assert "not restricted" in layer.compile(["spend", "leads"], [],
                                             {"lead_status": ["QUALIFIED"]})
    # the mart does not know lead statuses: lead facts must come from core.leads
    p = plan(make_query(["leads"], ["project"], {"lead_status": ["QUALIFIED"]}))
    assert [s.table for s in p.sources] == ["core.leads"]


def test_all_statuses_filter_equals_no_filter(layer):
    everything = layer.filter_options()["lead_statuses"]
    metrics = ["leads", "qualified_leads", "contacted_leads", "status_changes", "spend", "cpl"]
    fast = layer.query(metrics, ["week", "project"])
    core = layer.query(metrics, ["week", "project"], {"lead_status": everything})
    pd.testing.assert_frame_equal(fast, core)


def test_fast_path_reads_the_mart_once():
    p = plan(make_query(["spend", "leads", "cpl", "budget", "status_changes"],
                        ["week", "business_user"], {"project": ["Alpha"]}))
    assert [s.table for s in p.sources] == ["marts.campaign_daily"]
    p = plan(make_query(["spend", "speed_to_lead_hours"], ["month"]))
    assert [s.table for s in p.sources] == ["marts.campaign_daily", "core.leads"]


def test_speed_to_lead_is_a_median_per_group(layer):
    df = layer.query(["leads", "speed_to_lead_hours"], ["day"])
    assert rows(df) == [
        (D("2024-06-30"), 2, 2.0),   # lead 1 (2h); lead 2 never contacted
        (D("2024-07-01"), 2, 8.0),   # median of 10h and 6h
        (D("2024-07-02"), 1, 4.0),
        (D("2024-07-31"), 1, None),
        (D("2024-08-01"), 1, None),
    ]
    by_campaign = layer.query(["speed_to_lead_hours"], ["campaign"])
    assert rows(by_campaign) == [(1, 6.0), (3, None), (4, 4.0)]


def test_lead_attributes(layer):
    df = layer.query(["leads", "status_changes", "qualified_leads"], ["stage"])
    assert rows(df) == [("lost", 1, 0, 0), ("new", 2, 0, 0), ("qualified", 2, 4, 2),
                        ("won", 1, 3, 1), ("working", 1, 1, 0)]
    # status changes by the lead's *current* status, not the logged one
    df = layer.query(["status_changes"], ["lead_status"])
    assert rows(df) == [("DONE_DEAL", 3), ("HIGH_INTEREST", 2), ("NO_ANSWER", 1),
                        ("QUALIFIED", 2)]
    df = layer.query(["leads"], ["lead_weekday", "lead_hour"])
    assert rows(df) == [(1, 9, 1), (1, 15, 1), (2, 8, 1), (3, 23, 1), (4, 0, 1), (7, 10, 1),
                        (7, 22, 1)]


@pytest.mark.parametrize(("metrics", "dim"), [
    (["spend"], "lead_status"), (["cpl"], "stage"), (["leads", "budget"], "lead_hour"),
    (["reach"], "lead_weekday"),
], ids=["spend", "cpl", "budget", "reach"])
def test_delivery_and_budget_refuse_lead_dimensions(metrics, dim):
    with pytest.raises(IncompatibleQueryError, match=f"cannot be broken down by '{dim}'"):
        compile_query(make_query(metrics, [dim]))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"metrics": ["cpll"]}, UnknownMetricError, "did you mean 'cpl'?"),
    ({"metrics": ["spend"], "dimensions": ["projct"]}, UnknownDimensionError,
     "did you mean 'project'?"),
    ({"metrics": ["spend"], "filters": {"bussiness_user": [1]}}, UnknownFilterError,
     "did you mean 'business_user'?"),
    ({"metrics": ["spend"], "filters": {"business_user": ["abc"]}}, InvalidFilterValueError,
     "integer ids"),
    ({"metrics": ["spend"], "filters": {"campaign": [1.5]}}, InvalidFilterValueError,
     "integer ids"),
    ({"metrics": ["spend"], "filters": {"business_user": [True]}}, InvalidFilterValueError,
     "integer ids"),
    ({"metrics": ["spend"], "filters": {"date_from": "2024-13-01"}}, InvalidFilterValueError,
     "ISO date"),
    ({"metrics": ["spend"], "filters": {"date_from": "2024-07-02", "date_to": "2024-07-01"}},
     InvalidFilterValueError, "after date_to"),
    ({"metrics": ["spend"], "filters": {"project": [3]}}, InvalidFilterValueError, "text"),
    ({"metrics": ["spend"], "filters": {"lead_status": ["\ud800"]}}, InvalidFilterValueError,
     "valid Unicode"),
    ({"metrics": ["spend"], "tenant": "x"}, InvalidFilterValueError, "integer ids"),
    ({"metrics": []}, InvalidQueryError, "at least one metric"),
], ids=["metric", "dimension", "filter", "user-text", "campaign-float", "user-bool",
        "bad-date", "reversed-dates", "project-int", "surrogate", "tenant", "no-metric"])
def test_bad_requests_raise_typed_errors(layer, kwargs, error, message):
    with pytest.raises(error) as info:
        layer.query(**kwargs)
    assert message in str(info.value)


HOSTILE = ["x'; DROP TABLE core.leads; --", "Alpha' OR '1'='1", "/* c */ Alpha", "é漢字 🚀",
           "a" * 10_000, "back\\slash", 'dou"ble', "Alpha\n; SELECT 1", "nul\x00byte", "$$x$$"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filter_values_are_just_values(layer, value):
    df = layer.query(["spend", "leads"], ["project"], {"project": [value]})
    assert df.empty
    df = layer.query(["leads"], ["lead_status"], {"lead_status": [value, "SPAM"]})
    assert rows(df) == [("SPAM", 1)]
    assert layer.campaigns({"project": [value]}).empty
    assert layer.sql(layer.leads_export_sql({"project": [value]})).empty
    for dialect in DIALECTS:
        sql = layer.compile(["spend", "cpl"], ["project"], {"project": [value]},
                            dialect=dialect)
        sqlglot.parse_one(sql, read=dialect)
    assert rows(layer.query(["leads"])) == [(7,)]  # nothing was dropped


def test_project_filter_values_are_trimmed_like_projects(layer):
    df = layer.query(["spend"], ["project"], {"project": ["Beta "]})
    assert rows(df) == [("Beta", 5.0)]
