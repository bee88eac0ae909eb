"""The JSON API served for real: `panel serve app/dashboard.py --plugins app.serving.api` in
production mode exactly as `just serve-prod` runs it (login, XSRF, signed sessions, two
processes), on the sample `just serve` builds (scale 1, seed 42), with tokens made by the CLI.

Every answer is checked against the semantic layer opened here on the same file: the same
numbers as `semantic.connect(path).query(...)`, the same bytes as `export_leads`, and a business
user's token never sees another business user's rows, on every endpoint."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import secrets
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import tornado.web
from browser_support import PanelServer
from click.testing import CliRunner
from factories import sample_warehouse

from app.serving import api
from app.serving.api_base import NotFoundHandler
from semantic import catalog
from semantic.access.accounts import save_account
from semantic.access.export import export_leads
from semantic.cli import main

ROOT = Path(__file__).resolve().parents[3]
TENANT = 1411  # the README's business user
ADMIN = "analyst"
RATE, BURST, PROCS = 20, 40, 2
EXPORT_LIMIT = 20_000  # below the sample's ~57k leads: an unfiltered admin export is refused
MAX_ROWS = 20_000  # rows in one answer: more than the campaigns, fewer than campaign x day
JULY = {"date_from": "2024-07-01", "date_to": "2024-07-31"}


@dataclass
class Answer:
    status: int
    headers: object
    body: bytes

    def json(self):
        assert self.headers["Content-Type"].startswith("application/json"), self.headers
        return json.loads(self.body)


@dataclass
class Served:
    url: str
    db: Path
    tokens_file: Path
    audit: Path
    export_dir: Path
    cookie_secret: str
    layer: object
    other: int  # a business user with data, never visible to the tenant's tokens
    tokens: dict

    def get(self, path: str, token: str | None = None, params=None, **kwargs) -> Answer:
        query = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {self.tokens.get(token, token)}"
        return fetch(self.url + path + query, headers=headers, **kwargs)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers=None, method: str = "GET", data: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with _OPENER.open(request, timeout=60) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read())


def add_token(tokens_file: Path, name: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["tokens", "add", name, *args, "--tokens", str(tokens_file)])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import semantic

    folder = tmp_path_factory.mktemp("api")
    db = sample_warehouse(folder / "warehouse", scale=1, seed=42)
    layer = semantic.connect(db)
    per_user = layer.query(["leads"], ["business_user"], order_by=[("leads", True)])
    assert TENANT in set(per_user["business_user"])
    other = int(per_user[per_user["business_user"] != TENANT]["business_user"].iloc[0])
    tokens_file = folder / "tokens.json"
    made = {
        ADMIN: add_token(tokens_file, ADMIN, "--admin", "--scope", "query", "--scope", "export"),
        "tenant": add_token(tokens_file, "tenant", "--business-user", str(TENANT), "--scope",
                            "query", "--scope", "export"),
        "query-only": add_token(tokens_file, "query-only", "--business-user", str(TENANT)),
        "export-only": add_token(tokens_file, "export-only", "--admin", "--scope", "export"),
        "busy": add_token(tokens_file, "busy", "--business-user", str(TENANT)),
    }
    creds = folder / "credentials.json"
    save_account(ADMIN, "analyst-password", None, creds)
    secret = secrets.token_hex(32)
    (folder / "exports").mkdir()
    env = {"CAMPAIGN_BI_CREDENTIALS": str(creds), "PANEL_COOKIE_SECRET": secret,
           "BOKEH_SECRET_KEY": secret, "CAMPAIGN_BI_TOKENS": str(tokens_file),
           "CAMPAIGN_BI_AUDIT_LOG": str(folder / "audit.jsonl"),
           "CAMPAIGN_BI_API_EXPORT_DIR": str(folder / "exports"),
           "CAMPAIGN_BI_EXPORT_MAX_ROWS": str(EXPORT_LIMIT),
           "CAMPAIGN_BI_API_MAX_ROWS": str(MAX_ROWS),
           "CAMPAIGN_BI_API_RATE": f"{RATE}/s", "CAMPAIGN_BI_API_BURST": str(BURST)}
    server = PanelServer(  # the `just serve-prod` flags
        "api", db, folder / "panel.log",
        extra_args=("--auth-module", "app/serving/auth.py", "--enable-xsrf-cookies",
                    "--session-ids", "signed", "--num-procs", str(PROCS)), env=env)
    try:
        server.wait_ready("/api/v1/health")
        yield Served(server.url, db, tokens_file, folder / "audit.jsonl", folder / "exports",
                     secret, layer, other, made)
    finally:
        server.stop()
        layer.close()
    assert "Traceback" not in (folder / "panel.log").read_text(errors="replace")


def plain(df: pd.DataFrame) -> list[list]:
    """A layer result as the API should send it (written apart from the API's own encoder)."""
    rows = []
    for record in df.itertuples(index=False):
        row = []
        for value in record:
            if isinstance(value, pd.Timestamp):
                row.append(value.date().isoformat())
            elif isinstance(value, float) and math.isnan(value):
                row.append(None)
            else:
                row.append(value.item() if hasattr(value, "item") else value)
        rows.append(row)
    return rows


# -- health, catalog, login ----------------------------------------------------------------
def test_health_needs_no_token(served):
    answer = served.get("/api/v1/health")
    assert answer.status == 200
    body = answer.json()
    assert body["status"] == "ok" and body["data_version"] == served.layer.data_version
    ingested = dt.datetime.fromisoformat(body["last_ingest"])
    assert ingested == served.layer.last_ingest().astimezone()
    assert answer.headers["Cache-Control"] == "no-store"


def test_catalog_lists_the_catalog(served):
    body = served.get("/api/v1/catalog", "query-only").json()
    assert [m["name"] for m in body["metrics"]] == list(catalog.METRICS)
    cpl = next(m for m in body["metrics"] if m["name"] == "cpl")
    assert cpl == {**cpl, "label": "CPL", "unit": "money", "formula": "Σ spend / leads"}
    assert cpl["description"] == catalog.METRICS["cpl"].description
    assert [(d["name"], d["kind"]) for d in body["dimensions"]] == \
        [(d.name, d.kind) for d in catalog.DIMENSIONS.values()]
    assert [(f["name"], f["kind"]) for f in body["filters"]] == \
        [(f.name, f.kind) for f in catalog.FILTERS.values()]
    assert served.get("/api/v1/catalog", "export-only").status == 200  # any scope
    assert served.get("/api/v1/catalog").status == 401


def test_the_login_neither_guards_nor_opens_the_api(served):
    """Production login redirects the page, not the API; a valid login cookie is no token."""
    page = fetch(served.url + "/dashboard")
    assert page.status == 302 and "login" in page.headers["Location"]
    cookie = tornado.web.create_signed_value(served.cookie_secret, "user", ADMIN).decode()
    assert fetch(served.url + "/dashboard", headers={"Cookie": f"user={cookie}"}).status == 200
    refused = served.get("/api/v1/query", params={"metric": "spend"},
                         headers={"Cookie": f"user={cookie}"})
    assert refused.status == 401 and refused.json()["error"].startswith("missing token")
    assert served.get("/api/v1/query", ADMIN, params={"metric": "spend"}).status == 200


# -- query ---------------------------------------------------------------------------------
REQUESTS = [
    ({"metric": ["spend", "cpl"], "by": "project", "business_user": str(TENANT), **JULY},
     (["spend", "cpl"], ["project"], {"business_user": [TENANT], **JULY})),
    ({"metric": ["leads", "ctr", "speed_to_lead_hours", "reach"], "by": "week"},
     (["leads", "ctr", "speed_to_lead_hours", "reach"], ["week"], {})),
    ({"metric": "spend,leads,cpl,cost_per_qualified_lead", "by": ["campaign"],
      "lead_status": ["NEW_LEAD", "QUALIFIED"], "date_from": "2024-06-15"},
     (["spend", "leads", "cpl", "cost_per_qualified_lead"], ["campaign"],
      {"lead_status": ["NEW_LEAD", "QUALIFIED"], "date_from": "2024-06-15"})),
    ({"metric": ["spend", "budget_utilization"]}, (["spend", "budget_utilization"], [], {})),
    ({"metric": ["spend", "leads"], "by": ["month", "business_user"], "project": "Kings Way"},
     (["spend", "leads"], ["month", "business_user"], {"project": ["Kings Way"]})),
]


@pytest.mark.parametrize(("params", "same"), REQUESTS,
                         ids=["month-user", "weekly", "statuses", "total", "project"])
@pytest.mark.parametrize("who", [ADMIN, "tenant"])
def test_query_numbers_equal_the_layers(served, params, same, who):
    answer = served.get("/api/v1/query", who, params=params)
    assert answer.status == 200, answer.body
    body = answer.json()
    tenant = TENANT if who == "tenant" else None
    df = served.layer.query(*same, tenant=tenant)
    assert body["columns"] == list(df.columns)
    assert body["rows"] == plain(df)  # exact: JSON numbers round-trip float64
    assert body["total_rows"] == len(df) == int(answer.headers["X-Total-Rows"])
    assert body["metrics"] == {m: {"label": catalog.METRICS[m].label,
                                   "unit": catalog.METRICS[m].unit} for m in same[0]}
    assert body["data_version"] == served.layer.data_version
    assert body["notes"] == df.attrs["notes"]


def test_order_by_limit_and_offset(served):
    params = {"metric": ["spend", "leads", "cpl"], "by": "campaign", **JULY,
              "order_by": ["cpl:desc", "campaign"]}
    order = [("cpl", True), ("campaign", False)]
    everything = served.layer.query(["spend", "leads", "cpl"], ["campaign"], JULY, order_by=order)
    page = served.get("/api/v1/query", ADMIN, params={**params, "limit": 7, "offset": 3}).json()
    assert page["rows"] == plain(everything)[3:10]
    assert (page["total_rows"], page["limit"], page["offset"]) == (len(everything), 7, 3)
    assert page["rows"] == plain(served.layer.query(["spend", "leads", "cpl"], ["campaign"],
                                                    JULY, order_by=order, limit=7, offset=3))
    pages, offset = [], 0
    while offset < len(everything):
        pages += served.get("/api/v1/query", ADMIN,
                            params={**params, "limit": 50, "offset": offset}).json()["rows"]
        offset += 50
    assert pages == plain(everything)
    nulls_last = [row[3] for row in page["rows"]]  # CPL desc: campaigns without leads at the end
    assert nulls_last == sorted(nulls_last, key=lambda v: (v is None, -(v or 0)))


def test_csv_has_the_same_values(served):
    params = {"metric": ["leads", "cpl", "ctr"], "by": ["week", "project"],
              "business_user": str(TENANT)}
    body = served.get("/api/v1/query", ADMIN, params=params).json()
    answer = served.get("/api/v1/query", ADMIN, params={**params, "format": "csv"})
    assert answer.status == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(answer.body.decode("utf-8"))))
    assert table[0] == body["columns"] and len(table) == len(body["rows"]) + 1

    def cell(value):
        return "" if value is None else str(value)

    assert table[1:] == [[cell(v) for v in row] for row in body["rows"]]
    assert any(row[3] == "" for row in table[1:])  # a week without leads: no CPL, not 0


