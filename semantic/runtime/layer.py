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
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from semantic import catalog
from semantic.compiler import (
    CURRENT_COLUMN,
    SET_COLUMN,
    Compiled,
    Filters,
    bound,
    compile_campaign_rows,
    compile_query,
    compile_set_counts,
    listing,
    make_filters,
    make_query,
    make_tenant,
)
from semantic.compiler.predicates import inline, parameters
from semantic.errors import InvalidQueryError
from semantic.paths import default_db
from semantic.runtime.warehouse import Warehouse

_DATE_DTYPE = "datetime64[us]"

FilterArg = Filters | Mapping[str, object] | None


class SemanticLayer:
    """Metrics by dimensions over one warehouse; safe to share between threads."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.catalog = catalog
        self._zone: tuple[str | None, str | None] = (None, None)  # (data version, zone)

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
              offset: int = 0, count: bool = False) -> pd.DataFrame:
        """Metrics by dimensions as a DataFrame (see the module docstring for types).

        `order_by` ("-spend" for descending, or (name, descending) pairs) of requested
        columns, then `limit`/`offset`, page through large groupings inside the database;
        with `count`, `df.attrs["rows"]` is the number of rows before `limit`/`offset`
        (counted in the same query)."""
        q = make_query(metrics, dimensions, filters, tenant, order_by, limit, offset)
        compiled = compile_query(q, "duckdb", count=count)
        df = self.warehouse.query(compiled.statement, compiled.values)
        return self._shaped(df, q.dimensions, q.metrics, compiled, count)

    def query_sets(self, metrics: Any, grouping_sets: Any, filters: FilterArg = None,
                   tenant: Any = None, *, order_by: Any = (),
                   limit: int | None = None) -> list[pd.DataFrame]:
        """The same metrics by several groupings, from one scan (GROUP BY GROUPING SETS): one
        frame per grouping, each exactly what `query(metrics, dims, filters, tenant,
        order_by=order_by, limit=limit)` gives (`limit` rows of each grouping)."""
        q = make_query(metrics, (), filters, tenant, order_by, limit,
                       grouping_sets=grouping_sets)
        compiled = compile_query(q, "duckdb")
        arrays = self.warehouse.query_arrays(compiled.statement, compiled.values)
        which = np.asarray(arrays[SET_COLUMN])
        order = {d: i for i, d in enumerate(q.dimensions)}
        out = []
        for dims in q.grouping_sets:
            rows = np.flatnonzero(which == _set_mask(q.dimensions, dims))
            part = _frame(arrays, rows, dims, q.metrics)
            if [order[d] for d in dims] != sorted(order[d] for d in dims) and not q.order_by:
                part = part.sort_values(list(dims), na_position="last", kind="stable",
                                        ignore_index=True)  # SQL ordered them otherwise
            out.append(self._shaped(part, dims, q.metrics, compiled))
        return out

    def count_sets(self, metrics: Any, grouping_sets: Any, filters: FilterArg = None,
                   tenant: Any = None) -> list[int]:
        """`count(metrics, dims, filters, tenant)` for each grouping, from one scan."""
        q = make_query(metrics, (), filters, tenant, grouping_sets=grouping_sets)
        compiled = compile_set_counts(q)
        frame = self.warehouse.query(compiled.statement, compiled.values)
        rows = dict(zip(frame[SET_COLUMN].tolist(), frame[listing.ROWS_COLUMN].tolist(),
                        strict=True))
        return [int(rows.get(_set_mask(q.dimensions, dims), 0)) for dims in q.grouping_sets]

    def query_split(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                    tenant: Any = None, *, split_at: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`query` for the days of the date range before `split_at` and for the days from it
        on, from one scan (e.g. a period and the one before it): two frames, each exactly what
        `query` gives with that part of the range."""
        q = make_query(metrics, dimensions, filters, tenant, split_at=split_at)
        compiled = compile_query(q, "duckdb")
        arrays = self.warehouse.query_arrays(compiled.statement, compiled.values)
        current = np.ma.filled(arrays[CURRENT_COLUMN], False).astype(bool)
        parts = []
        for side in (False, True):
            rows = np.flatnonzero(current == side)
            if not q.dimensions and not len(rows):  # a total over no rows: zeros and NULLs
                part = pd.DataFrame({m: [_empty_total(m)] for m in q.metrics})
            else:
                part = _frame(arrays, rows, q.dimensions, q.metrics)
            parts.append(self._shaped(part, q.dimensions, q.metrics, compiled))
        return parts[0], parts[1]

    def campaign_rows(self, metrics: Any, filters: FilterArg = None, tenant: Any = None, *,
                      order_by: Any = (), limit: int | None = None, offset: int = 0,
                      count: bool = False) -> pd.DataFrame:
        """`query(metrics, ["campaign", "project", "business_user"], ...)` with each campaign's
        planned run and daily budget (start_time, stop_time, daily_budget) in the same query.
        With `count`, `df.attrs["rows"]` is the number of rows before `limit`/`offset`."""
        q = make_query(metrics, ("campaign", "project", "business_user"), filters, tenant,
                       order_by, limit, offset)
        compiled = compile_campaign_rows(q, count)
        df = self.warehouse.query(compiled.statement, compiled.values)
        df["daily_budget"] = df["daily_budget"].astype("float64")
        return self._shaped(df, q.dimensions, q.metrics, compiled, count)

    @staticmethod
    def _shaped(df: pd.DataFrame, dimensions, metrics, compiled: Compiled,
                count: bool = False) -> pd.DataFrame:
        if count:
            rows = df.pop(listing.ROWS_COLUMN)
            df.attrs["rows"] = int(rows.iloc[0]) if len(rows) else 0
        _normalize(df, dimensions, metrics)
        df.attrs["notes"] = list(compiled.notes)
        return df

    def count(self, metrics: Any, dimensions: Any, filters: FilterArg = None,
              tenant: Any = None) -> int:
        """How many rows `query` returns for this request (e.g. pages of a campaign table)."""
        # the window count of the grouped rows, fetched with one of them
        compiled = compile_query(make_query(metrics, dimensions, filters, tenant, limit=1),
                                 "duckdb", count=True)
        frame = self.warehouse.query(compiled.statement, compiled.values)
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


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _normalize(df: pd.DataFrame, dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> None:
    """Make dtypes independent of what DuckDB happened to return (e.g. for empty results)."""
    have = dict(zip(df.columns, df.dtypes, strict=True))  # one pass: df[name] is slow
    for name, want in _wanted_dtypes(tuple(dimensions), tuple(metrics)):
        if have[name] != want:
            df[name] = df[name].astype(want)


@lru_cache(maxsize=1024)
def _wanted_dtypes(dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> tuple:
    out = []
    for name in dimensions:
        dtype = catalog.DIMENSIONS[name].dtype
        want = _DATE_DTYPE if dtype == "date" else "int64" if dtype == "integer" else None
        if want:
            out.append((name, np.dtype(want)))
    return (*out, *((name, np.dtype(_metric_dtype(name))) for name in metrics))


def _set_mask(dimensions: tuple, grouped: tuple) -> int:
    """GROUPING(dimensions) of a row of the set `grouped`: bit i is set (counting from the
    last dimension) when dimension i is not grouped."""
    return sum(1 << (len(dimensions) - 1 - i)
               for i, d in enumerate(dimensions) if d not in grouped)


def _frame(arrays: dict, rows: np.ndarray, dimensions: tuple, metrics: tuple) -> pd.DataFrame:
    """The given rows of fetched column arrays as a DataFrame of dimensions then metrics, NULL
    as NaN/None, in the types `query` gives (cast here, on the arrays: cheaper than later)."""
    wanted = dict(_wanted_dtypes(tuple(dimensions), tuple(metrics)))
    columns = {}
    for name in (*dimensions, *metrics):
        values = arrays[name]
        if isinstance(values, np.ma.MaskedArray):
            missing = np.ma.getmaskarray(values)[rows]
            data = np.asarray(values.data)[rows]
            if missing.any():
                data = data.astype(float if data.dtype.kind in "iuf" else object)
                data[missing] = np.nan if data.dtype.kind == "f" else None
            values = data
        else:
            values = np.asarray(values)[rows]
        want = wanted.get(name)
        if want is not None and values.dtype != want and values.dtype.kind in "iub":
            values = values.astype(want)
        columns[name] = values
    return pd.DataFrame(columns)


def _empty_total(name: str) -> float:
    """What a total over no rows holds: 0 for sums and counts, NULL for ratios and medians."""
    metric = catalog.METRICS[name]
    return 0 if metric.measure is not None and metric.additivity != "median" else float("nan")


def _metric_dtype(name: str) -> str:
    metric = catalog.METRICS[name]
    integer = (metric.measure is not None and metric.additivity != "median"
               and catalog.MEASURES[metric.measure].dtype == "integer")
    return "int64" if integer else "float64"


def connect(path: str | os.PathLike | None = None) -> SemanticLayer:
    """Open the warehouse read-only (default: $CAMPAIGN_BI_DB or data/warehouse.duckdb)."""
    return SemanticLayer(Warehouse(path or default_db()))
