"""The same semantic requests answered by DuckDB and by Spark, equal to the cent.

Seeded random requests (tests/spark/spark_requests.py) on a realistic sample warehouse and on
the hand-built trap warehouse, each asked of both engines over the same data (the warehouse,
and the lake exported from it): metrics across every fact, every dimension (week and month
among them), every filter kind, tenants, empty scopes and zero denominators, orders, pages and
row counts. Plus the requests that once differed (see semantic/compiler/render.py), the typed
errors of bad requests (raised before any engine is touched) and `count`.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from spark_requests import Options, assert_same, describe, random_requests

from semantic import catalog
from semantic.errors import (
    IncompatibleQueryError,
    InvalidFilterValueError,
    InvalidQueryError,
    UnknownMetricError,
)

pytestmark = pytest.mark.spark

SAMPLE_REQUESTS, TRAP_REQUESTS = 60, 30


@pytest.fixture(scope="module")
def sample_requests(sample_engines):
    return random_requests(random.Random(1), Options.of(sample_engines.duckdb),
                           SAMPLE_REQUESTS)


@pytest.fixture(scope="module")
def trap_requests(trap_engines):
    return random_requests(random.Random(17), Options.of(trap_engines.duckdb), TRAP_REQUESTS)


def check(engines, request) -> None:
    assert_same(engines.duckdb.query(**request), engines.spark.query(**request), request)


@pytest.mark.parametrize("index", range(SAMPLE_REQUESTS))
def test_random_requests_on_realistic_data(sample_engines, sample_requests, index):
    check(sample_engines, sample_requests[index])


@pytest.mark.parametrize("index", range(TRAP_REQUESTS))
def test_random_requests_on_the_trap_tables(trap_engines, trap_requests, index):
    check(trap_engines, trap_requests[index])


def test_the_random_requests_cover_what_they_should(sample_requests, sample_engines):
    """Every dimension, every filter kind, tenants, pages and counts are drawn; some requests
    find rows and some an empty scope."""
    dims = {d for r in sample_requests for d in r["dimensions"]}
    assert dims == set(catalog.DIMENSIONS)
    assert {f for r in sample_requests for f in r["filters"]} == set(catalog.FILTERS)
    assert {m for r in sample_requests for m in r["metrics"]} >= {
        "spend", "leads", "status_changes", "budget", "cpl", "speed_to_lead_hours"}
    assert any(r["tenant"] for r in sample_requests)
    assert any(r.get("count") for r in sample_requests)
    assert any(r.get("limit") for r in sample_requests)
    sizes = [len(sample_engines.duckdb.query(**r)) for r in sample_requests]
    assert sum(1 for n in sizes if n == 0) >= 5 and sum(1 for n in sizes if n > 5) >= 20


EDGES = {
    "every metric, all time": dict(metrics=list(catalog.METRICS)),
    "every metric, nothing in scope": dict(metrics=list(catalog.METRICS),
                                           filters={"date_from": "2099-01-01"}),
    "zero denominators by campaign": dict(
        metrics=["spend", "leads", "cpl", "cost_per_deal", "ctr", "budget_utilization",
                 "speed_to_lead_hours"], dimensions=["campaign"]),
    "weeks across a year end": dict(metrics=["spend", "leads", "budget", "status_changes"],
                                    dimensions=["week"],
                                    filters={"date_from": "2024-12-20", "date_to": "2025-01-12"}),
    "months, a tenant and its project": dict(metrics=["spend", "cpl", "qualification_rate"],
                                             dimensions=["month", "project"], tenant="FIRST"),
    "unknown tenant": dict(metrics=["spend", "leads"], dimensions=["week"], tenant=-1),
    "lead attributes": dict(metrics=["leads", "contact_rate", "status_changes"],
                            dimensions=["lead_weekday", "lead_hour"]),
    # once differed: Spark's LIMIT/OFFSET are 32-bit ints (now clamped)
    "limit past 2^31": dict(metrics=["spend"], dimensions=["campaign"], limit=2**40),
    "offset past 2^31": dict(metrics=["spend"], dimensions=["campaign"], limit=3,
                             offset=2**31, count=True),
    # once differed: PySpark could not bind a date before year 1000 (now bound as ISO text)
    "dates before year 1000": dict(metrics=["spend", "leads"], dimensions=["month"],
                                   filters={"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    # once differed: an empty result's text column was object on DuckDB, str on Spark
    "empty result with text dimensions": dict(metrics=["leads"], dimensions=["project", "stage"],
                                              filters={"project": ["No such project"]}),
    "page with row count": dict(metrics=["spend", "leads"], dimensions=["campaign"],
                                order_by=["-spend"], limit=7, offset=2, count=True),
}


@pytest.mark.parametrize("name", EDGES)
def test_edge_requests(sample_engines, name):
    request = dict(EDGES[name])
    if request.get("tenant") == "FIRST":
        request["tenant"] = sample_engines.duckdb.filter_options()["business_users"][0]
    check(sample_engines, request)


@pytest.mark.parametrize(("request_", "error", "message"), [
    (dict(metrics=["cpll"]), UnknownMetricError, "did you mean 'cpl'?"),
    (dict(metrics=["spend"], dimensions=["lead_status"]), IncompatibleQueryError,
     "cannot be broken down by 'lead_status'"),
    (dict(metrics=["spend"], filters={"date_from": "2024-07-02", "date_to": "2024-07-01"}),
     InvalidFilterValueError, "after date_to"),
    (dict(metrics=["spend"], limit=-1), InvalidQueryError, "non-negative"),
], ids=["unknown-metric", "incompatible", "reversed-dates", "negative-limit"])
def test_bad_requests_fail_before_spark_is_asked(sample_engines, monkeypatch, request_, error,
                                                 message):
    spark = sample_engines.spark
    monkeypatch.setattr(spark.executor, "run",
                        lambda compiled: pytest.fail("Spark was asked a bad request"))
    with pytest.raises(error, match=message.replace("(", r"\(")) as raised:
        spark.query(**request_)
    with pytest.raises(error) as same:
        sample_engines.duckdb.query(**request_)
    assert str(raised.value) == str(same.value)


def test_count_and_compile(sample_engines):
    duck, spark = sample_engines.duckdb, sample_engines.spark
    for dims in (["campaign"], ["week", "project"], ["ad_set"]):
        metrics = ["spend"] if dims == ["ad_set"] else ["spend", "leads"]
        assert spark.count(metrics, dims) == duck.count(metrics, dims) > 0
    sql = spark.compile(["spend", "cpl"], ["week"], {"date_from": "2025-01-01"})
    assert "TRUNC(" in sql and "CAST('2025-01-01' AS DATE)" in sql  # Spark SQL, values inlined
    assert spark.compile(["spend"], dialect="duckdb") == duck.compile(["spend"])
    assert duck.compiled(["spend"]).columns == spark.compiled(["spend"]).columns


def test_notes_travel_with_the_answer(sample_engines):
    request = dict(metrics=["spend", "leads", "reach"], dimensions=["week"],
                   filters={"lead_status": ["QUALIFIED"]})
    got = sample_engines.spark.query(**request)
    assert got.attrs["notes"] and got.attrs == sample_engines.duckdb.query(**request).attrs, \
        describe(request)


def test_dates_bound_as_values(sample_engines):
    """A date filter takes a date object, a datetime or ISO text alike."""
    base = dict(metrics=["spend", "leads"], dimensions=["day"])
    asked = [{"date_from": "2025-03-01", "date_to": "2025-03-07"},
             {"date_from": dt.date(2025, 3, 1), "date_to": dt.datetime(2025, 3, 7, 23, 59)}]
    frames = [sample_engines.spark.query(**base, filters=f) for f in asked]
    assert_same(frames[0], frames[1], "dates")
    assert_same(sample_engines.duckdb.query(**base, filters=asked[0]), frames[0], "dates")
