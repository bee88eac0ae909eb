"""The dashboard's data store: `DashboardState` owns the filters (business users, projects, dates,
campaign search, lead statuses, grain, tenant lock) and turns one filter state into every view's
data (`DashboardData`) through the semantic layer: KPIs now and for the previous period of equal
length, campaign rows (paged here), trends, statuses, funnel, time to first contact, arrival,
top-N segments, alerts. Queries run concurrently; results are cached by (piece, filter state,
data version). No SQL here."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pandas as pd
import panel as pn
import param

from app.state.refresh import LatestWins
from app.state.results import ResultCache
from app.state.viewdata import (  # noqa: F401  (re-exported: the store's public names)
    FULL_FRAME_LIMIT,
    GRAINS,
    KPI_METRICS,
    OTHER,
    QUICK_RANGES,
    SEGMENT_METRICS,
    SEGMENT_TOP_N,
    TABLE_KEYS,
    TABLE_METRICS,
    TREND_METRICS,
    TTFC_BUCKETS,
    WEEKDAYS,
    DashboardData,
    FilterState,
    arrival_grid,
    first_row,
    fold_top,
    is_empty,
    narrow_to_search,
    ratio,
    segment_sums,
    status_and_funnel,
    top_segments,
    top_with_other,
    ttfc_histogram,
)
from semantic.access.export import export_file_name
from semantic.catalog import METRICS
from semantic.compiler.request import Filters
from semantic.runtime import alerts as alert_rules

TTFC_METRICS = ("contacted_leads", "speed_to_lead_hours")
DEFERRED_METRICS = tuple(dict.fromkeys((*alert_rules.CAMPAIGN_METRICS, *TTFC_METRICS)))
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="campaign-bi-store")
RESULTS = ResultCache(size=256)  # shared by every session (see app.state.results)
FILTERS = ("business_users", "projects", "date_range", "campaign_search", "lead_statuses")
#: What a refresh updates, by view; a grain change touches only the trends.
PARTS = ("kpis", "campaigns", "trends", "outcomes", "segments", "alerts")


class DashboardState(param.Parameterized):
    business_users = param.ListSelector(default=[], objects=[], label="Business users")
    projects = param.ListSelector(default=[], objects=[], label="Projects")
    date_range = param.CalendarDateRange(default=None, allow_None=True, label="Date range")
    campaign_search = param.String(default="", label="Campaign search")
    lead_statuses = param.ListSelector(default=[], objects=[], label="Lead statuses")
    grain = param.Selector(default="week", objects=list(GRAINS), label="Trend grain")
    tenant = param.Integer(default=None, allow_None=True, constant=True,
                           doc="Business user this session is bound to (None: all).")
    data = param.Parameter(default=None, doc="DashboardData for the current filters.")
    pending = param.List(default=[], item_type=str,
                         doc="The parts (PARTS) being recomputed, once that takes a while: only "
                             "their views show a loading state.")
    error = param.String(default="")

    def __init__(self, layer, tenant: int | None = None, background: bool = False, **params):
        super().__init__(tenant=tenant, **params)
        self.layer = layer
        self.background = background
        self.computations = 0  # filter states computed (tests count them per change)
        self._changed: set[str] = set()
        self._adjusting = False
        self._pending_parts: list[str] = []  # parts requested since the last result
        self._updates = LatestWins(self._compute_inputs, self._apply, self._slow)
        options = layer.filter_options(tenant=tenant)
        self.date_min, self.date_max = self.activity_span()
        self.set_choices(options)
        if tenant is not None:  # any other business user is refused on assignment
            self.param.business_users.check_on_set = True
        with param.parameterized.discard_events(self):
            self.business_users = [tenant] if tenant is not None else []
            self.date_range = self.default_range()
            self.grain = self._auto_grain(self.date_range)
        self.refresh(complete=not background)
        self.param.watch(self._on_change, [*FILTERS, "grain"])
        if background:  # served: a large scope's alerts and ttfc follow after the page loads
            pn.state.onload(self._complete_later)

    def activity_span(self) -> tuple[dt.date | None, dt.date | None]:
        """First and last day with activity in this page's scope (`SemanticLayer.activity_span`),
        cached per data version."""
        return self._cached(("activity", self.tenant),
                            lambda: self.layer.activity_span(self.tenant))

    def set_choices(self, options: dict, projects: list | None = None) -> None:
        """The filters' choices from `layer.filter_options` (a tenant is offered only itself);
        `projects`: those of the chosen business users, when narrower than all."""
        self.param.business_users.objects = [self.tenant] if self.tenant is not None else \
            options["business_users"]
        self.param.lead_statuses.objects = options["lead_statuses"]
        self.param.projects.objects = options["projects"] if projects is None else projects

    # -- filters -------------------------------------------------------------------------
    def default_range(self) -> tuple[dt.date, dt.date] | None:
        return (self.date_min, self.date_max) if self.date_min and self.date_max else None

    def quick_range(self, name: str) -> tuple[dt.date, dt.date] | None:
        """Last 7/30/90 days and this month end on the data's last day."""
        end, days = self.date_max, {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}
        if end is None or name not in (*days, "This month", "All data"):
            return None
        start = end - dt.timedelta(days=days[name] - 1) if name in days else \
            end.replace(day=1) if name == "This month" else self.date_min
        return max(start, self.date_min), end

    def apply_quick_range(self, name: str) -> None:
        if rng := self.quick_range(name):
            self.date_range = rng

    def reset(self) -> None:
        self.param.update(business_users=[self.tenant] if self.tenant is not None else [],
                          projects=[], campaign_search="", lead_statuses=[],
                          date_range=self.default_range())

    @staticmethod
    def _auto_grain(rng) -> str:  # about 30-60 points whatever the range
        days = (rng[1] - rng[0]).days + 1 if rng else 999
        return "day" if days <= 45 else "week" if days <= 370 else "month"

    def _on_change(self, *events) -> None:
        """Any filter or the grain changed: settle what follows from it (a tenant's lock, the
        projects of the chosen users, the grain of a new range), then one refresh. Changes made
        here arrive as nested events and join the same refresh."""
        self._changed.update(event.name for event in events)
        if self._adjusting:
            return
        self._adjusting = True
        try:
            names = {event.name for event in events}
            if "business_users" in names:
                self._lock_and_narrow()
            if "date_range" in names and "grain" not in names:
                self.grain = self._auto_grain(self.date_range)
        finally:
            self._adjusting = False
        changed, self._changed = self._changed, set()
        self.request_refresh(("trends",) if changed == {"grain"} else PARTS)

    def _lock_and_narrow(self) -> None:
        if self.tenant is not None and list(self.business_users) != [self.tenant]:
            self.business_users = [self.tenant]  # a tenant session cannot widen its scope
            return
        users = tuple(self.business_users)
        options = self._cached(("options", users, self.tenant), lambda: self.layer.filter_options(
            tenant=self.tenant, business_user=list(users) or None))
        self.param.projects.objects = options["projects"]
        kept = [p for p in self.projects if p in options["projects"]]
        if kept != list(self.projects):
            self.projects = kept

    def filter_state(self) -> FilterState:
        return self._state_of(self._inputs())

    def _search(self, text: str, state: FilterState) -> FilterState:
        """Narrow to campaigns matching the search (see `narrow_to_search`)."""
        scope = Filters(business_user=state.business_user, project=state.project)
        key = ("search", state.business_user, state.project, state.tenant)
        found = self._cached(key, lambda: self.layer.campaigns(filters=scope, tenant=state.tenant))
        return narrow_to_search(state, found, text)

    def option_matches(self, kind: str, text: str = "", limit: int = 100) -> list:
        """Search-as-you-type choices of a filter (see `SemanticLayer.option_matches`)."""
        return self.layer.option_matches(kind, text, tenant=self.tenant, limit=limit,
                                         business_user=list(self.business_users) or None)

    def export_filters(self) -> Filters:  # the tenant is passed apart
        state = self.filter_state()
        # a search that matched nothing exports nothing: no campaign has id -1
        return replace(state.filters(), campaign=(-1,)) if state.no_match else state.filters()

    def export_name(self, today: dt.date | None = None) -> str:
        state = self.filter_state()
        name = export_file_name(state.filters(), today or dt.date.today())
        return name.replace("leads_", "leads_no-match_", 1) if state.no_match else name

    # -- refresh -------------------------------------------------------------------------
    def recompute(self) -> None:
        """Recompute every view for the current filters (e.g. after new data arrived)."""
        self.request_refresh(PARTS)

    def request_refresh(self, parts=PARTS) -> None:
        """One refresh for the current filters: at once when not served (tests), else off the
        event loop, newest request wins (`app.state.refresh.LatestWins`)."""
        if not self.background:
            self.refresh()
            return
        self._pending_parts = sorted({*self._pending_parts, *parts})
        self._updates.request(self._inputs())

    def _inputs(self) -> tuple:
        """The filters as plain values, read on the event loop (the worker only sees these)."""
        return (tuple(self.business_users), tuple(self.projects), self.date_range,
                self.campaign_search, tuple(self.lead_statuses), self.grain)

    def _state_of(self, inputs: tuple) -> FilterState:
        users, projects, rng, search, statuses, _grain = inputs
        users = (self.tenant,) if self.tenant is not None else users
        rng = rng or (None, None)
        state = FilterState(business_user=users, project=projects, lead_status=statuses,
                            date_from=rng[0], date_to=rng[1], tenant=self.tenant)
        text = search.strip()
        return self._search(text, state) if text else state

    def _compute_inputs(self, inputs: tuple) -> tuple[DashboardData, str]:
        """Worker thread: (data, error) for one set of filter values; never raises."""
        try:
            return self.compute(self._state_of(inputs), inputs[-1]), ""
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            return DashboardData(state=FilterState(), empty=True), f"Could not load data: {exc}"

    def _slow(self, on: bool) -> None:
        """Event loop: a computation is taking a while (or has ended): loading states."""
        parts = list(self._pending_parts) if on else []
        if not on:
            self._pending_parts = []
        if parts != self.pending:
            with pn.io.hold():
                self.pending = parts

    def _apply(self, inputs: tuple, result: tuple[DashboardData, str]) -> None:
        """Event loop: show the newest result, all views in one batch; then complete a large
        scope's alerts and time to first contact in the background."""
        data, error = result
        with pn.io.hold():
            self.param.update(data=data, error=error)
        if not error and data.alerts is None:
            pn.state.execute(self._complete_later)

    async def _complete_later(self) -> None:
        data = self.data
        if data is None or data.empty or data.alerts is not None:
            return
        done = await asyncio.to_thread(self.complete, data)

        def show() -> None:
            if self.data is data:  # no newer filters meanwhile
                with pn.io.hold():
                    self.data = done
        pn.state.execute(show, schedule=True)  # with the document lock (app/state/refresh.py)

    def refresh(self, complete: bool = True) -> DashboardData:
        """Recompute now (tests, first load); errors become a message, never a traceback."""
        data, error = self._compute_inputs(self._inputs())
        if complete and not error:
            data = self.complete(data)
        self.param.update(data=data, error=error)
        return self.data

    def compute(self, state: FilterState, grain: str) -> DashboardData:
        """Every view's data for one filter state, cached (alerts and ttfc of > FULL_FRAME_LIMIT
        campaigns are None: see `complete`); a tenant-bound store forces its own tenant."""
        if self.tenant is not None and state.tenant != self.tenant:
            state = replace(state, tenant=self.tenant)
        return self._cached(("data", state, grain), lambda: self._counted(state, grain))

    def _counted(self, state: FilterState, grain: str) -> DashboardData:
        self.computations += 1
        return self._compute(state, grain)

    def complete(self, data: DashboardData) -> DashboardData:
        """`data` with the alerts and time to first contact that `compute` left out."""
        if data.empty or data.alerts is not None:
            return data
        return replace(data, **self._cached(("deferred", data.state),
                                            lambda: self._deferred(data.state)))

    def _compute(self, state: FilterState, grain: str) -> DashboardData:
        if state.no_match:
            return DashboardData(state=state, empty=True, grain=grain,
                                 notes=("No campaign matches the search.",))
        prev = state.previous()
        # four queries, each answering several views from one scan, run at once
        jobs: dict[str, Callable] = {  # slowest first: the pool starts them in this order
            "facts": lambda: self._facts(state),
            "kpis": lambda: self._kpis(state),
            "leads": lambda: self._lead_views(state),
            "trends": lambda: self._trends(state, grain),
        }
        futures = {name: _POOL.submit(job) for name, job in jobs.items()}
        facts = futures["facts"].result()
        paged = facts.attrs["rows"] > FULL_FRAME_LIMIT
        if paged:
            part = self._large(state, facts.iloc[:FULL_FRAME_LIMIT], futures["kpis"])
        else:
            part = self._full(state, facts, futures["leads"])
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

    def campaign_page(self, page: int = 1, size: int = 25, sort_by: str = "spend",
                      ascending: bool = False) -> tuple[pd.DataFrame, int]:
        """One page of the campaign table sorted over all its rows, and the row count. A
        large scope is sorted and paged inside the database (by metric or key columns)."""
        data = self.data
        if data is None or data.empty:
            return pd.DataFrame(), 0
        start = max(page - 1, 0) * size
        if not data.paged:
            frame = data.campaigns
            if sort_by in frame.columns:
                frame = frame.sort_values([sort_by, "campaign"], ascending=[ascending, True],
                                          na_position="last")
            return frame.iloc[start:start + size].reset_index(drop=True), len(frame)
        if sort_by not in (*TABLE_METRICS, *TABLE_KEYS):
            sort_by, ascending = "spend", False
        key = ("page", data.state, start, size, sort_by, ascending)
        return self._cached(key, lambda: self._db_page(data.state, start, size, sort_by,
                                                       ascending)), data.campaign_count

    def _db_page(self, state: FilterState, start: int, size: int, sort_by: str,
                 ascending: bool) -> pd.DataFrame:
        top = self._cached(("top", state), lambda: None)
        if (sort_by, ascending) == ("spend", False) and top is not None \
                and start + size <= len(top):
            return top.iloc[start:start + size].reset_index(drop=True)
        return self.layer.campaign_rows(
            TABLE_METRICS, state.filters(), state.tenant, limit=size, offset=start,
            order_by=[(sort_by, not ascending), ("campaign", False)])

    # -- queries -------------------------------------------------------------------------
    def _cached(self, key: tuple, fn: Callable):
        where = getattr(getattr(self.layer, "warehouse", None), "path", id(self.layer))
        return RESULTS.get((*key, str(where), self.layer.data_version), fn)

    def _query(self, metrics: tuple, dimensions: tuple, state: FilterState) -> pd.DataFrame:
        return self._cached(("query", metrics, dimensions, state), lambda: self.layer.query(
            metrics=list(metrics), dimensions=list(dimensions), filters=state.filters(),
            tenant=state.tenant))

    def _trends(self, state: FilterState, grain: str) -> pd.DataFrame:
        return self._query(TREND_METRICS, (grain,), state).rename(columns={grain: "period"})

    def _facts(self, state: FilterState) -> pd.DataFrame:
        """Campaign rows by spend with planned run and daily budget; attrs["rows"]: how many."""
        return self._cached(("facts", state), lambda: self.layer.campaign_rows(
            TABLE_METRICS, state.filters(), state.tenant, count=True,
            order_by=[("spend", True), ("campaign", False)], limit=FULL_FRAME_LIMIT + 1))

    def _kpis(self, state: FilterState) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """KPIs of the range and of the period of equal length before it, from one scan."""
        prev = state.previous()
        if prev is None:
            return self._query(KPI_METRICS, (), state), None
        previous, now = self._cached(("kpis", state), lambda: self.layer.query_split(
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
            frames = self.layer.query_sets(metrics, sets, state.filters(), state.tenant)
            return (*status_and_funnel(frames[0]), arrival_grid(frames[1]),
                    frames[2] if scoped else None)
        return self._cached(("leads", state), build)

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
        return self._cached(("campaigns", state), build)

    def _large(self, state: FilterState, top: pd.DataFrame, kpis):
        """Too many campaigns to hold: top segments ("Other" from the KPI sums) and counts from
        the database, both keys from one scan each; alerts and ttfc are left to `complete`."""
        keys = [("project",), ("business_user",)]

        def build():
            tops = _POOL.submit(self.layer.query_sets, list(SEGMENT_METRICS), keys,
                                state.filters(), state.tenant, order_by=[("spend", True)],
                                limit=SEGMENT_TOP_N)
            # segments with delivery, as the segment charts have always counted them
            counts = self.layer.count_sets(["spend"], keys, state.filters(), state.tenant)
            totals = first_row(kpis.result()[0])
            segments = {key: top_with_other(frame, key, count, totals) for (key,), frame, count
                        in zip(keys, tops.result(), counts, strict=True)}
            self._cached(("top", state), lambda: top)  # pages by spend, descending
            return pd.DataFrame(), None, segments, None
        return self._cached(("large", state), build)

    def _deferred(self, state: FilterState) -> dict:
        frame = self._query(DEFERRED_METRICS, TABLE_KEYS, state)
        return {"ttfc": ttfc_histogram(frame), "alerts": alert_rules.evaluate(
            self.layer, state.filters(), state.tenant, campaigns=frame)}