def test_a_result_too_large_for_one_answer_must_be_paged(served):
    params = {"metric": "spend", "by": ["campaign", "day"]}
    answer = served.get("/api/v1/query", ADMIN, params=params)
    assert answer.status == 400
    error = answer.json()["error"]
    assert error == (f"more than {MAX_ROWS:,} rows match and one answer holds at most "
                     f"{MAX_ROWS:,}; page with limit and offset")
    page = served.get("/api/v1/query", ADMIN, params={**params, "limit": 10}).json()
    assert len(page["rows"]) == 10 and page["total_rows"] > MAX_ROWS
    too_big = served.get("/api/v1/query", ADMIN, params={**params, "limit": MAX_ROWS + 1})
    assert too_big.status == 400 and f"at most {MAX_ROWS:,}" in too_big.json()["error"]


# -- leads export --------------------------------------------------------------------------
def test_leads_csv_is_the_export_audited_under_the_tokens_name(served, tmp_path):
    filters = {"business_user": [TENANT], **JULY}
    answer = served.get("/api/v1/leads.csv", ADMIN, params=filters)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="leads_user-1411')
    local = tmp_path / "leads.csv"
    rows = export_leads(served.layer, local, filters, None, "test")
    assert answer.body == local.read_bytes() and int(answer.headers["X-Export-Rows"]) == rows > 0
    assert int(answer.headers["Content-Length"]) == len(answer.body)
    last = json.loads(served.audit.read_text().splitlines()[-1])
    assert last == {**last, "actor": f"api:{ADMIN}", "tenant": None, "rows": rows,
                    "outcome": "written", "filters": {"business_user": [TENANT], **JULY}}
    assert list(served.export_dir.iterdir()) == []  # nothing of it stays on the server's disk


