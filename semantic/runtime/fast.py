"""The dashboard's fast paths: several answers from one scan, behind `layer.fast`.

Each gives exactly what the plain `layer.query` calls it replaces give, frame for frame and
dtype for dtype (tests/runtime/test_layer_fast_paths.py): the same metrics by several groupings
(GROUP BY GROUPING SETS), their row counts, a period and the one before it, and campaign rows
with their planned run and budget joined on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from semantic.compiler import (
    CURRENT_COLUMN,
    SET_COLUMN,
    compile_campaign_rows,
    compile_query,
    compile_set_counts,
    listing,
    make_query,
)
from semantic.runtime.frames import empty_total, frame, set_mask

if TYPE_CHECKING:
    from semantic.runtime.layer import FilterArg, SemanticLayer


class FastPaths:
    def __init__(self, layer: SemanticLayer) -> None:
        self.layer = layer

    def query_sets(self, metrics: Any, grouping_sets: Any, filters: FilterArg = None,
                   tenant: Any = None, *, order_by: Any = (),
                   limit: int | None = None) -> list[pd.DataFrame]:
        """The same metrics by several groupings, from one scan (GROUP BY GROUPING SETS): one
        frame per grouping, each exactly what `query(metrics, dims, filters, tenant,
        order_by=order_by, limit=limit)` gives (`limit` rows of each grouping)."""
        q = make_query(metrics, (), filters, tenant, order_by, limit,
                       grouping_sets=grouping_sets)
        compiled = compile_query(q, "duckdb")
        arrays = self.layer.warehouse.query_arrays(compiled.statement, compiled.values)
        which = np.asarray(arrays[SET_COLUMN])
        order = {d: i for i, d in enumerate(q.dimensions)}
        out = []
        for dims in q.grouping_sets:
            rows = np.flatnonzero(which == set_mask(q.dimensions, dims))
            part = frame(arrays, rows, dims, q.metrics)
            if [order[d] for d in dims] != sorted(order[d] for d in dims) and not q.order_by:
                part = part.sort_values(list(dims), na_position="last", kind="stable",
                                        ignore_index=True)  # SQL ordered them otherwise
            out.append(self.layer._shaped(part, dims, q.metrics, compiled))
        return out

    def count_sets(self, metrics: Any, grouping_sets: Any, filters: FilterArg = None,
                   tenant: Any = None) -> list[int]:
        """`count(metrics, dims, filters, tenant)` for each grouping, from one scan."""
        q = make_query(metrics, (), filters, tenant, grouping_sets=grouping_sets)
        compiled = compile_set_counts(q)
        frame = self.layer.warehouse.query(compiled.statement, compiled.values)
        rows = dict(zip(frame[SET_COLUMN].tolist(), frame[listing.ROWS_COLUMN].tolist(),
                        strict=True))
        return [int(rows.get(set_mask(q.dimensions, dims), 0)) for dims in q.grouping_sets]

    def query_split(self, metrics: Any, dimensions: Any = (), filters: FilterArg = None,
                    tenant: Any = None, *, split_at: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`query` for the days of the date range before `split_at` and for the days from it
        on, from one scan (e.g. a period and the one before it): two frames, each exactly what
        `query` gives with that part of the range."""
        q = make_query(metrics, dimensions, filters, tenant, split_at=split_at)
        compiled = compile_query(q, "duckdb")
        arrays = self.layer.warehouse.query_arrays(compiled.statement, compiled.values)
        current = np.ma.filled(arrays[CURRENT_COLUMN], False).astype(bool)
        parts = []
        for side in (False, True):
            rows = np.flatnonzero(current == side)
            if not q.dimensions and not len(rows):  # a total over no rows: zeros and NULLs
                part = pd.DataFrame({m: [empty_total(m)] for m in q.metrics})
            else:
                part = frame(arrays, rows, q.dimensions, q.metrics)
            parts.append(self.layer._shaped(part, q.dimensions, q.metrics, compiled))
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
        df = self.layer.warehouse.query(compiled.statement, compiled.values)
        df["daily_budget"] = df["daily_budget"].astype("float64")
        return self.layer._shaped(df, q.dimensions, q.metrics, compiled, count)
