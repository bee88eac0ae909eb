"""What the dashboard's views are given: the resolved filter state (`FilterState`), every view's
data for it (`DashboardData`), and the pure shaping the store applies to semantic-layer results
(folding segments into "Other", time-to-first-contact buckets, the arrival grid, the funnel).
Split from `app.store`, which owns the filters, the queries and the cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from semantic.catalog import METRICS

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
STAGES = ("new", "working", "qualified", "won", "lost", "unknown")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class FilterState:
    """One resolved filter state, hashable (a cache key). Empty tuples mean "all"."""

    business_user: tuple[int, ...] = ()
    project: tuple[str, ...] = ()
    campaign: tuple[int, ...] = ()
    lead_status: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tenant: int | None = None
    no_match: bool = False  # the campaign search matched nothing: nothing is in scope

    def filters(self) -> dict:
        out: dict = {k: list(getattr(self, k)) for k in
                     ("business_user", "project", "campaign", "lead_status") if getattr(self, k)}
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        return out

    def previous(self) -> FilterState | None:
        """The period of equal length just before this one (None without a full range)."""
        if not (self.date_from and self.date_to):
            return None
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
        return m.scale * num.astype(float) / den.astype(float).where(den != 0)
    return m.scale * float(num) / float(den) if den else None


def fold_top(frame: pd.DataFrame, key: str, n: int = SEGMENT_TOP_N, by: str = "spend"
             ) -> pd.DataFrame:
    """Keep the n largest segments by `by` (ties by name); sum the rest into one "Other" row.
    Ratios are recomputed from the summed parts, never averaged."""
    sums = [m for m in SEGMENT_METRICS if not METRICS[m].numerator]
    names = frame[key].astype(str).to_numpy(dtype=object)
    order = np.lexsort((names, -frame[by].to_numpy(dtype=float)))
    top, rest = order[:n], order[n:]
    out = {key: list(names[top]), **{m: frame[m].to_numpy()[top].tolist() for m in sums}}
    if len(rest):
        out[key].append(f"{OTHER} ({len(rest)})")
        for m in sums:
            out[m].append(frame[m].to_numpy()[rest].sum())
    folded = pd.DataFrame(out)
    for metric in SEGMENT_METRICS:
        if METRICS[metric].numerator:
            folded[metric] = ratio(folded, metric)
    return folded


def segment_sums(campaigns: pd.DataFrame, key: str) -> pd.DataFrame:
    """Additive segment metrics summed from the campaign rows (exactly the layer's totals by
    `key`: every campaign belongs to one project and one business user)."""
    codes, uniques = pd.factorize(campaigns[key])
    out = {key: uniques}
    for m in (m for m in SEGMENT_METRICS if not METRICS[m].numerator):
        out[m] = np.bincount(codes, weights=campaigns[m].to_numpy(dtype=float),
                             minlength=len(uniques))
    return pd.DataFrame(out)


def ttfc_histogram(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Campaigns by their median time to first contact (hours from a lead's arrival to its
    first logged status other than NEW_LEAD), in TTFC_BUCKETS; campaigns with no contacted
    lead are left out. (The layer has no per-lead hours, so the chart is per campaign.)"""
    labels = [label for _, label in TTFC_BUCKETS]
    hours = campaigns["speed_to_lead_hours"].dropna()
    edges = [-float("inf")] + [upper for upper, _ in TTFC_BUCKETS]
    bucket = pd.cut(hours, bins=edges, labels=labels, right=False)
    counts = bucket.value_counts().reindex(labels, fill_value=0).to_numpy()
    total = counts.sum()
    return pd.DataFrame({"bucket": labels, "campaigns": counts.astype(int),
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
    frame = pd.DataFrame(out)
    for metric in SEGMENT_METRICS:
        if METRICS[metric].numerator:
            frame[metric] = ratio(frame, metric)
    return frame

def first_row(frame: pd.DataFrame) -> dict:
    if frame.empty:
        return {}
    return {k: (None if pd.isna(v) else v) for k, v in frame.to_dict("records")[0].items()}


def is_empty(kpis: dict) -> bool:
    return not any(kpis.get(m) for m in ("spend", "impressions", "clicks", "leads",
                                         "status_changes", "budget"))


def arrival_grid(frame: pd.DataFrame) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product([range(1, 8), range(24)],
                                      names=["lead_weekday", "lead_hour"])
    out = frame.set_index(["lead_weekday", "lead_hour"])["leads"].reindex(grid, fill_value=0)
    out = out.reset_index()
    out["weekday"] = out["lead_weekday"].map(lambda d: WEEKDAYS[d - 1])
    return out


def status_and_funnel(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads per current status (most first) and per funnel stage (in funnel order) from
    leads by (stage, lead_status)."""
    order = list(dict.fromkeys([*STAGES, *frame["stage"], "other"]))
    funnel = frame.groupby("stage")["leads"].sum().reindex(order, fill_value=0)
    funnel = funnel.rename_axis("stage").reset_index()
    total = funnel["leads"].sum()
    funnel["share"] = funnel["leads"] / total if total else 0.0
    status = frame.groupby("lead_status", as_index=False)["leads"].sum()
    status["share"] = status["leads"] / total if total else 0.0
    status = status.sort_values(["leads", "lead_status"], ascending=[False, True],
                                ignore_index=True)
    return status, funnel


def narrow_to_search(state: FilterState, found: pd.DataFrame, text: str) -> FilterState:
    """`state` narrowed to the campaigns (`found`: campaign_id, project) whose id equals a
    comma-separated term of `text` or whose project contains one, case-insensitively."""
    terms = [t.strip().casefold() for t in text.split(",") if t.strip()]
    by_id = found["campaign_id"].astype(str).isin(terms)
    projects = found["project"].str.casefold()
    by_project = pd.Series(False, index=found.index)
    for term in terms:
        by_project |= projects.str.contains(term, regex=False)
    if not (by_id | by_project).any():
        return replace(state, no_match=True)
    if not by_id[~by_project].any():  # project text only: the same campaigns, a short query
        return replace(state, project=tuple(sorted(set(found.loc[by_project, "project"]))))
    ids = found.loc[by_id | by_project, "campaign_id"]
    return replace(state, campaign=tuple(sorted(int(i) for i in ids)))
