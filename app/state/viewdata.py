"""What the dashboard's views are given: the resolved filter state (`FilterState`), every view's
data for it (`DashboardData`), and the pure shaping the store applies to semantic-layer results
(folding segments into "Other", time-to-first-contact buckets, the arrival grid, the funnel).
Split from `app.state.store`, which owns the filters, the queries and the cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from semantic import catalog
from semantic.catalog import METRICS
from semantic.compiler.request import Filters

KPI_METRICS = ("spend", "impressions", "clicks", "reach", "leads", "ctr", "cpc", "cpm", "cpl",
               "qualified_leads", "qualification_rate", "cost_per_qualified_lead", "deals",
               "contact_rate", "speed_to_lead_hours", "contacted_leads", "status_changes",
               "budget", "budget_utilization")
TABLE_METRICS = ("spend", "impressions", "clicks", "reach", "leads", "qualified_leads", "ctr",
                 "cpc", "cpl", "budget", "budget_utilization")
TABLE_KEYS = ("campaign", "project", "business_user")
#: More campaigns than this in scope: the table pages inside DuckDB, segments come from top-N
#: queries, and alerts and time to first contact are computed after the first paint.
FULL_FRAME_LIMIT = 20_000
TREND_METRICS = ("leads", "spend", "status_changes", "cpl")
SEGMENT_METRICS = ("spend", "impressions", "clicks", "leads", "qualified_leads", "cpl", "ctr",
                   "cost_per_qualified_lead")
SEGMENT_TOP_N = 10
OTHER = "Other"
#: Time-to-first-contact buckets: (upper bound in hours, label).
TTFC_BUCKETS = ((1, "< 1 h"), (4, "1–4 h"), (24, "4–24 h"), (72, "1–3 d"), (168, "3–7 d"),
                (672, "1–4 wk"), (float("inf"), "> 4 wk"))
GRAINS = ("day", "week", "month")
QUICK_RANGES = ("Last 7 days", "Last 30 days", "Last 90 days", "This month", "All data")
#: the funnel's stages in order (the catalog's; "other" only shown when a lead is in it)
STAGES = tuple(name for name in catalog.STAGES if name != catalog.OTHER_STAGE)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: what the KPI cards compare with: the choice -> how the cards name it
COMPARISONS = {"previous": "the previous period of equal length",
               "year": "the same period a year earlier"}


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, kw_only=True)
class FilterState(Filters):
    """One resolved filter state of a page: the catalog's filters (the semantic layer's one
    filter type, normalized the same way) plus whose data it is and whether the campaign
    search matched nothing; hashable (a cache key). Empty tuples mean "all"."""

    tenant: int | None = None
    no_match: bool = False  # the campaign search matched nothing: nothing is in scope
    compare: str = "previous"  # what the KPIs are compared with (COMPARISONS)

    def filters(self) -> Filters:
        """The filters alone, as every layer method takes them (the tenant goes apart)."""
        return Filters(**{name: getattr(self, name) for name in catalog.FILTERS})

    def previous(self) -> FilterState | None:
        """The period the KPIs are compared with (None without a full range): the one of equal
        length just before this one, or the same days a year earlier."""
        if not (self.date_from and self.date_to):
            return None
        if self.compare == "year":
            return replace(self, date_from=year_before(self.date_from),
                           date_to=year_before(self.date_to))
        days = (self.date_to - self.date_from).days + 1
        return replace(self, date_from=self.date_from - dt.timedelta(days=days),
                       date_to=self.date_from - dt.timedelta(days=1))


@dataclass(frozen=True)
class DashboardData:
    state: FilterState
    empty: bool
    kpis: dict = field(default_factory=dict)
    previous: dict = field(default_factory=dict)
    previous_range: tuple[dt.date, dt.date] | None = None
    campaigns: pd.DataFrame = field(default_factory=pd.DataFrame)
    totals: dict = field(default_factory=dict)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    grain: str = "week"
    status: pd.DataFrame = field(default_factory=pd.DataFrame)
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    ttfc: pd.DataFrame = field(default_factory=pd.DataFrame)
    arrival: pd.DataFrame = field(default_factory=pd.DataFrame)
    segments: dict = field(default_factory=dict)
    alerts: pd.DataFrame | None = field(default_factory=pd.DataFrame)  # None: still computing
    notes: tuple[str, ...] = ()
    campaign_count: int = 0
    paged: bool = False  # campaign rows are paged in the database (`campaigns` is empty)


def ratio(frame_or_row, metric: str):
    """A catalog ratio recomputed from its summed parts (NaN/None on a zero denominator)."""
    m = METRICS[metric]
    num, den = frame_or_row[m.numerator], frame_or_row[m.denominator]
    if isinstance(num, pd.Series):
        return pd.Series(ratio_array(num.to_numpy(), den.to_numpy(), metric), index=num.index)
    return m.scale * float(num) / float(den) if den else None


def ratio_array(num, den, metric: str) -> np.ndarray:
    """`ratio` on arrays of summed parts: float64, NaN where the denominator is 0."""
    den = np.asarray(den)
    den = np.where(den != 0, den.astype(float), np.nan)
    return METRICS[metric].scale * np.asarray(num).astype(float) / den


def _with_ratios(columns: dict, metrics=None) -> pd.DataFrame:
    """One DataFrame of `columns` (a key and summed parts) plus each ratio of `metrics`
    recomputed from the parts, in catalog order after them (built in one step: pandas is
    slow to grow a small frame column by column)."""
    for metric in metrics or SEGMENT_METRICS:
        m = METRICS[metric]
        if m.numerator:
            columns[metric] = ratio_array(columns[m.numerator], columns[m.denominator], metric)
    return pd.DataFrame(columns)


def fold_top(frame: pd.DataFrame, key: str, n: int = SEGMENT_TOP_N, by: str = "spend"
             ) -> pd.DataFrame:
    """Keep the n largest segments by `by` (ties by name); sum the rest into one "Other" row.
    Ratios are recomputed from the summed parts, never averaged."""
    sums = {m: frame[m].to_numpy() for m in SEGMENT_METRICS if not METRICS[m].numerator}
    return _fold(frame[key].astype(str).to_numpy(dtype=object), sums, key, n, by)


def _fold(names: np.ndarray, sums: dict, key: str, n: int, by: str) -> pd.DataFrame:
    order = np.lexsort((names, -sums[by].astype(float)))
    top, rest = order[:n], order[n:]
    out = {key: list(names[top]), **{m: values[top].tolist() for m, values in sums.items()}}
    if len(rest):
        out[key].append(f"{OTHER} ({len(rest)})")
        for m, values in sums.items():
            out[m].append(values[rest].sum())
    return _with_ratios(out)


def segment_sums(campaigns: pd.DataFrame, key: str) -> pd.DataFrame:
    """Additive segment metrics summed from the campaign rows (exactly the layer's totals by
    `key`: every campaign belongs to one project and one business user)."""
    uniques, sums = _segment_sums(campaigns, key)
    return pd.DataFrame({key: uniques, **sums})


def _segment_sums(campaigns: pd.DataFrame, key: str) -> tuple:
    codes, uniques = pd.factorize(campaigns[key])
    return uniques, {m: np.bincount(codes, weights=campaigns[m].to_numpy(dtype=float),
                                    minlength=len(uniques))
                     for m in SEGMENT_METRICS if not METRICS[m].numerator}


def top_segments(campaigns: pd.DataFrame, key: str, n: int = SEGMENT_TOP_N,
                 by: str = "spend") -> pd.DataFrame:
    """`fold_top(segment_sums(campaigns, key), key, n, by)` without the frame in between."""
    uniques, sums = _segment_sums(campaigns, key)
    return _fold(np.asarray(uniques.astype(str), dtype=object), sums, key, n, by)


def ttfc_histogram(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Campaigns by their median time to first contact (hours from a lead's arrival to its
    first logged status other than NEW_LEAD), in TTFC_BUCKETS; campaigns with no contacted
    lead are left out. (The layer has no per-lead hours, so the chart is per campaign.)"""
    labels = [label for _, label in TTFC_BUCKETS]
    hours = campaigns["speed_to_lead_hours"].to_numpy(dtype=float)
    hours = hours[~np.isnan(hours)]
    # bucket i holds [upper[i-1], upper[i]): the number of upper bounds <= the value
    index = np.searchsorted(np.array([upper for upper, _ in TTFC_BUCKETS]), hours, "right")
    counts = np.bincount(index, minlength=len(labels))[:len(labels)].astype(int)
    total = counts.sum()
    return pd.DataFrame({"bucket": labels, "campaigns": counts,
                         "share": counts / total if total else 0.0})


