"""The dashboard's data store: `DashboardState` owns a session's filters (business users,
projects, dates, campaign search, lead statuses, grain, tenant lock), turns them into one filter
state and keeps every view's data (`DashboardData`) for it: KPIs now and for the previous period
of equal length, campaign rows (paged here), trends, statuses, funnel, time to first contact,
arrival, top-N segments, alerts, asked of the semantic layer by `app.state.queries`, newest
click first (`app.state.refresh`). No SQL here."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import panel as pn
import param

from app.state.link import Link
from app.state.queries import RESULTS, DashboardQueries  # noqa: F401  (RESULTS: re-exported)
from app.state.refresh import LatestWins
from app.state.viewdata import (  # noqa: F401  (re-exported: the store's public names)
    COMPARISONS,
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
from semantic.catalog import OTHER_STAGE, STATUSES
from semantic.compiler.request import Filters

FILTERS = ("business_users", "projects", "date_range", "campaign_search", "lead_statuses",
           "campaigns")
#: What a refresh updates, by view; a grain change touches only the trends.
PARTS = ("kpis", "campaigns", "trends", "outcomes", "segments", "alerts")
#: a change of one of these alone touches one view
ONE_VIEW = {"grain": ("trends",), "compare": ("kpis",)}


class DashboardState(param.Parameterized):
    business_users = param.ListSelector(default=[], objects=[], label="Business users")
    projects = param.ListSelector(default=[], objects=[], label="Projects")
    date_range = param.CalendarDateRange(default=None, allow_None=True, label="Date range")
    campaign_search = param.String(default="", label="Campaign search")
    lead_statuses = param.ListSelector(default=[], objects=[], label="Lead statuses")
    campaigns = param.List(default=[], item_type=int, label="Campaigns",
                           doc="Campaign ids kept (set by a link or a campaign's detail).")
    grain = param.Selector(default="week", objects=list(GRAINS), label="Trend grain")
    compare = param.Selector(default="previous", objects=list(COMPARISONS),
                             label="Compare with")
    tenant = param.Integer(default=None, allow_None=True, constant=True,
                           doc="Business user this session is bound to (None: all).")
    data = param.Parameter(default=None, doc="DashboardData for the current filters.")
    pending = param.List(default=[], item_type=str,
                         doc="The parts (PARTS) being recomputed, once that takes a while: only "
                             "their views show a loading state.")
    error = param.String(default="")

    def __init__(self, layer, tenant: int | None = None, background: bool = False,
                 link: Link | None = None, **params):
        """`link`: the view a URL asked for (`app.state.link`); what of it cannot be used is
        in `link_notes`."""
        super().__init__(tenant=tenant, **params)
        self.layer = layer
        self.queries = DashboardQueries(layer)
        self.background = background
        self.computations = 0  # filter states computed (tests count them per change)
        self.actor: str | None = None  # who the session is (the export's audit line)
        self._changed: set[str] = set()
        self._adjusting = False
        self._pending_parts: list[str] = []  # parts requested since the last result
        self._updates = LatestWins(self._compute_inputs, self._apply, self._slow)
        options = layer.filter_options(tenant=tenant)
        self.date_min, self.date_max = self.activity_span()
        self.set_choices(options)
        if tenant is not None:  # any other business user is refused on assignment
            self.param.business_users.check_on_set = True
        values, self.link_notes = self.link_values(link or Link())
        with param.parameterized.discard_events(self):
            self.business_users = [tenant] if tenant is not None else []
            self.date_range = self.default_range()
            self.grain = self.auto_grain(self.date_range)
            self.param.update(**values)
            if self.business_users and tenant is None:
                self._lock_and_narrow()
        self.refresh(complete=not background)
        self.param.watch(self._on_change, [*FILTERS, "grain", "compare"])
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
                          projects=[], campaign_search="", lead_statuses=[], campaigns=[],
                          date_range=self.default_range())

    # -- links and cross-filtering ---------------------------------------------------------
    def link_values(self, link: Link) -> tuple[dict, list[str]]:
        """The store's values for what `link` says (its filters, grain and comparison), and a
        note for each value left out: a business user other than the session's tenant, or a
        project, status or campaign this session's data does not have. A link never widens a
        tenant and says nothing of another tenant's data (every unknown value reads alike)."""
        values: dict = {}
        notes: list[str] = []

        def known(name: str, wanted: tuple, have) -> list:
            kept = [v for v in wanted if v in have]
            if missing := [v for v in wanted if v not in have]:
                shown = ", ".join(map(str, missing[:5])) + (" …" if len(missing) > 5 else "")
                notes.append(f"{name}: {shown} not found in your data: ignored")
            return kept

        if link.business_user:
            values["business_users"] = known(
                "business_user", link.business_user, set(self.param.business_users.objects))
        if self.tenant is not None:
            values["business_users"] = [self.tenant]
        if link.project:
            users = values.get("business_users") or None
            have = self.layer.filter_options(tenant=self.tenant, business_user=users)["projects"]
            values["projects"] = known("project", link.project, set(have))
        if link.lead_status:
            values["lead_statuses"] = known("lead_status", link.lead_status,
                                            set(self.param.lead_statuses.objects))
        if link.campaign:
            found = self.layer.campaigns(filters=Filters(campaign=link.campaign),
                                         tenant=self.tenant)
            values["campaigns"] = known("campaign", link.campaign,
                                        set(found["campaign_id"].tolist()))
        if link.date_from or link.date_to:
            start = link.date_from or self.date_min or link.date_to
            values["date_range"] = (start, link.date_to or self.date_max or start)
            if values["date_range"][0] > values["date_range"][1]:
                notes.append("date_from is after the data's last day: the dates were ignored")
                del values["date_range"]
        if link.search:
            values["campaign_search"] = link.search
        values["grain"] = link.grain or self.auto_grain(
            values.get("date_range") or self.default_range())
        values["compare"] = link.compare
        return values, notes

    def apply_link(self, link: Link) -> list[str]:
        """Show what `link` says (browser back/forward), unsaid filters cleared: one refresh."""
        values, notes = self.link_values(link)
        cleared = dict(projects=[], campaign_search="", lead_statuses=[], campaigns=[],
                       business_users=[self.tenant] if self.tenant is not None else [],
                       date_range=self.default_range())
        self.param.update(**{**cleared, **values})
        return notes

    def chips(self) -> list[dict]:
        """The filters in force, one removable chip per value ({key, value, label}); a tenant's
        own business user is not one (it cannot be removed), nor the whole data's dates."""
        chips = [] if self.tenant is not None else [
            {"key": "business_user", "value": u, "label": f"Business user {u}"}
            for u in self.business_users]
        chips += [{"key": "project", "value": p, "label": f"Project: {p}"} for p in self.projects]
        chips += [{"key": "campaign", "value": c, "label": f"Campaign {c}"}
                  for c in self.campaigns]
        chips += [{"key": "lead_status", "value": s, "label": f"Status: {s}"}
                  for s in self.lead_statuses]
        if self.campaign_search.strip():
            chips.append({"key": "search", "value": None,
                          "label": f"Search: {self.campaign_search.strip()}"})
        if self.date_range and tuple(self.date_range) != self.default_range():
            first, last = self.date_range
            chips.append({"key": "dates", "value": None,
                          "label": f"Dates: {first:%Y-%m-%d} – {last:%Y-%m-%d}"})
        return chips

    def remove_filter(self, key: str, value) -> None:
        """A chip's ×: drop that value ("*": every filter)."""
        lists = {"business_user": "business_users", "project": "projects",
                 "campaign": "campaigns", "lead_status": "lead_statuses"}
        if key == "*":
            self.reset()
        elif key in lists and not (key == "business_user" and self.tenant is not None):
            name = lists[key]
            setattr(self, name, [v for v in getattr(self, name) if v != value])
        elif key == "search":
            self.campaign_search = ""
        elif key == "dates":
            self.date_range = self.default_range()

    def cross_filter(self, kind: str, value) -> None:
        """A click on a chart: keep only `value` of that filter (a project, a business user,
        a status, a funnel stage's statuses, or a trend period `(first, last)` day)."""
        if kind == "project":
            self.projects = [value]
        elif kind == "business_user" and self.tenant is None:
            self.business_users = [int(value)]
        elif kind == "lead_status":
            self.lead_statuses = [value]
        elif kind == "stage":
            self.lead_statuses = statuses_of_stage(value, self.param.lead_statuses.objects)
        elif kind == "period" and self.date_min and self.date_max:
            first, last = max(value[0], self.date_min), min(value[1], self.date_max)
            if first <= last:
                self.date_range = (first, last)

    @staticmethod
    def auto_grain(rng) -> str:  # about 30-60 points whatever the range
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
                self.grain = self.auto_grain(self.date_range)
        finally:
            self._adjusting = False
        changed, self._changed = self._changed, set()
        (alone,) = changed if len(changed) == 1 else (None,)
        self.request_refresh(ONE_VIEW.get(alone, PARTS))

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
        return narrow_to_search(state, self.searchable(state), text)

    def searchable(self, state: FilterState) -> pd.DataFrame:
        """The campaigns a search narrows (campaign_id, project) in `state`'s scope, cached per
        data version (~0.3 s for all 700k campaigns at 100x the platform's size)."""
        scope = Filters(business_user=state.business_user, project=state.project,
                        campaign=state.campaign)
        key = ("search", state.business_user, state.project, state.campaign, state.tenant)
        return self._cached(key, lambda: self.layer.campaigns(filters=scope, tenant=state.tenant))

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
                self.campaign_search, tuple(self.lead_statuses), tuple(self.campaigns),
                self.compare, self.grain)

    def _state_of(self, inputs: tuple) -> FilterState:
        users, projects, rng, search, statuses, campaigns, compare, _grain = inputs
        users = (self.tenant,) if self.tenant is not None else users
        rng = rng or (None, None)
        state = FilterState(business_user=users, project=projects, lead_status=statuses,
                            campaign=campaigns, date_from=rng[0], date_to=rng[1],
                            tenant=self.tenant, compare=compare)
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
        return self.queries.compute(state, grain)

    def complete(self, data: DashboardData) -> DashboardData:
        """`data` with the alerts and time to first contact that `compute` left out."""
        return self.queries.complete(data)

    def _cached(self, key: tuple, fn: Callable):
        return self.queries.cached(key, fn)

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
        return self._cached(key, lambda: self.queries.db_page(
            data.state, start, size, sort_by, ascending)), data.campaign_count



def statuses_of_stage(stage: str, present) -> list[str]:
    """The statuses of a funnel stage among those in the data (`present`): the catalog's, or
    for "other" those the catalog does not list."""
    if stage == OTHER_STAGE:
        return [s for s in present if s not in STATUSES]
    return [s for s in present if s in STATUSES and STATUSES[s].stage == stage]
