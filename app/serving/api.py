"""The JSON API, served by the dashboard's own `panel serve` process and port (docs/API.md):

    panel serve app/dashboard.py --plugins app.serving.api ...      (`just serve`, `serve-prod`)

`--plugins MODULE` is Panel's way to add Tornado handlers beside the apps: it imports the module
before the server starts (and before `--num-procs` forks) and adds its `ROUTES` to the
server's URL patterns. They are plain Tornado handlers, outside Bokeh's per-app auth, so the
production login (`--auth-module app/serving/auth.py`) neither redirects nor admits API calls:
every endpoint but health and the OpenAPI document authenticates the bearer token itself
(api_base.py). (`--rest-provider` only publishes an app's parameters or functions, nothing
authenticated of our own.)

    GET /api/v1/health         no token: status, data version, last ingest
    GET /api/v1/catalog        any token: metrics, dimensions, filters
    GET /api/v1/query          scope "query": metrics by dimensions, JSON or CSV
    GET /api/v1/leads.csv      scope "export": the filtered leads, audited, streamed
    GET /api/v1/openapi.json   no token: the OpenAPI 3.1 description of these

Every read goes through the process's shared semantic layer (app/state/layers.py), with the
token's business user as the layer's tenant: a business user's token never sees another's rows,
whatever the filters say. No SQL here.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from tornado.iostream import StreamClosedError

from app.serving import api_auth, api_openapi, api_params, api_results
from app.serving.api_base import ApiError, ApiHandler, NotFoundHandler, error_for, log
from app.state.layers import get_layer
from semantic import catalog
from semantic.access.export import export_file_name, export_leads
from semantic.access.tokens import Token
from semantic.errors import CampaignBIError
from semantic.paths import default_db

#: bytes per write of a streamed export
CHUNK = 256 * 1024
EXPORT_DIR_ENV = "CAMPAIGN_BI_API_EXPORT_DIR"

api_auth.rate_config()  # a malformed CAMPAIGN_BI_API_RATE stops the server at start


def layer():
    return get_layer(Path(default_db()))


class HealthHandler(ApiHandler):
    path = "/api/v1/health"
    summary = "Is the server up, and which data does it serve?"
    description = ("No token needed. `data_version` changes whenever an ingest swaps in new "
                   "data; `last_ingest` is when that ingest finished (server's clock), null "
                   "when the warehouse does not record it.")
    scope = None
    responses = {200: ("Serving", "application/json", "Health"),
                 503: ("No warehouse to serve", "application/json", "Error")}

    async def answer(self, token: Token | None) -> None:
        def read() -> dict:
            opened = layer()
            stamp = opened.last_ingest()
            return {"status": "ok", "data_version": opened.data_version,
                    "last_ingest": None if stamp is None else _local(stamp).isoformat()}

        try:
            body = await self.run(read)
        except CampaignBIError as exc:
            error = error_for(exc)
            raise ApiError(error.status_code, error.message,
                           extra={"status": "unavailable"}) from None
        self.send_json(body)


def _local(stamp: dt.datetime) -> dt.datetime:
    """A naive timestamp of this machine's clock, with its UTC offset."""
    return stamp.astimezone() if stamp.tzinfo is None else stamp


class CatalogHandler(ApiHandler):
    path = "/api/v1/catalog"
    summary = "Metrics, dimensions and filters"
    description = "Any valid token. The names `query` and `leads.csv` take."
    responses = {200: ("The catalog", "application/json", "Catalog")}
    _body: bytes | None = None

    async def answer(self, token: Token | None) -> None:
        if CatalogHandler._body is None:
            CatalogHandler._body = api_openapi.dumps(catalog_body())
        self.send_json(CatalogHandler._body)


def catalog_body() -> dict:
    return {
        "metrics": [{"name": m.name, "label": m.label, "unit": m.unit,
                     "description": m.description, "formula": m.formula,
                     "additivity": m.additivity} for m in catalog.METRICS.values()],
        "dimensions": [{"name": d.name, "label": d.label, "kind": d.kind,
                        "description": d.description} for d in catalog.DIMENSIONS.values()],
        "filters": [{"name": f.name, "label": f.label, "kind": f.kind,
                     "description": f.description} for f in catalog.FILTERS.values()],
    }


