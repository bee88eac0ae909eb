"""Alert rules over campaign-level metrics; thresholds live in `alerts.toml` (documented there).

`evaluate(layer, filters, tenant, config)` returns one row per (campaign, rule) that fires:
campaign, project, business_user, rule, label, metric, unit, value, threshold — most severe
first within each rule (severity = how far the value is past its threshold).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from semantic.catalog import METRICS
from semantic.errors import CampaignBIError

DEFAULT_CONFIG = Path(__file__).with_name("alerts.toml")
ATTRIBUTES = ["campaign", "project", "business_user"]
#: What every rule may look at, per campaign.
CAMPAIGN_METRICS = ["spend", "impressions", "ctr", "leads", "cpl", "budget", "budget_utilization"]
COLUMNS = [*ATTRIBUTES, "rule", "label", "metric", "unit", "value", "threshold"]


class AlertConfigError(CampaignBIError):
    """The alert configuration cannot be used."""


def load_config(source: str | Path | Mapping[str, Any] | None = None) -> dict[str, dict]:
    """Rules by name from a TOML file (default: semantic/runtime/alerts.toml) or an already-parsed
    mapping with a `rules` table. Unknown rules and missing settings are refused by name."""
    if source is None or isinstance(source, str | Path):
        path = Path(source) if source is not None else DEFAULT_CONFIG
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise AlertConfigError(f"{path}: alert config not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise AlertConfigError(f"{path}: not valid TOML ({exc})") from None
    else:
        data = dict(source)
    rules = data.get("rules")
    if not isinstance(rules, Mapping):
        raise AlertConfigError("alert config has no [rules.<name>] tables")
    out = {}
    for name, settings in rules.items():
        if name not in RULES:
            raise AlertConfigError(
                f"unknown alert rule {name!r} (known: {', '.join(sorted(RULES))})")
        _, required = RULES[name]
        missing = [key for key in required if key not in settings]
        if missing:
            raise AlertConfigError(f"alert rule {name!r} lacks {', '.join(missing)}")
        out[name] = dict(settings)
    return out


def campaign_frame(layer, filters: Mapping | None = None, tenant: int | None = None
                   ) -> pd.DataFrame:
    """The per-campaign metrics every rule reads, through the semantic layer."""
    return layer.query(metrics=CAMPAIGN_METRICS, dimensions=ATTRIBUTES,
                       filters=filters, tenant=tenant)


def within_activity(layer, filters: Mapping | None, tenant: int | None = None) -> dict:
    """The filters with a missing date bound set to the data's activity span, so "all data"
    is evaluated as the dashboard shows it: a budget planned after the last day with data is
    not due yet (without it, every campaign scheduled past that day would look underspent)."""
    from semantic.compiler.request import make_filters

    filters = make_filters(filters).as_dict()
    start, end = filters.get("date_from"), filters.get("date_to")
    if start and end:
        return filters
    first, last = layer.activity_span(tenant)
    # a bound the caller gave past the span keeps the other open (an empty range, no error)
    if end is None and last is not None and (start is None or str(start) <= last.isoformat()):
        filters["date_to"] = last
    if start is None and first is not None and (end is None or str(end) >= first.isoformat()):
        filters["date_from"] = first
    return filters


def evaluate(layer, filters: Mapping | None = None, tenant: int | None = None,
             config: str | Path | Mapping | None = None, *,
             campaigns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Firing alerts for the filters (and tenant scope). `campaigns` may pass a frame that
    already holds ATTRIBUTES + CAMPAIGN_METRICS for the same filters, saving a query."""
    if isinstance(config, Mapping) and "rules" not in config:
        config = {"rules": config}  # already a {name: settings} mapping
    rules = _default_config() if config is None else load_config(config)
    frame = campaigns if campaigns is not None else campaign_frame(
        layer, within_activity(layer, filters, tenant), tenant)
    if frame.empty or not any(s.get("enabled", True) for s in rules.values()):
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    numbers = {m: _floats(frame[m]) for m in CAMPAIGN_METRICS}
    # one array per output column, built rule by rule, then one frame (pandas is slow to
    # build and concatenate many small frames: this runs on every dashboard refresh)
    parts: dict[str, list] = {k: [] for k in ("_row", "rule", "label", "metric", "unit",
                                              "value", "threshold", "_order", "_severity")}
    for order, (name, settings) in enumerate(rules.items()):
        if not settings.get("enabled", True):
            continue
        check, _ = RULES[name]
        rows, threshold = check(numbers, settings)
        if not len(rows):
            continue
        metric = settings.get("metric", "")
        values = numbers[metric][rows] if metric in numbers else np.full(len(rows), np.nan)
        past = (values - threshold) / abs(threshold) if threshold else values * 0
        n = len(rows)
        parts["_row"].append(np.asarray(rows))
        parts["rule"].append(np.full(n, name, dtype=object))
        parts["label"].append(np.full(n, settings.get("label", name), dtype=object))
        parts["metric"].append(np.full(n, metric, dtype=object))
        parts["unit"].append(np.full(n, METRICS[metric].unit if metric in METRICS else "",
                                     dtype=object))
        parts["value"].append(np.asarray(values, dtype=float))
        parts["threshold"].append(np.full(n, float(threshold)))
        parts["_order"].append(np.full(n, order))
        parts["_severity"].append(-past if settings.get("direction") == "below" else past)
    if not parts["_row"]:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    out = {k: np.concatenate(v) for k, v in parts.items()}
    rows = out["_row"]
    campaign = frame["campaign"].to_numpy()[rows]
    severity = np.asarray(out["_severity"], dtype=float)
    # by rule order, most severe first (NaN last), then campaign; stable like sort_values
    desc = np.where(np.isnan(severity), np.inf, -severity)
    index = np.lexsort((campaign, desc, np.isnan(severity), out["_order"]))
    columns = {"campaign": campaign[index]}
    for column in ATTRIBUTES[1:]:
        columns[column] = frame[column].to_numpy()[rows][index]
    for column in COLUMNS[len(ATTRIBUTES):]:
        columns[column] = out[column][index]
    return pd.DataFrame(columns)


