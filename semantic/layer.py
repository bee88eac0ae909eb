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

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlglot
from sqlglot import exp

from semantic import catalog
from semantic.compiler import (
    Compiled,
    Filters,
    compile_query,
    listing,
    make_filters,
    make_query,
    make_tenant,
)
from semantic.warehouse import Warehouse

DEFAULT_DB = "data/warehouse.duckdb"
_DATE_DTYPE = "datetime64[us]"

FilterArg = Filters | Mapping[str, object] | None


class SemanticLayer:
    """Metrics by dimensions over one warehouse; safe to share between threads."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.catalog = catalog

    # -- metrics -------------------------------------------------------------------------
    def compiled(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                 tenant: Any = None, dialect: str = "duckdb") -> Compiled:
        """SQL, notes and result columns for a request (cached by request and dialect)."""
        return compile_query(make_query(metrics, dimensions, filters, tenant), dialect)

    def compile(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                tenant: Any = None, dialect: str = "duckdb") -> str:
        """The SQL text that `query` runs, transpiled to `dialect`."""
        return self.compiled(metrics, dimensions, filters, tenant, dialect).sql

    def query(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
              tenant: Any = None, *, order_by: Any = (), limit: int | None = None,
              offset: int = 0) -> pd.DataFrame:
        """Metrics by dimensions as a DataFrame (see the module docstring for types).

        `order_by` ("-spend" for descending, or (name, descending) pairs) of requested
        columns, then `limit`/`offset`, page through large groupings inside the database."""
        q = make_query(metrics, dimensions, filters, tenant, order_by, limit, offset)
        compiled = compile_query(q, "duckdb")
        df = self.warehouse.query(compiled.sql)
        _normalize(df, q.dimensions, q.metrics)
        df.attrs["notes"] = list(compiled.notes)
        return df

    def count(self, metrics: Any, dimensions: Any, filters: FilterArg = None,
              tenant: Any = None) -> int:
        """How many rows `query` returns for this request (e.g. pages of a campaign table)."""
        compiled = compile_query(make_query(metrics, dimensions, filters, tenant), "duckdb")
        counted = exp.select(exp.Count(this=exp.Star())).from_(
            exp.paren(sqlglot.parse_one(compiled.sql, read="duckdb")).as_("grouped"))
        return int(self.warehouse.query(counted.sql("duckdb")).iloc[0, 0])

    # -- rows for the dashboard and export -----------------------------------------------
    def campaigns(self, filters: FilterArg = None, tenant: Any = None) -> pd.DataFrame:
        """Attributes of the campaigns in scope (business user, project, campaign filters and
        the tenant; with a date range, campaigns whose planned run overlaps it or that have a
        fact dated in it). The lead_status filter does not narrow campaigns."""
        sql = listing.campaigns(make_filters(filters), make_tenant(tenant)).sql("duckdb")
        df = self.warehouse.query(sql)
        df["daily_budget"] = df["daily_budget"].astype("float64")
        return df

    def filter_options(self, tenant: Any = None, business_user: Any = None) -> dict[str, Any]:
        """Sorted choices for a filter panel: business users, projects (of the chosen business
        users, all when none), lead statuses, and the first and last day any fact is dated
        (of the chosen business users)."""
        chosen = make_filters({"business_user": business_user}).business_user
        queries = listing.filter_options(make_tenant(tenant), chosen)
        out: dict[str, Any] = {}
        for key in ("business_users", "projects", "lead_statuses"):
            frame = self.warehouse.query(queries[key].sql("duckdb"))
            out[key] = [_plain(v) for v in frame.iloc[:, 0].tolist()]
        span = self.warehouse.query(queries["dates"].sql("duckdb"))
        for key in ("date_min", "date_max"):
            value = span[key].iloc[0] if len(span) else None
            out[key] = None if pd.isna(value) else pd.Timestamp(value).date()
        return out

    def leads_export_sql(self, filters: FilterArg = None, tenant: Any = None) -> str:
        """DuckDB SQL for the leads export (values inlined as escaped literals), safe to wrap
        in `COPY (...) TO`: id, campaign, project, business_user, name, email, phone, status,
        stage, added_date, ordered by id; the date range applies to the day a lead was added."""
        return listing.leads_export(make_filters(filters), make_tenant(tenant)).sql("duckdb")

    # -- warehouse -----------------------------------------------------------------------
    @property
    def data_version(self) -> str:
        """Changes when ingest swaps in a new warehouse file: use it in cache keys."""
        return self.warehouse.data_version

    def sql(self, text: str) -> pd.DataFrame:
        """Ad-hoc read-only SQL through the sandbox (one query; no writes, files, settings)."""
        return self.warehouse.sandbox(text)

    def close(self) -> None:
        self.warehouse.close()

    def __enter__(self) -> SemanticLayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _normalize(df: pd.DataFrame, dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> None:
    """Make dtypes independent of what DuckDB happened to return (e.g. for empty results)."""
    have = dict(zip(df.columns, df.dtypes, strict=True))
    for name in dimensions:
        dtype = catalog.DIMENSIONS[name].dtype
        want = _DATE_DTYPE if dtype == "date" else "int64" if dtype == "integer" else None
        if want and have[name] != want:
            df[name] = df[name].astype(want)
    for name in metrics:
        want = _metric_dtype(name)
        if have[name] != want:
            df[name] = df[name].astype(want)


def _metric_dtype(name: str) -> str:
    metric = catalog.METRICS[name]
    integer = (metric.measure is not None and metric.additivity != "median"
               and catalog.MEASURES[metric.measure].dtype == "integer")
    return "int64" if integer else "float64"


def connect(path: str | os.PathLike | None = None) -> SemanticLayer:
    """Open the warehouse read-only (default: $CAMPAIGN_BI_DB or data/warehouse.duckdb)."""
    return SemanticLayer(Warehouse(path or os.environ.get("CAMPAIGN_BI_DB", DEFAULT_DB)))