class QueryHandler(ApiHandler):
    path = "/api/v1/query"
    summary = "Metrics by dimensions"
    description = ("Scope `query`. The same numbers as `campaign-bi query` and the Python "
                   "`layer.query` for the same request, confined to the token's business "
                   "user. JSON: columns, rows (numbers as numbers, null for no value, days as "
                   "ISO dates), each metric's label and unit, the data version, the row count "
                   "before limit/offset. `format=csv`: the same as text/csv.")
    scope = "query"
    params = api_params.QUERY_PARAMS
    responses = {200: ("The result", "application/json", "QueryResult")}

    async def answer(self, token: Token | None) -> None:
        assert token is not None
        request = api_params.query_request(self.request.query_arguments, token.business_user)
        q = request.query

        def compute() -> tuple[bytes, int, str]:
            opened = layer()
            version = opened.data_version
            df = opened.query(q.metrics, q.dimensions, q.filters, q.tenant, order_by=q.order_by,
                              limit=q.limit, offset=q.offset, count=request.counted)
            if not request.limited and len(df) > api_params.MAX_ROWS:
                most = f"{api_params.MAX_ROWS:,}"
                raise ApiError(400, f"more than {most} rows match and one answer holds at most "
                                    f"{most}; page with limit and offset")
            total = int(df.attrs["rows"]) if request.counted else len(df)
            if request.format == "csv":
                return api_results.to_csv(df), total, version
            return api_results.to_json(df, q.metrics, data_version=version, total_rows=total,
                                       offset=q.offset,
                                       limit=q.limit if request.limited else None), total, version

        body, total, version = await self.run(compute)
        self.set_header("X-Total-Rows", str(total))
        self.set_header("X-Data-Version", version)
        if request.format == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.finish(body)


class LeadsCsvHandler(ApiHandler):
    path = "/api/v1/leads.csv"
    summary = "The filtered leads as CSV (personal data)"
    description = ("Scope `export`. The dashboard's and `campaign-bi export-leads`' export: "
                   "id, campaign, project, business user, name, email, phone, status, stage, "
                   "added date; text that a spreadsheet would run as a formula starts with "
                   "`'`. Confined to the token's business user, bounded by the export row "
                   "limit (400 above it) and audited with the token's name "
                   "(`api:<name>`). Streamed; `X-Export-Rows` gives the row count.")
    scope = "export"
    params = api_params.FILTER_PARAMS
    responses = {200: ("The leads, with a header row", "text/csv", None)}

    async def answer(self, token: Token | None) -> None:
        assert token is not None
        filters = api_params.export_filters(self.request.query_arguments)
        name = export_file_name(filters)
        folder = Path(tempfile.mkdtemp(prefix="campaign-bi-api-export-",
                                       dir=_export_root()))  # 0700
        try:
            target = folder / name
            rows = await self.run(lambda: export_leads(
                layer(), target, filters, token.business_user, actor=f"api:{token.name}"))
            stream = target.open("rb")
        finally:
            # an open file outlives its name: nothing of the export stays on disk, whatever
            # happens to the connection
            shutil.rmtree(folder, ignore_errors=True)
        with stream:
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
            self.set_header("X-Export-Rows", str(rows))
            self.set_header("Content-Length", str(_size(stream)))
            try:
                while chunk := stream.read(CHUNK):
                    self.write(chunk)
                    await self.flush()  # waits while the client is slower than the disk
            except StreamClosedError:
                log.info("API: %s closed the connection during an export", token.name)
                return
        self.finish()


def _export_root() -> str | None:
    return os.environ.get(EXPORT_DIR_ENV) or None


def _size(stream) -> int:
    return os.fstat(stream.fileno()).st_size


class OpenApiHandler(ApiHandler):
    path = "/api/v1/openapi.json"
    summary = "This API's OpenAPI 3.1 description"
    description = "No token needed. Generated from the server's routes and the catalog."
    scope = None
    responses = {200: ("The OpenAPI document", "application/json", None)}
    _body: bytes | None = None

    async def answer(self, token: Token | None) -> None:
        if OpenApiHandler._body is None:
            OpenApiHandler._body = api_openapi.dumps(api_openapi.document(ENDPOINTS))
        self.send_json(OpenApiHandler._body)


#: the endpoints, documented in the OpenAPI document in this order
ENDPOINTS: tuple[type[ApiHandler], ...] = (HealthHandler, CatalogHandler, QueryHandler,
                                            LeadsCsvHandler, OpenApiHandler)

#: what `panel serve --plugins app.serving.api` adds to the server (`/api/...` not matched by
#: an endpoint answers a JSON 404)
ROUTES = [*((handler.path.replace(".", r"\."), handler) for handler in ENDPOINTS),
          (r"/api(?:/.*)?", NotFoundHandler)]