def test_leads_csv_keeps_the_export_row_limit(served):
    answer = served.get("/api/v1/leads.csv", ADMIN)
    assert answer.status == 400
    assert f"more than the export limit of {EXPORT_LIMIT:,}" in answer.json()["error"]
    last = json.loads(served.audit.read_text().splitlines()[-1])
    assert last["outcome"] == "refused" and last["actor"] == f"api:{ADMIN}"
    assert list(served.export_dir.iterdir()) == []


# -- tenant isolation ----------------------------------------------------------------------
def test_a_business_users_token_sees_only_its_rows(served):
    other = served.other
    by_user = served.get("/api/v1/query", "tenant",
                         params={"metric": ["spend", "leads"], "by": "business_user"}).json()
    assert [row[0] for row in by_user["rows"]] == [TENANT]
    for params in ({"business_user": other}, {"business_user": [other, TENANT]},
                   {"business_user": f"{other},{TENANT}"}):
        body = served.get("/api/v1/query", "tenant",
                          params={"metric": ["spend", "leads"], "by": "business_user",
                                  **params}).json()
        assert all(row[0] == TENANT for row in body["rows"]), params
    foreign = served.get("/api/v1/query", "tenant",
                         params={"metric": ["spend", "leads"], "business_user": other}).json()
    assert foreign["rows"] == [[0, 0]]  # a total over nothing
    their_campaigns = served.layer.query(["spend"], ["campaign"], {"business_user": [other]})
    campaign = int(their_campaigns["campaign"].iloc[0])
    by_campaign = served.get("/api/v1/query", "tenant", params={
        "metric": "spend", "by": "campaign", "campaign": campaign}).json()
    assert by_campaign["rows"] == [] and by_campaign["total_rows"] == 0
    admin = served.get("/api/v1/query", ADMIN, params={
        "metric": "spend", "by": "campaign", "campaign": campaign}).json()
    assert len(admin["rows"]) == 1  # there was something to hide


