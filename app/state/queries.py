"""What the dashboard asks the semantic layer for one filter state, and the shared cache of the
answers: every view's data (`DashboardQueries.compute`) from four concurrent queries that each
answer several views from one scan, what a large scope defers (`complete`), and one page of a
large campaign table. Results are cached by (piece, filter state, warehouse, data version) and
shared by every session. No SQL here."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pandas as pd

from app.state.results import ResultCache
from app.state.viewdata import (
    FULL_FRAME_LIMIT,
    KPI_METRICS,
    SEGMENT_METRICS,
    SEGMENT_TOP_N,
    TABLE_KEYS,
    TABLE_METRICS,
    TREND_METRICS,
    DashboardData,
    FilterState,
    arrival_grid,
    first_row,
    is_empty,
    ratio,
    status_and_funnel,
    top_segments,
    top_with_other,
    ttfc_histogram,
)
from semantic.catalog import METRICS
from semantic.runtime import alerts as alert_rules

TTFC_METRICS = ("contacted_leads", "speed_to_lead_hours")
DEFERRED_METRICS = tuple(dict.fromkeys((*alert_rules.CAMPAIGN_METRICS, *TTFC_METRICS)))
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="campaign-bi-store")
RESULTS = ResultCache(size=256)  # shared by every session (see app.state.results)


def _without_comparison(state: FilterState) -> FilterState:
    """The state as every view but the KPI cards' changes sees it (one cache entry whatever
    the cards compare with)."""
    return state if state.compare == "previous" else replace(state, compare="previous")


class DashboardQueries:
    """The queries of one semantic layer (one warehouse), cached in RESULTS."""

    def __init__(self, layer) -> None:
        self.layer = layer

    def cached(self, key: tuple, fn: Callable):
        where = getattr(getattr(self.layer, "warehouse", None), "path", id(self.layer))
        return RESULTS.get((*key, str(where), self.layer.data_version), fn)

    def complete(self, data: DashboardData) -> DashboardData:
        """`data` with the alerts and time to first contact that `compute` left out."""
        if data.empty or data.alerts is not None:
            return data
        scope = _without_comparison(data.state)
        return replace(data, **self.cached(("deferred", scope), lambda: self._deferred(scope)))

    def compute(self, state: FilterState, grain: str) -> DashboardData:
        """Every view's data for one filter state (not cached here: the store caches it whole;
        alerts and ttfc of > FULL_FRAME_LIMIT campaigns are None: see `complete`)."""
        if state.no_match:
            return DashboardData(state=state, empty=True, grain=grain,
                                 notes=("No campaign matches the search.",))
        prev = state.previous()
        scope = _without_comparison(state)  # only the KPIs depend on the comparison
        # four queries, each answering several views from one scan, run at once
        jobs: dict[str, Callable] = {  # slowest first: the pool starts them in this order
            "facts": lambda: self._facts(scope),
            "kpis": lambda: self._kpis(state),
            "leads": lambda: self._lead_views(scope),
            "trends": lambda: self._trends(scope, grain),
        }
        futures = {name: _POOL.submit(job) for name, job in jobs.items()}
        facts = futures["facts"].result()
        paged = facts.attrs["rows"] > FULL_FRAME_LIMIT
        if paged:
            part = self._large(scope, facts.iloc[:FULL_FRAME_LIMIT], futures["kpis"])
        else:
            part = self._full(scope, facts, futures["leads"])
        got = {name: f.result() for name, f in futures.items()}
        kpis = first_row(got["kpis"][0])
        if is_empty(kpis):
            return DashboardData(state=state, empty=True, grain=grain, kpis=kpis)
        campaigns, alerts, segments, ttfc = part
        if paged:  # the campaign rows sum to the KPIs by construction (same filters)
            totals = {m: kpis[m] for m in TABLE_METRICS}
        else:
            totals = {m: campaigns[m].sum() for m in TABLE_METRICS if not METRICS[m].numerator}
            totals.update({m: ratio(totals, m) for m in TABLE_METRICS if METRICS[m].numerator})
        status, funnel, arrival, _ = got["leads"]
        notes = tuple(dict.fromkeys(got["kpis"][0].attrs.get("notes", [])))
        return DashboardData(
            state=state, empty=False, kpis=kpis,
            previous=first_row(got["kpis"][1]) if prev else {},
            previous_range=(prev.date_from, prev.date_to) if prev else None,
            campaigns=campaigns, totals=totals, trends=got["trends"], grain=grain,
            status=status, funnel=funnel, ttfc=ttfc, arrival=arrival, segments=segments,
            alerts=alerts, notes=notes, campaign_count=facts.attrs["rows"], paged=paged)

    def db_page(self, state: FilterState, start: int, size: int, sort_by: str,
                 ascending: bool) -> pd.DataFrame:
        top = self.cached(("top", state), lambda: None)
        if (sort_by, ascending) == ("spend", False) and top is not None \
                and start + size <= len(top):
            return top.iloc[start:start + size].reset_index(drop=True)
        return self.layer.fast.campaign_rows(
            TABLE_METRICS, state.filters(), state.tenant, limit=size, offset=start,
            order_by=[(sort_by, not ascending), ("campaign", False)])

    def _query(self, metrics: tuple, dimensions: tuple, state: FilterState) -> pd.DataFrame:
        return self.cached(("query", metrics, dimensions, state), lambda: self.layer.query(
            metrics=list(metrics), dimensions=list(dimensions), filters=state.filters(),
            tenant=state.tenant))

    def _trends(self, state: FilterState, grain: str) -> pd.DataFrame:
        return self._query(TREND_METRICS, (grain,), state).rename(columns={grain: "period"})

    def _facts(self, state: FilterState) -> pd.DataFrame:
        """Campaign rows by spend with planned run and daily budget; attrs["rows"]: how many."""
        return self.cached(("facts", state), lambda: self.layer.fast.campaign_rows(
            TABLE_METRICS, state.filters(), state.tenant, count=True,
            order_by=[("spend", True), ("campaign", False)], limit=FULL_FRAME_LIMIT + 1))

    def _kpis(self, state: FilterState) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """KPIs of the range and of the period it is compared with: the period of equal length
        before it from the same scan, a year earlier from a query of its own."""
        prev = state.previous()
        if prev is None:
            return self._query(KPI_METRICS, (), state), None
        if state.compare != "previous":
            return self._query(KPI_METRICS, (), state), self._query(KPI_METRICS, (), prev)
        previous, now = self.cached(("kpis", state), lambda: self.layer.fast.query_split(
            list(KPI_METRICS), filters=replace(state, date_from=prev.date_from).filters(),
            tenant=state.tenant, split_at=state.date_from))
        return now, previous

    def _lead_views(self, state: FilterState) -> tuple:
        """(status, funnel, arrival grid, each campaign's median time to first contact when
        scoped to few campaigns, else None) from one scan of the leads."""
        scoped = bool(state.business_user or state.project or state.campaign)
        sets = [("stage", "lead_status"), ("lead_weekday", "lead_hour"), ("campaign",)]
        sets, metrics = (sets, ["leads", *TTFC_METRICS]) if scoped else (sets[:2], ["leads"])

        def build():
            frames = self.layer.fast.query_sets(metrics, sets, state.filters(), state.tenant)
            return (*status_and_funnel(frames[0]), arrival_grid(frames[1]),
                    frames[2] if scoped else None)
        return self.cached(("leads", state), build)

    def _full(self, state: FilterState, facts: pd.DataFrame, leads):
        """Every campaign row (with its planned run and daily budget), alerts, segments and
        time to first contact (per-campaign medians from the leads scan when it has them)."""
        def build():
            medians = leads.result()[3]
            job = None if medians is not None else _POOL.submit(
                self.layer.query, metrics=list(TTFC_METRICS), dimensions=["campaign"],
                filters=state.filters(), tenant=state.tenant)
            fired = alert_rules.evaluate(self.layer, state.filters(), state.tenant,
                                         campaigns=facts)
            segments = {key: top_segments(facts, key) for key in ("project", "business_user")}
            medians = medians if job is None else job.result()
            return facts, fired, segments, ttfc_histogram(medians)
        return self.cached(("campaigns", state), build)

    def _large(self, state: FilterState, top: pd.DataFrame, kpis):
        """Too many campaigns to hold: top segments ("Other" from the KPI sums) and counts from
        the database, both keys from one scan each; alerts and ttfc are left to `complete`."""
        keys = [("project",), ("business_user",)]

        def build():
            tops = _POOL.submit(self.layer.fast.query_sets, list(SEGMENT_METRICS), keys,
                                state.filters(), state.tenant, order_by=[("spend", True)],
                                limit=SEGMENT_TOP_N)
            # segments with delivery, as the segment charts have always counted them
            counts = self.layer.fast.count_sets(["spend"], keys, state.filters(), state.tenant)
            totals = first_row(kpis.result()[0])
            segments = {key: top_with_other(frame, key, count, totals) for (key,), frame, count
                        in zip(keys, tops.result(), counts, strict=True)}
            self.cached(("top", state), lambda: top)  # pages by spend, descending
            return pd.DataFrame(), None, segments, None
        return self.cached(("large", state), build)

    def _deferred(self, state: FilterState) -> dict:
        frame = self._query(DEFERRED_METRICS, TABLE_KEYS, state)
        return {"ttfc": ttfc_histogram(frame), "alerts": alert_rules.evaluate(
            self.layer, state.filters(), state.tenant, campaigns=frame)}