def _floats(column: pd.Series) -> np.ndarray:
    """A metric column as float64 (NULL as NaN), without pandas' slower generic coercion
    when it already is numeric."""
    if column.dtype.kind in "iuf":
        return column.to_numpy(dtype=float)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


_CONFIG_CACHE: dict = {}


def _default_config() -> dict[str, dict]:
    """The shipped config, parsed once per version of the file (a copy: callers may not
    change the cached one)."""
    try:
        stat = DEFAULT_CONFIG.stat()
        key = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        return load_config(None)  # raises the usual error
    found = _CONFIG_CACHE.get(key)
    if found is None:
        found = load_config(None)
        _CONFIG_CACHE.clear()
        _CONFIG_CACHE[key] = found
    return {name: dict(settings) for name, settings in found.items()}


def _dtype(column: str) -> str:
    return {"campaign": "int64", "business_user": "int64", "value": "float64",
            "threshold": "float64"}.get(column, "object")


def _cpl_high(n: Mapping[str, np.ndarray], s: Mapping) -> tuple[np.ndarray, float]:
    cpl, leads = n["cpl"], np.nan_to_num(n["leads"])
    judged = (leads >= s.get("min_leads", 1)) & ~np.isnan(cpl)
    if float(s.get("absolute", 0) or 0) > 0:
        threshold = float(s["absolute"])
    elif not judged.any():
        return np.array([], dtype=int), float("nan")
    else:
        threshold = float(s["median_multiple"]) * float(np.median(cpl[judged]))
    return np.flatnonzero(judged & (cpl > threshold)), threshold


def _spend_without_leads(n: Mapping[str, np.ndarray], s: Mapping) -> tuple[np.ndarray, float]:
    spend, leads = np.nan_to_num(n["spend"]), np.nan_to_num(n["leads"])
    threshold = float(s["min_spend"])
    return np.flatnonzero((leads == 0) & (spend >= threshold)), threshold


def _overspend(n: Mapping[str, np.ndarray], s: Mapping) -> tuple[np.ndarray, float]:
    used, spend = n["budget_utilization"], np.nan_to_num(n["spend"])
    threshold = float(s["max_utilization"])
    over = ~np.isnan(used) & (used > threshold) & (spend >= s.get("min_spend", 0))
    return np.flatnonzero(over), threshold


def _ctr_low(n: Mapping[str, np.ndarray], s: Mapping) -> tuple[np.ndarray, float]:
    ctr, impressions = n["ctr"], np.nan_to_num(n["impressions"])
    threshold = float(s["min_ctr"])
    judged = ~np.isnan(ctr) & (impressions >= s.get("min_impressions", 0))
    return np.flatnonzero(judged & (ctr < threshold)), threshold


#: A check gets each CAMPAIGN_METRICS column as a float array; it returns the rows that fire
#: and the threshold they broke.
Check = Callable[[Mapping[str, np.ndarray], Mapping], tuple[np.ndarray, float]]
#: rule name -> (check, settings it needs)
RULES: dict[str, tuple[Check, tuple[str, ...]]] = {
    "cpl_high": (_cpl_high, ("metric", "median_multiple")),
    "spend_without_leads": (_spend_without_leads, ("metric", "min_spend")),
    "overspend": (_overspend, ("metric", "max_utilization")),
    "ctr_low": (_ctr_low, ("metric", "min_ctr", "min_impressions")),
}
