"""The public Python API of the semantic layer.

    import semantic
    layer = semantic.connect("data/warehouse.duckdb")          # read-only
    df = layer.query(metrics=["spend", "leads", "cpl"], dimensions=["project"],
                     filters={"business_user": [199], "date_from": "2024-07-01",
                              "date_to": "2024-07-31"})

Result frames have one column per dimension, then one per metric, in the order asked, rows
ordered by the dimensions. Time dimensions are `datetime64[us]` at midnight (week = its ISO
Monday, month = its first day); integer dimensions and count metrics are int64; money is
float64 (exactly the DECIMAL sums, to the cent); ratios are float64 fractions with NaN where the
denominator is zero; the median is float64 hours (NaN when no lead in the group was contacted).
`df.attrs["notes"]` carries the compiler's notes (e.g. what a lead_status filter does not
restrict).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from semantic import catalog
from semantic.compiler import (
    Compiled,
    Filters,
    bound,
    compile_query,
    listing,
    make_filters,
    make_query,
    make_tenant,
)
from semantic.compiler.predicates import inline, parameters
from semantic.errors import InvalidQueryError
from semantic.paths import default_db
from semantic.runtime.fast import FastPaths
from semantic.runtime.frames import normalize
from semantic.runtime.warehouse import Warehouse

FilterArg = Filters | Mapping[str, object] | None


class SemanticLayer:
    """Metrics by dimensions over one warehouse; safe to share between threads."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.catalog = catalog
        self._zone: tuple[str | None, str | None] = (None, None)  # (data version, zone)
        self._ingested: tuple[str | None, dt.datetime | None] = (None, None)
        #: several answers from one scan, for a dashboard that asks many at once
        #: (semantic/runtime/fast.py): each gives exactly what the plain queries give
        self.fast = FastPaths(self)

    # -- metrics -------------------------------------------------------------------------
    def compiled(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                 tenant: Any = None, dialect: str | None = None) -> Compiled:
        """SQL, notes and result columns for a request (cached by request and dialect), in
        the engine's dialect unless asked for another."""
        return compile_query(make_query(metrics, dimensions, filters, tenant),
                             dialect or self.warehouse.dialect)

    def compile(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                tenant: Any = None, dialect: str | None = None) -> str:
        """The SQL text that `query` runs, transpiled to `dialect` (default: the engine's)."""
        return self.compiled(metrics, dimensions, filters, tenant, dialect).sql

    def query(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
              tenant: Any = None, *, order_by: Any = (), limit: int | None = None,
              offset: int = 0, count: bool = False) -> pd.DataFrame:
        """Metrics by dimensions as a DataFrame (see the module docstring for types).

        `order_by` ("-spend" for descending, or (name, descending) pairs) of requested
        columns, then `limit`/`offset`, page through large groupings inside the database;
        with `count`, `df.attrs["rows"]` is the number of rows before `limit`/`offset`
        (counted in the same query)."""
        q = make_query(metrics, dimensions, filters, tenant, order_by, limit, offset)
        # the engine seam: the executor (`warehouse`: DuckDB's Warehouse, or Spark's executor,
        # semantic/runtime/spark.py) names its dialect and runs the compiled query
        compiled = compile_query(q, self.warehouse.dialect, count=count)
        df = self.warehouse.run(compiled)
        return self._shaped(df, q.dimensions, q.metrics, compiled, count)

    @staticmethod
    def _shaped(df: pd.DataFrame, dimensions, metrics, compiled: Compiled,
                count: bool = False) -> pd.DataFrame:
        if count:
            rows = df.pop(listing.ROWS_COLUMN)
            df.attrs["rows"] = int(rows.iloc[0]) if len(rows) else 0
        normalize(df, dimensions, metrics)
        df.attrs["notes"] = list(compiled.notes)
        return df

    def count(self, metrics: Any, dimensions: Any, filters: FilterArg = None,
              tenant: Any = None) -> int:
        """How many rows `query` returns for this request (e.g. pages of a campaign table)."""
        # the window count of the grouped rows, fetched with one of them
        compiled = compile_query(make_query(metrics, dimensions, filters, tenant, limit=1),
                                 self.warehouse.dialect, count=True)
        frame = self.warehouse.run(compiled)
        return int(frame[listing.ROWS_COLUMN].iloc[0]) if len(frame) else 0

    # -- rows for the dashboard and export -----------------------------------------------
    def campaigns(self, filters: FilterArg = None, tenant: Any = None) -> pd.DataFrame:
        """Attributes of the campaigns in scope (business user, project, campaign filters and
        the tenant; with a date range, campaigns whose planned run overlaps it or that have a
        fact dated in it). The lead_status filter does not narrow campaigns."""
        scoped, tenant = make_filters(filters), make_tenant(tenant)
        df = self.warehouse.query(*bound(listing.campaigns(scoped, tenant),
                                         parameters(scoped, tenant)))
        df["daily_budget"] = df["daily_budget"].astype("float64")
        return df

    def filter_options(self, tenant: Any = None, business_user: Any = None) -> dict[str, Any]:
        """Sorted choices for a filter panel: business users, projects (of the chosen business
        users, all when none), lead statuses, and the first and last day any fact is dated
        (of the chosen business users)."""
        chosen = make_filters({"business_user": business_user})
        tenant = make_tenant(tenant)
        queries = listing.filter_options(tenant, chosen.business_user)
        values = parameters(chosen, tenant)
        out: dict[str, Any] = {}
        for key in ("business_users", "projects", "lead_statuses"):
            frame = self.warehouse.query(*bound(queries[key], values))
            out[key] = [_plain(v) for v in frame.iloc[:, 0].tolist()]
        span = self.warehouse.query(*bound(queries["dates"], values))
        for key in ("date_min", "date_max"):
            value = span[key].iloc[0] if len(span) else None
            out[key] = None if pd.isna(value) else pd.Timestamp(value).date()
        return out

    def activity_span(self, tenant: Any = None) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day with delivery, leads or status changes (in the tenant's
        scope): what "all data" means on the dashboard and for alerts without dates. The span
        of `filter_options` also counts planned-budget days, months past the last real
        activity; budget planned after the last day with data is not due yet."""
        days = self.query(metrics=["spend", "leads", "status_changes"], dimensions=["day"],
                          tenant=tenant)
        active = days[(days["spend"] > 0) | (days["leads"] > 0) | (days["status_changes"] > 0)]
        if active.empty:
            options = self.filter_options(tenant=tenant)
            return options["date_min"], options["date_max"]
        return active["day"].min().date(), active["day"].max().date()

    def option_matches(self, kind: str, text: str = "", tenant: Any = None,
                       business_user: Any = None, limit: int = 100) -> list:
        """Search-as-you-type choices for a filter: the first `limit` business users whose id
        starts with `text` (kind "business_user"), or projects of the chosen business users
        whose name contains it, case-insensitively (kind "project"). The exact match comes
        first, then those starting with `text`, then the rest; each shortest first, then
        sorted (`199` before `1990`; `Kings`, `Kingsway`, `Acme Kings`)."""
        if kind not in ("business_user", "project"):
            raise InvalidQueryError(f"options are searched for business_user or project, "
                                    f"not {kind!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidQueryError(f"limit must be a non-negative integer, got {limit!r}")
        chosen = make_filters({"business_user": business_user})
        tenant = make_tenant(tenant)
        text = make_filters({"project": [text]}).project[0] if text and text.strip() else ""
        tree = listing.option_matches(kind, text, tenant, chosen.business_user, limit)
        values = parameters(chosen, tenant, **listing.search_values(text))
        return [_plain(v) for v in self.warehouse.query(*bound(tree, values)).iloc[:, 0].tolist()]

    def leads_export_sql(self, filters: FilterArg = None, tenant: Any = None) -> str:
        """DuckDB SQL for the leads export (values inlined as escaped literals), safe to wrap
        in `COPY (...) TO`: id, campaign, project, business_user, name, email, phone, status,
        stage, added_date, ordered by id; the date range applies to the day a lead was added."""
        scoped, tenant = make_filters(filters), make_tenant(tenant)
        return inline(listing.leads_export(scoped, tenant),
                      parameters(scoped, tenant)).sql("duckdb")

    # -- one campaign's drill-down ------------------------------------------------------
    def campaign_leads(self, campaign: int, filters: FilterArg = None, tenant: Any = None,
                       limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """The campaign's latest `limit` leads in scope, newest first (lead_id, added_at,
        lead_status, stage, first_contact_at, hours_to_first_contact, logged_changes; no
        personal data), and how many leads are in scope in all. Filters as for the leads
        export: dates on the day a lead was added, lead_status on its current status."""
        return self._detail(listing.campaign_leads, campaign, filters, tenant, limit)

    def status_log(self, campaign: int, filters: FilterArg = None, tenant: Any = None,
                   limit: int = 1000) -> tuple[pd.DataFrame, int]:
        """The campaign's latest `limit` logged status changes in scope, newest first (lead_id,
        changed_at, status, stage of that status, lead_status: the lead's current one), and
        how many are in scope in all. Dates apply to the day of the change; lead_status keeps
        the changes of leads whose current status is listed."""
        return self._detail(listing.status_log, campaign, filters, tenant, limit)

    def ad_set_delivery(self, campaign: int, filters: FilterArg = None,
                        tenant: Any = None) -> pd.DataFrame:
        """The campaign's spend, impressions, clicks, CTR and CPC by ad set and day, ordered
        so (ratios of the sums per row). The lead_status filter does not narrow delivery."""
        scoped, disjoint = _one_campaign(filters, campaign)
        return self.query(["spend", "impressions", "clicks", "ctr", "cpc"], ["ad_set", "day"],
                          filters=scoped, tenant=tenant, limit=0 if disjoint else None)

    def _detail(self, rows, campaign, filters, tenant, limit) -> tuple[pd.DataFrame, int]:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidQueryError(f"limit must be a positive integer, got {limit!r}")
        scoped, disjoint = _one_campaign(filters, campaign)
        tenant = make_tenant(tenant)
        # The total is a window count in the same query, not a second one: one scan of the
        # campaign's rows, which the ORDER BY reads in full anyway. LIMIT 0 when the filters
        # exclude the campaign: no rows, the same columns and types.
        tree = listing.counted(rows(scoped, tenant, 0 if disjoint else limit))
        df = self.warehouse.query(*bound(tree, parameters(scoped, tenant)))
        total = df.pop(listing.ROWS_COLUMN)
        return df, int(total.iloc[0]) if len(total) else 0

    # -- warehouse -----------------------------------------------------------------------
    @property
    def data_version(self) -> str:
        """Changes when ingest swaps in a new warehouse file: use it in cache keys."""
        return self.warehouse.data_version

    @property
    def time_zone(self) -> str | None:
        """The IANA zone days and hours are reported in (None: the export's local time, as
        written; set at ingest, `campaign-bi ingest --report-tz`)."""
        from semantic.builder.ingest.zones import recorded

        version = self.data_version  # read once per warehouse file: drawn on every refresh
        if self._zone[0] != version:
            with self.warehouse.cursor() as cur:
                zones = recorded(cur)
            self._zone = (version, zones.report_tz if zones else None)
        return self._zone[1]

    def last_ingest(self) -> dt.datetime | None:
        """When the newest ingest or append that built this data finished (the ingesting
        machine's local time, naive), or None when the warehouse does not record it."""
        from semantic.runtime.health import last_ingest

        version = self.data_version
        if self._ingested[0] != version:
            stamp = last_ingest(self.warehouse)
            self._ingested = (version, None if stamp is None else stamp.to_pydatetime())
        return self._ingested[1]

    def data_health(self):
        """The last ingest's files, reconciliation, refused rows and flagged issues
        (`semantic.runtime.health.DataHealth`); admins only: refused rows quote source values."""
        from semantic.runtime.health import data_health

        return data_health(self.warehouse)

    def rejected_rows(self, offset: int = 0, limit: int | None = None) -> pd.DataFrame:
        """One page of the last ingest's refused rows (file, line, column, value, reason; a
        page of `semantic.runtime.health.REJECTS_PAGE` by default); admins only, like `data_health`."""
        from semantic.runtime.health import REJECTS_PAGE, rejected_rows

        return rejected_rows(self.warehouse, offset, limit or REJECTS_PAGE)

    def sql(self, text: str) -> pd.DataFrame:
        """Ad-hoc read-only SQL through the sandbox (one query; no writes, files, settings)."""
        return self.warehouse.sandbox(text)

    def close(self) -> None:
        self.warehouse.close()

    def __enter__(self) -> SemanticLayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _one_campaign(filters: FilterArg, campaign: Any) -> tuple[Filters, bool]:
    """The filters narrowed to `campaign`, and whether their own campaign filter excludes it
    (the intersection is then empty, never the whole campaign)."""
    scoped, only = make_filters(filters), Filters(campaign=[campaign]).campaign
    return replace(scoped, campaign=only), bool(scoped.campaign) and only[0] not in scoped.campaign


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def connect(path: str | os.PathLike | None = None, *, engine: str = "duckdb",
            lake: str | os.PathLike | None = None, spark: Any = None) -> SemanticLayer:
    """Open the warehouse read-only (default: $CAMPAIGN_BI_DB or data/warehouse.duckdb).

    With engine="spark", the same API answered by Apache Spark over the Parquet lake `lake`
    (default: $CAMPAIGN_BI_LAKE or data/lake; written by `campaign-bi export-parquet`); `spark`
    is None for a local session, a Spark Connect URL (sc://host:15002), a master URL or a
    SparkSession (semantic/runtime/spark_layer.py, docs/SPARK.md)."""
    if engine == "spark":
        if path is not None:
            raise InvalidQueryError("the Spark engine reads a lake (lake=...), not a "
                                    "warehouse file")
        from semantic.runtime.spark_layer import SparkLayer

        return SparkLayer.open(lake, spark)
    if engine != "duckdb":
        raise InvalidQueryError(f"unknown engine {engine!r}; choose duckdb or spark")
    return SemanticLayer(Warehouse(path or default_db()))