def test_a_business_users_token_exports_only_its_leads(served):
    answer = served.get("/api/v1/leads.csv", "tenant")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8"))))
    assert rows and {r["business_user"] for r in rows} == {str(TENANT)}
    assert int(answer.headers["X-Export-Rows"]) == len(rows) == \
        int(served.layer.query(["leads"], tenant=TENANT)["leads"].iloc[0])
    foreign = served.get("/api/v1/leads.csv", "tenant", params={"business_user": served.other})
    assert foreign.status == 200 and foreign.headers["X-Export-Rows"] == "0"
    assert foreign.body.decode().splitlines() == [
        "id,campaign,project,business_user,name,email,phone,status,stage,added_date"]
    audit = json.loads(served.audit.read_text().splitlines()[-1])
    assert audit["actor"] == "api:tenant" and audit["tenant"] == TENANT and audit["rows"] == 0
    theirs = served.get("/api/v1/leads.csv", ADMIN, params={"business_user": served.other})
    assert int(theirs.headers["X-Export-Rows"]) > 0  # admin: there were leads to hide


# -- 401 / 403 / 429 / 400 / 404 / 405 ----------------------------------------------------
@pytest.mark.parametrize(("path", "params"), [
    ("/api/v1/query", {"metric": "spend"}), ("/api/v1/leads.csv", {}), ("/api/v1/catalog", {})])
