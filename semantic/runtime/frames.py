"""Result frames in the types the layer documents (semantic/runtime/layer.py): what DuckDB
returned, cast so that the dtype of a column never depends on the data (e.g. an empty result)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from semantic import catalog

_DATE_DTYPE = np.dtype("datetime64[us]")
#: text as pandas stores it by default (`str` from pandas 3 on, object before): DuckDB gives a
#: text column of an empty result as object even there, and Spark's Arrow results give `str`
_TEXT_DTYPE = pd.Series(["text"]).dtype


def normalize(df: pd.DataFrame, dimensions: tuple[str, ...], metrics: tuple[str, ...]) -> None:
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
        out.append((name, _DATE_DTYPE if dtype == "date" else np.dtype("int64")
                    if dtype == "integer" else _TEXT_DTYPE))
    return (*out, *((name, np.dtype(_metric_dtype(name))) for name in metrics))


def set_mask(dimensions: tuple, grouped: tuple) -> int:
    """GROUPING(dimensions) of a row of the set `grouped`: bit i is set (counting from the
    last dimension) when dimension i is not grouped."""
    return sum(1 << (len(dimensions) - 1 - i)
               for i, d in enumerate(dimensions) if d not in grouped)


def frame(arrays: dict, rows: np.ndarray, dimensions: tuple, metrics: tuple) -> pd.DataFrame:
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


def empty_total(name: str) -> float:
    """What a total over no rows holds: 0 for sums and counts, NULL for ratios and medians."""
    metric = catalog.METRICS[name]
    return 0 if metric.measure is not None and metric.additivity != "median" else float("nan")


def _metric_dtype(name: str) -> str:
    metric = catalog.METRICS[name]
    integer = (metric.measure is not None and metric.additivity != "median"
               and catalog.MEASURES[metric.measure].dtype == "integer")
    return "int64" if integer else "float64"
