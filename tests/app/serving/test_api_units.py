"""The JSON API's parts in process: the per-token rate limit, parameter parsing, result encoding,
error answers (never a traceback) and the OpenAPI document against the routes and the catalog.
The served API is tested in test_api.py."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd
import pytest
import tornado.web
from tornado.testing import AsyncHTTPTestCase

from app.serving import api, api_auth, api_openapi, api_params, api_results
from app.serving.api_base import ApiHandler, NotFoundHandler
from semantic import catalog
from semantic.errors import WarehouseNotFoundError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- rate limit ----------------------------------------------------------------------------
def test_a_token_gets_its_burst_then_the_rate():
    clock = Clock()
    limiter = api_auth.RateLimiter(api_auth.RateConfig(per_second=2, burst=4), clock)
    assert [limiter.acquire("a") for _ in range(4)] == [0, 0, 0, 0]
    assert limiter.acquire("a") == pytest.approx(0.5)  # one more token in half a second
    assert limiter.acquire("b") == 0  # buckets are per token
    clock.now += 0.5
    assert limiter.acquire("a") == 0 and limiter.acquire("a") > 0
    clock.now += 60  # refills up to the burst, no further
    assert [limiter.acquire("a") for _ in range(5)].count(0) == 4
    assert api_auth.retry_after_header(0.01) == "1" and api_auth.retry_after_header(1.2) == "2"


@pytest.mark.parametrize(("rate", "burst", "expected"), [
    (None, None, (20, 40)), ("20/s", "40", (20, 40)), ("600/min", None, (10, 20)),
    ("5", "1", (5, 1)), ("off", None, (0, 0)),
], ids=["default", "explicit", "per-minute", "bare", "off"])
def test_rate_configuration(rate, burst, expected):
    env = {k: v for k, v in (("CAMPAIGN_BI_API_RATE", rate), ("CAMPAIGN_BI_API_BURST", burst))
           if v is not None}
    config = api_auth.rate_config(env)
    assert (config.per_second, config.burst) == expected
    if not config.per_second:
        limiter = api_auth.RateLimiter(config)
        assert all(limiter.acquire("a") == 0 for _ in range(1000))


@pytest.mark.parametrize("env", [{"CAMPAIGN_BI_API_RATE": "20/hour"},
                                 {"CAMPAIGN_BI_API_RATE": "-3/s"},
                                 {"CAMPAIGN_BI_API_BURST": "0.5"},
                                 {"CAMPAIGN_BI_API_BURST": "lots"}],
                         ids=["unit", "negative", "small-burst", "words"])
def test_a_rate_configuration_typo_stops_the_server(env):
    with pytest.raises(ValueError, match="CAMPAIGN_BI_API_"):
        api_auth.rate_config(env)


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None),
    (None, None)])
def test_bearer_header(header, token):
    assert api_auth.bearer(header) == token


# -- parameters ----------------------------------------------------------------------------
def args(**values) -> dict[str, list[bytes]]:
    return {k: [x.encode() for x in (v if isinstance(v, list) else [v])]
            for k, v in values.items()}


def test_query_parameters_become_the_layers_request():
    request = api_params.query_request(args(
        metric=["spend", "cpl,leads"], by="project", business_user=["1411, 1122"],
        project=["Kings Way, North", ""], date_from="2024-07-01", order_by=["cpl:desc", "project"],
        limit="5", offset="10", format="csv"), tenant=1411)
    q = request.query
    assert q.metrics == ("spend", "cpl", "leads") and q.dimensions == ("project",)
    assert q.filters.business_user == (1122, 1411) and q.tenant == 1411
    assert q.filters.project == ("Kings Way, North",)  # names may hold commas: never split
    assert str(q.filters.date_from) == "2024-07-01" and q.filters.date_to is None
    assert q.order_by == (("cpl", True), ("project", False))
    assert (q.limit, q.offset, request.format, request.limited) == (5, 10, "csv", True)
    assert request.counted  # a page: total_rows is counted in the query
    unlimited = api_params.query_request(args(metric="spend"), tenant=None)
    assert unlimited.query.limit == api_params.MAX_ROWS + 1  # one more: to refuse too many
    assert not unlimited.limited and not unlimited.counted
    assert api_params.query_request(args(metric="spend", offset="3"), tenant=None).counted


@pytest.mark.parametrize(("values", "message"), [
    ({"metric": "spend", "limt": "3"}, "unknown parameter 'limt'; did you mean 'limit'?"),
    ({"metric": "spend", "bussiness_user": "3"},
     "unknown parameter 'bussiness_user'; did you mean 'business_user'?"),
    ({"by": "project"}, "parameter 'metric' is required"),
    ({"metric": "spend", "date_from": ["2024-07-01", "2024-07-02"]},
     "parameter 'date_from' is given 2 times; give it once"),
    ({"metric": "spend", "limit": "ten"}, "parameter 'limit' takes a whole number"),
    ({"metric": "spend", "limit": str(api_params.MAX_ROWS + 1)}, "limit must be at most"),
    ({"metric": "spend", "format": "xml"}, "format must be json or csv"),
    ({"metric": "spend", "order_by": "spend:up"}, "write name, name:asc or name:desc"),
], ids=["typo", "filter-typo", "no-metric", "twice", "limit-word", "limit-big", "format",
        "direction"])
def test_parameters_the_api_cannot_use_are_refused(values, message):
    with pytest.raises(api_params.ParameterError, match=message.replace("?", r"\?")):
        api_params.query_request(args(**values), tenant=None)


def test_export_takes_only_the_filters():
    filters = api_params.export_filters(args(business_user="7", lead_status=["NEW_LEAD"]))
    assert filters.business_user == (7,) and filters.lead_status == ("NEW_LEAD",)
    with pytest.raises(api_params.ParameterError, match="unknown parameter 'metric'"):
        api_params.export_filters(args(metric="spend"))


# -- results -------------------------------------------------------------------------------
def test_results_are_plain_json_values():
    df = pd.DataFrame({
        "week": pd.to_datetime(["2024-07-01", "2024-07-08"]).astype("datetime64[us]"),
        "project": ["=HYPERLINK(\"x\")", None],
        "leads": pd.Series([3, 0], dtype="int64"),
        "cpl": [12.5, float("nan")],
    })
    df.attrs["notes"] = ["a note"]
    body = json.loads(api_results.to_json(df, ("leads", "cpl"), data_version="v1",
                                          total_rows=2, offset=0, limit=None))
    assert body["columns"] == ["week", "project", "leads", "cpl"]
    assert body["rows"] == [["2024-07-01", "=HYPERLINK(\"x\")", 3, 12.5],
                            ["2024-07-08", None, 0, None]]
    assert body["metrics"] == {"leads": {"label": "Leads", "unit": "count"},
                               "cpl": {"label": "CPL", "unit": "money"}}
    assert body["notes"] == ["a note"] and body["data_version"] == "v1"
    table = list(csv.reader(io.StringIO(api_results.to_csv(df).decode())))
    # the CSV defuses a formula in text, never a number
    assert table == [["week", "project", "leads", "cpl"],
                     ["2024-07-01", "'=HYPERLINK(\"x\")", "3", "12.5"],
                     ["2024-07-08", "", "0", ""]]


def test_money_survives_json_exactly():
    value = 5712827.63 + 1e-9
    df = pd.DataFrame({"spend": [value, -0.01]})
    rows = json.loads(api_results.to_json(df, ("spend",), data_version="", total_rows=2,
                                          offset=0, limit=None))["rows"]
    assert rows == [[value], [-0.01]] and not math.isnan(rows[0][0])
    assert api_results.to_csv(df).decode().splitlines()[2] == "-0.01"  # not defused


# -- errors over HTTP (Tornado in process) -------------------------------------------------
class Boom(ApiHandler):
    scope = None

    async def answer(self, token) -> None:
        raise RuntimeError("secret detail /etc/passwd")


class NoWarehouse(ApiHandler):
    scope = None

    async def answer(self, token) -> None:
        raise WarehouseNotFoundError("/srv/private/warehouse.duckdb: no warehouse file here")


class ErrorAnswers(AsyncHTTPTestCase):
    def get_app(self) -> tornado.web.Application:
        return tornado.web.Application([(r"/boom", Boom), (r"/gone", NoWarehouse),
                                        (r"/health", api.HealthHandler),
                                        (r"/api/.*", NotFoundHandler)])

    def test_an_unexpected_error_is_a_json_500_without_the_traceback(self):
        response = self.fetch("/boom")
        assert response.code == 500
        assert response.headers["Content-Type"].startswith("application/json")
        body = json.loads(response.body)
        assert body == {"error": "internal error; the server log has the details"}
        assert b"Traceback" not in response.body and b"passwd" not in response.body

    def test_a_missing_warehouse_is_503_without_its_path(self):
        response = self.fetch("/gone")
        assert response.code == 503 and b"/srv/private" not in response.body
        assert json.loads(response.body)["error"].startswith("the warehouse is not available")

    def test_health_without_a_warehouse_is_503_unavailable(self):
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setenv("CAMPAIGN_BI_DB", "/nonexistent/campaign-bi/warehouse.duckdb")
        try:
            response = self.fetch("/health")
        finally:
            monkeypatch.undo()
        assert response.code == 503
        body = json.loads(response.body)
        assert body["status"] == "unavailable" and b"nonexistent" not in response.body

    def test_other_paths_and_methods(self):
        response = self.fetch("/api/v9/nothing")
        assert response.code == 404 and "openapi.json" in json.loads(response.body)["error"]
        response = self.fetch("/boom", method="POST", body=b"")
        assert response.code == 405 and response.headers["Allow"] == "GET"
        assert json.loads(response.body) == {"error": "POST is not allowed here; use GET"}


# -- the OpenAPI document ------------------------------------------------------------------
def test_the_document_lists_exactly_the_routes_and_the_catalogs_names():
    doc = api_openapi.document(api.ENDPOINTS)
    routed = {handler.path for _, handler in api.ROUTES if handler is not NotFoundHandler}
    assert set(doc["paths"]) == routed == {
        "/api/v1/health", "/api/v1/catalog", "/api/v1/query", "/api/v1/leads.csv",
        "/api/v1/openapi.json"}
    query = doc["paths"]["/api/v1/query"]["get"]
    params = {p["name"]: p for p in query["parameters"]}
    assert set(catalog.FILTERS) <= set(params)
    assert params["metric"]["schema"]["items"]["enum"] == list(catalog.METRICS)
    assert params["by"]["schema"]["items"]["enum"] == list(catalog.DIMENSIONS)
    assert params["business_user"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert params["date_from"]["schema"] == {"type": "string", "format": "date"}
    leads = doc["paths"]["/api/v1/leads.csv"]["get"]
    assert [p["name"] for p in leads["parameters"]] == list(catalog.FILTERS)
    assert {"200", "400", "401", "403", "429"} <= set(leads["responses"])
    assert leads["responses"]["429"]["headers"]["Retry-After"]
    for public in ("/api/v1/health", "/api/v1/openapi.json"):
        assert doc["paths"][public]["get"]["security"] == []
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http",
        "scheme": "bearer"}
    for path in doc["paths"].values():  # every $ref resolves
        for ref in _refs(path):
            assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