@pytest.mark.parametrize(("authorization", "message"), [
    (None, "missing token"), ("Basic YWRtaW46YWRtaW4=", "missing token"),
    ("Bearer not-a-token", "unknown token"),
    ("Bearer cbi_0123456789ab_" + "A" * 43, "unknown token"),
], ids=["none", "basic", "garbage", "well-formed"])
def test_no_valid_token_is_401(served, path, params, authorization, message):
    headers = {"Authorization": authorization} if authorization else {}
    answer = served.get(path, params=params, headers=headers)
    assert answer.status == 401 and answer.json()["error"].startswith(message)
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="campaign-bi"')
    if message == "unknown token":
        assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_a_known_id_with_a_forged_secret_is_401(served):
    real = served.tokens["tenant"]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    assert served.get("/api/v1/query", forged, params={"metric": "spend"}).status == 401


def test_a_revoked_token_is_refused_at_once_without_a_restart(served):
    token = add_token(served.tokens_file, "short-lived", "--business-user", str(TENANT))
    assert served.get("/api/v1/query", token, params={"metric": "spend"}).status == 200
    result = CliRunner().invoke(main, ["tokens", "revoke", "short-lived", "--tokens",
                                       str(served.tokens_file)])
    assert result.exit_code == 0
    for _ in range(2 * PROCS):  # whichever process answers
        answer = served.get("/api/v1/query", token, params={"metric": "spend"})
        assert answer.status == 401 and answer.json() == {"error": "this token was revoked"}


def test_a_scope_the_token_lacks_is_403(served):
    answer = served.get("/api/v1/leads.csv", "query-only")
    assert answer.status == 403
    assert answer.json()["error"] == \
        "token 'query-only' does not hold the 'export' scope (it holds: query)"
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
    assert served.get("/api/v1/query", "export-only", params={"metric": "spend"}).status == 403
    assert served.get("/api/v1/leads.csv", "export-only",
                      params={"business_user": TENANT, **JULY}).status == 200


def test_too_many_requests_is_429_with_retry_after(served):
    answers: list[tuple[float, int, dict]] = []
    lock = threading.Lock()
    started = time.monotonic()

    def hammer() -> None:
        for _ in range(60):
            answer = served.get("/api/v1/catalog", "busy")
            with lock:
                answers.append((time.monotonic(), answer.status, dict(answer.headers)))
                if answer.status == 429:
                    return

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limited = [a for a in answers if a[1] == 429]
    assert limited, f"no 429 in {len(answers)} requests"
    first_refusal = min(when for when, _, _ in limited)
    allowed = sum(1 for when, status, _ in answers if status == 200 and when <= first_refusal)
    # each process: a burst, then the rate (the buckets are per process)
    assert allowed <= PROCS * (BURST + RATE * (first_refusal - started)) + 8
    retry = int(limited[0][2]["Retry-After"])
    assert 1 <= retry <= 2
    assert served.get("/api/v1/catalog", "query-only").status == 200  # per token
    refused = served.get("/api/v1/catalog", "busy")
    if refused.status == 429:
        assert refused.json()["error"].startswith("too many requests for token 'busy'")
    time.sleep(retry)
    assert served.get("/api/v1/catalog", "busy").status == 200


@pytest.mark.parametrize(("params", "message"), [
    ({"metric": "sepnd"}, "unknown metric 'sepnd'; did you mean 'spend'?"),
    ({"metric": "cost per lead"}, "unknown metric 'cost per lead'; did you mean 'cpl'?"),
    ({"metric": "spend", "by": "projet"}, "unknown dimension 'projet'; did you mean 'project'?"),
    ({"metric": "spend", "date_form": "2024-07-01"},
     "unknown parameter 'date_form'; did you mean 'date_from'?"),
    ({"metric": "spend", "date_from": "2024-07-32"}, "filter 'date_from' takes an ISO date"),
    ({"metric": "spend", "date_from": "2024-08-01", "date_to": "2024-07-01"},
     "date_from 2024-08-01 is after date_to 2024-07-01"),
    ({"metric": "spend", "business_user": "acme"}, "filter 'business_user' takes integer ids"),
    ({"metric": "spend", "by": "project", "order_by": "cpl"}, "cannot order by 'cpl'"),
    ({"metric": "leads", "by": "ad_set"}, "ad_set"),
], ids=["metric", "metric-words", "dimension", "parameter", "date", "date-order", "id",
        "order-column", "incompatible"])