def top_with_other(top: pd.DataFrame, key: str, count: int, totals: dict) -> pd.DataFrame:
    """The top segments the database returned plus "Other (n)" = totals − their sums (the
    totals are the KPIs of the same filters); ratios recomputed from the sums."""
    sums = [m for m in SEGMENT_METRICS if not METRICS[m].numerator]
    out = {key: top[key].astype(str).tolist(), **{m: top[m].tolist() for m in sums}}
    if count > len(top):
        out[key].append(f"{OTHER} ({count - len(top)})")
        for m in sums:
            out[m].append((totals.get(m) or 0) - top[m].sum())
    return _with_ratios(out)


def first_row(frame: pd.DataFrame) -> dict:
    """The first row as plain Python values (None for NaN/NULL)."""
    if frame.empty:
        return {}
    # one object row (numbers become Python int/float): DataFrame.to_dict is slow on pandas 3
    values = frame.to_numpy(dtype=object)[0]
    return {name: (None if pd.isna(value) else value)
            for name, value in zip(frame.columns, values, strict=True)}


def is_empty(kpis: dict) -> bool:
    return not any(kpis.get(m) for m in ("spend", "impressions", "clicks", "leads",
                                         "status_changes", "budget"))


_GRID_WEEKDAY = np.repeat(np.arange(1, 8), 24)
_GRID_HOUR = np.tile(np.arange(24), 7)


