"""A result frame of the semantic layer as the API sends it: JSON (numbers as numbers, NULL and
NaN as null, days as ISO dates) or CSV (the same values; text cells that a spreadsheet would run
as a formula get a leading `'`, as in the leads export)."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd

from semantic import catalog
from semantic.access.export import FORMULA_CHARS


def column_values(series: pd.Series) -> list:
    """A column as JSON-ready Python values."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.date().isoformat() for v in series]
    if pd.api.types.is_float_dtype(series):
        return [v if math.isfinite(v) else None for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.tolist()
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else
            v.item() if hasattr(v, "item") else v for v in series.tolist()]


def rows_of(df: pd.DataFrame) -> tuple[list[str], list[list]]:
    columns = [str(c) for c in df.columns]
    values = [column_values(df[c]) for c in df.columns]
    return columns, [list(row) for row in zip(*values, strict=True)] if values else []


def metric_info(metrics) -> dict:
    return {name: {"label": catalog.METRICS[name].label, "unit": catalog.METRICS[name].unit}
            for name in metrics}


def to_json(df: pd.DataFrame, metrics, *, data_version: str, total_rows: int, offset: int,
            limit: int | None) -> bytes:
    columns, rows = rows_of(df)
    body = {"columns": columns, "rows": rows, "metrics": metric_info(metrics),
            "data_version": data_version, "total_rows": total_rows, "offset": offset,
            "limit": limit, "notes": list(df.attrs.get("notes", []))}
    # allow_nan=False: a NaN that slipped through is a bug to see, not invalid JSON to send
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _cell(value) -> object:
    if isinstance(value, str) and value and value[0] in FORMULA_CHARS:
        return "'" + value
    return "" if value is None else value


def to_csv(df: pd.DataFrame) -> bytes:
    columns, rows = rows_of(df)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")