def test_bad_requests_are_400_with_a_hint(served, params, message):
    answer = served.get("/api/v1/query", "tenant", params=params)
    assert answer.status == 400
    body = answer.json()
    assert message in body["error"]
    if "did you mean" in message and "parameter" not in message:
        assert body["did_you_mean"][0] == re.search(r"did you mean '(\w+)'", message)[1]


def test_other_paths_and_methods_answer_json(served):
    answer = served.get("/api/v1/nothing", ADMIN)
    assert answer.status == 404 and "openapi.json" in answer.json()["error"]
    # POST on a server with XSRF checks: the API has no cookie to forge, so it is 405, not 403
    answer = served.get("/api/v1/query", ADMIN, method="POST", data=b"metric=spend")
    assert answer.status == 405 and answer.json()["error"] == "POST is not allowed here; use GET"


# -- OpenAPI -------------------------------------------------------------------------------
def test_every_documented_path_answers_and_every_route_is_documented(served):
    answer = served.get("/api/v1/openapi.json")  # public
    doc = answer.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    routed = {handler.path for _, handler in api.ROUTES if handler is not NotFoundHandler}
    assert set(doc["paths"]) == routed
    for path, item in doc["paths"].items():
        assert list(item) == ["get"], path
        required = {p["name"]: ["spend"] for p in item["get"]["parameters"] if p["required"]}
        got = served.get(path, ADMIN, params={**required, **({"business_user": TENANT}
                                                             if "leads" in path else {})})
        assert got.status == 200, (path, got.body[:200])
        assert str(got.status) in item["get"]["responses"]
    query = {p["name"] for p in doc["paths"]["/api/v1/query"]["get"]["parameters"]}
    assert set(catalog.FILTERS) <= query
    export = [p["name"] for p in doc["paths"]["/api/v1/leads.csv"]["get"]["parameters"]]
    assert export == list(catalog.FILTERS)
    # and the server refuses what the document does not list
    assert served.get("/api/v1/leads.csv", ADMIN, params={"metric": "spend"}).status == 400


# -- the README's examples -----------------------------------------------------------------
def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Integrate", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S)[1]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_curl_examples_work(served, tmp_path):
    commands = readme_commands()
    assert sum(c.startswith("curl ") for c in commands) >= 5
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "CAMPAIGN_BI_TOKENS": str(served.tokens_file)}

    def run(command: str) -> str:
        command = command.replace("http://127.0.0.1:5006", served.url)
        command = command.replace(".venv/bin/", f"{bin_dir}/")
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, timeout=60,
                              capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
        return done.stdout

    for command in commands:
        if command.startswith("export TOKEN="):
            env["TOKEN"] = run(command + '; printf %s "$TOKEN"').strip()
            assert env["TOKEN"].startswith("cbi_")
            continue
        out = run(command)
        url = next((a for a in shlex.split(command) if "/api/" in a), "")
        if "tokens list" in command:
            assert "reporting" in out and env["TOKEN"] not in out
        elif "tokens revoke" in command:
            again = served.get("/api/v1/catalog", env["TOKEN"])
            assert again.status == 401, "the README says a revoked token is refused at once"
        elif " -o " in command:
            written = (tmp_path / shlex.split(command)[shlex.split(command).index("-o") + 1])
            rows = list(csv.DictReader(written.open(encoding="utf-8")))
            assert rows and {r["business_user"] for r in rows} == {str(TENANT)}, command
        elif "format=csv" in url:
            lines = out.splitlines()
            assert len(lines) > 2 and not out.lstrip().startswith("{"), command
        else:
            body = json.loads(out)
            assert "error" not in body, (command, body)
            if "/query" in url:
                assert body["rows"], command