def arrival_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Leads by (ISO weekday, hour) on the full 7 × 24 grid, zeros where none arrived."""
    weekday = frame["lead_weekday"].to_numpy()
    hour = frame["lead_hour"].to_numpy()
    leads = np.zeros(len(_GRID_WEEKDAY), dtype=frame["leads"].dtype)
    known = (weekday >= 1) & (weekday <= 7) & (hour >= 0) & (hour < 24)
    leads[(weekday[known] - 1) * 24 + hour[known]] = frame["leads"].to_numpy()[known]
    return pd.DataFrame({"lead_weekday": _GRID_WEEKDAY, "lead_hour": _GRID_HOUR,
                         "leads": leads, "weekday": [WEEKDAYS[d - 1] for d in _GRID_WEEKDAY]})


def status_and_funnel(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads per current status (most first) and per funnel stage (in funnel order) from
    leads by (stage, lead_status)."""
    stages, statuses = dict.fromkeys([*STAGES], 0), {}
    for stage, status, leads in zip(frame["stage"].tolist(), frame["lead_status"].tolist(),
                                    frame["leads"].tolist(), strict=True):
        stages[stage] = stages.get(stage, 0) + leads
        statuses[status] = statuses.get(status, 0) + leads
    if not stages.get(catalog.OTHER_STAGE):  # statuses the catalog does not list: only if any
        stages.pop(catalog.OTHER_STAGE, None)
    total = sum(stages.values())
    counts = np.array(list(stages.values()), dtype=np.int64)
    funnel = pd.DataFrame({"stage": list(stages), "leads": counts,
                           "share": counts / total if total else np.zeros(len(counts))})
    ranked = sorted(statuses.items(), key=lambda item: (-item[1], item[0]))
    counts = np.array([n for _, n in ranked], dtype=np.int64)
    status = pd.DataFrame({"lead_status": pd.Series([s for s, _ in ranked],
                                                    dtype=frame["lead_status"].dtype),
                           "leads": counts,
                           "share": counts / total if total else np.zeros(len(counts))})
    return status, funnel


def narrow_to_search(state: FilterState, found: pd.DataFrame, text: str) -> FilterState:
    """`state` narrowed to the campaigns (`found`: campaign_id, project) whose id equals a
    comma-separated term of `text` or whose project contains one, case-insensitively.

    Terms are matched against the distinct project names and parsed ids, not against every
    campaign's text: a scope at 100x the platform's size holds ~700k campaigns but a few
    hundred projects, and this runs on every keystroke."""
    terms = [t.strip().casefold() for t in text.split(",") if t.strip()]
    wanted_ids = {int(t) for t in terms if t.isdigit() and str(int(t)) == t}
    by_id = found["campaign_id"].isin(wanted_ids) if wanted_ids else \
        pd.Series(False, index=found.index)
    names = found["project"].dropna().unique()
    matching = [name for name in names if any(t in name.casefold() for t in terms)]
    by_project = found["project"].isin(matching) if matching else \
        pd.Series(False, index=found.index)
    if not (by_id | by_project).any():
        return replace(state, no_match=True)
    if not by_id[~by_project].any():  # project text only: the same campaigns, a short query
        return replace(state, project=tuple(sorted(matching)))
    ids = found.loc[by_id | by_project, "campaign_id"]
    return replace(state, campaign=tuple(sorted(int(i) for i in ids)))
