"""The campaign table: one page at a time from the store (sorted there over every campaign),
money/percent formatting, alert cells highlighted and a totals line equal to the KPIs."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import panel as pn
import param

from app.state.refresh import LatestWins
from app.views import format as fmt
from app.views.detail import CampaignDetail
from app.views.grid import PageGrid
from app.views.html_box import HtmlBox
from app.views.live import LiveView
from app.views.pager import Pager, clamped
from app.views.states import CSS
from semantic.catalog import DIMENSIONS, METRICS

#: the campaign's own attributes beside its dimensions and metrics: (header, kind)
ATTRIBUTES = {"start_time": ("Start", "day"), "stop_time": ("Stop", "day"),
              "daily_budget": ("Daily budget", "money")}
#: the columns in order: what alerts highlight (CPL, utilization, CTR) comes early
FIELDS = ("campaign", "project", "business_user", "start_time", "stop_time", "spend", "leads",
          "cpl", "budget_utilization", "ctr", "cpc", "qualified_leads", "daily_budget",
          "budget", "impressions", "clicks", "reach")


def _header(field: str) -> tuple[str, str]:
    """(header, kind: how its cells are written), from the catalog where it is a metric or a
    dimension."""
    if field in ATTRIBUTES:
        return ATTRIBUTES[field]
    if field in METRICS:
        return METRICS[field].short, METRICS[field].unit
    dimension = DIMENSIONS[field]
    return dimension.label, "id" if dimension.dtype == "integer" else "text"


COLUMNS = {field: _header(field)[0] for field in FIELDS}  # field -> header
KINDS = {field: _header(field)[1] for field in FIELDS}  # field -> how its cells are written


def _cell(kind: str, value) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "percent":
        return f"{value * 100:,.2f}%"
    if kind == "day":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "id":
        return f"{int(value)}"
    return str(value)


def page_cells(page: pd.DataFrame, fields=FIELDS) -> list[list[str]]:
    """The page's cells as the table shows them, row by row, in `fields` order."""
    columns = [[_cell(KINDS[field], v) for v in page[field].tolist()] for field in fields]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def grid_columns(fields=FIELDS) -> list[dict]:
    return [{"field": field, "title": COLUMNS[field],
             "numeric": KINDS[field] not in ("text", "id", "day")} for field in fields]


def shown_fields(chosen) -> tuple[str, ...]:
    """The columns to show, in table order: the campaign id always (it names the row), then
    those chosen."""
    return tuple(f for f in FIELDS if f == "campaign" or f in chosen)


#: alert rule -> the column its cell highlight goes on
ALERT_COLUMN = {"cpl_high": "cpl", "overspend": "budget_utilization", "ctr_low": "ctr",
                "spend_without_leads": "spend"}
TOTALS_CSS = CSS + """
.totals { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 0.88em; padding: 6px 10px;
  background: #f3f6f9; border-radius: 6px; color: #1d2733; font-variant-numeric: tabular-nums; }
.totals b { font-weight: 650; } .totals span { white-space: nowrap; }
"""
PAGE_SIZES = [25, 50, 100]
UNSORTABLE_WHEN_PAGED = ("start_time", "stop_time", "daily_budget")
PAGED_NOTE = (" (sorted in the database; narrow the filters under 20,000 campaigns to sort by "
              "start, stop or daily budget)")


#: the totals line's metrics, in order; those in COMPACT are shortened when large (1.23M)
TOTALS = ("spend", "budget", "impressions", "clicks", "reach", "leads", "qualified_leads", "ctr",
          "cpc", "cpl", "budget_utilization")
COMPACT = ("spend", "budget", "impressions", "clicks", "reach")


def totals_html(totals: dict, rows: int) -> str:
    def total(metric: str) -> tuple[str, str]:
        value, kind = totals.get(metric), METRICS[metric].unit
        if kind == "money":
            shown = fmt.money(value, metric in COMPACT)
        elif kind == "count" and metric not in COMPACT:
            shown = fmt.integer(value)
        else:
            shown = fmt.by_unit(value, kind)
        return METRICS[metric].short, shown

    items = [("Campaigns", f"{rows:,}"), *map(total, TOTALS)]
    spans = "".join(f"<span>{html.escape(k)}: <b>{html.escape(v)}</b></span>" for k, v in items)
    return f'<div class="totals" title="Totals over every campaign in the filters"><span><b>' \
           f'Totals</b></span>{spans}</div>'


def alert_sets(alerts: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Campaign ids firing each rule that has a column in the table."""
    if alerts is None or alerts.empty:
        return {}
    rules = alerts["rule"].to_numpy()
    ids = alerts["campaign"].to_numpy()
    return {rule: ids[rules == rule] for rule in ALERT_COLUMN}


def hot_cells(page: pd.DataFrame, fired: dict[str, np.ndarray],
              fields=FIELDS) -> list[list[int]]:
    """[row, column] of the cells whose campaign fires the alert rule for that column
    (column positions in `fields` order; a rule whose column is hidden marks nothing)."""
    if not fired or page.empty:
        return []
    campaigns = page["campaign"].to_numpy()
    fields = list(fields)
    cells = []
    for rule, column in ALERT_COLUMN.items():
        if column in fields and len(fired.get(rule, ())):
            rows = np.flatnonzero(np.isin(campaigns, fired[rule]))
            cells += [[int(r), fields.index(column)] for r in rows]
    return sorted(cells)


class CampaignTable(LiveView):
    """Built once: new data, a page or a sort only send the page's cells and the texts."""

    part = "campaigns"
    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(default=25, objects=PAGE_SIZES)
    sort_by = param.String(default="spend")
    ascending = param.Boolean(default=False)
    shown = param.ListSelector(default=list(FIELDS[1:]), objects=list(FIELDS[1:]),
                               doc="The columns chosen (the campaign id is always shown).")
    opened = param.Integer(default=None, allow_None=True,
                           doc="The campaign whose detail is open (a row was clicked).")

    def __init__(self, **params):
        self._fired: tuple = (None, {})
        self._resume_page: int | None = None  # the page a link asked for, once its data came
        self._pager = Pager("Campaigns", lambda step: self._go(self.page + step))
        super().__init__(**params)
        # a page of a large scope is a query: off the event loop, the newest page wins
        self._pages = LatestWins(self._fetch, self._show_page)
        self.param.watch(lambda *_: self._load_page(), ["page", "page_size", "sort_by",
                                                        "ascending"])
        self.param.watch(self._on_shown, "shown")
        self.detail = CampaignDetail(self.store, on_close=lambda: setattr(self, "opened", None),
                                     on_keep=self._keep_only)
        self.param.watch(lambda event: self.detail.show(event.new), "opened")
        # the open campaign's detail follows the filters
        self.store.param.watch(lambda *_: self.opened is not None and self.detail.show(
            self.opened), "data")

    def build(self):
        self._grid = PageGrid(kind="campaigns", columns=grid_columns(self._fields()),
                              sort=self._sort_key(), on_open=self._open,
                              sizing_mode="stretch_width")
        self._grid.param.watch(self._on_sort, "sort")
        self._totals = HtmlBox("", css=TOTALS_CSS)
        return pn.Column(self._totals, self._grid, sizing_mode="stretch_width")

    def _open(self, key) -> None:
        if isinstance(key, int) and not isinstance(key, bool):
            self.opened = key

    def _keep_only(self, campaign: int | None) -> None:
        if campaign is not None:
            self.store.campaigns = [campaign]

    @property
    def wanted_page(self) -> int:
        """The page shown, or the one a link asked for while its data is on the way."""
        return self._resume_page or self.page

    def resume(self, page: int) -> int | None:
        """Show `page` (a link's): now when the data is here (returns the page shown: the last
        one when there are fewer), else once it has come (returns None)."""
        data = self.store.data
        if data is not None and not data.empty and data.state == self.store.filter_state():
            self._resume_page = None
            self._go(page)
            return self.page
        self._resume_page = page
        return None

    def _fields(self) -> tuple[str, ...]:
        return shown_fields(self.shown)

    def _on_shown(self, _event) -> None:
        if self._built is not None:
            with pn.io.hold():
                self._grid.columns = grid_columns(self._fields())
                self._load_page()

    def _sort_key(self) -> str:
        return f"{self.sort_by}:{'asc' if self.ascending else 'desc'}"

    def slice(self, data) -> tuple:
        return (data.state, data.campaigns, data.totals, data.campaign_count, data.alerts)

    def draw(self, data) -> None:
        page, self._resume_page = self._resume_page or 1, None
        with param.parameterized.discard_events(self):
            self.page = clamped(page, data.campaign_count, self.page_size)  # new data: page 1
        self._load_page()

    def clear(self) -> None:
        self._grid.page = {"rows": [], "hot": []}

    def _show_message(self, kind: str, title: str, hint: str = "") -> None:
        super()._show_message(kind, title, hint)
        self._pager.clear()

    # -- paging --------------------------------------------------------------------------
    def _hot(self, page: pd.DataFrame) -> list[list[int]]:
        data = self.store.data
        if self._fired[0] is not data:
            self._fired = (data, alert_sets(data.alerts if data is not None else None))
        return hot_cells(page, self._fired[1], self._fields())

    def _go(self, page: int) -> None:
        data = self.store.data
        rows = data.campaign_count if data is not None and not data.empty else 0
        self.page = clamped(page, rows, self.page_size)

    def _on_sort(self, event) -> None:
        field, _, direction = (event.new or "").partition(":")
        ascending = direction == "asc"
        data = self.store.data
        if field not in COLUMNS or (data is not None and data.paged
                                    and field in UNSORTABLE_WHEN_PAGED):
            self._grid.sort = self._sort_key()  # the database pages by metrics and keys only
            return
        if (field, ascending) != (self.sort_by, self.ascending):
            self.param.update(sort_by=field, ascending=ascending, page=1)

    def _load_page(self) -> None:
        data = self.store.data
        if self._shown is None or data is None or data.empty or self.store.error:
            return
        wanted = (data, self.page, self.page_size, self.sort_by, self.ascending)
        if data.paged and self.store.background:
            self._pages.request(wanted)
        else:
            self._show_page(wanted, self._fetch(wanted))

    def _fetch(self, wanted: tuple):
        _data, page, size, sort_by, ascending = wanted
        return self.store.campaign_page(page, size, sort_by, ascending)

    def _show_page(self, wanted: tuple, result) -> None:
        data = wanted[0]
        if data is not self.store.data:
            return  # newer data is on its way
        frame, rows = result
        with pn.io.hold():
            fields = self._fields()
            page = frame[list(COLUMNS)] if len(frame) else frame
            self._grid.param.update(
                page={"rows": page_cells(page, fields) if len(frame) else [],
                      "hot": self._hot(page),
                      "keys": [int(c) for c in page["campaign"].tolist()] if len(frame) else []},
                sort=self._sort_key(),
                unsortable=list(UNSORTABLE_WHEN_PAGED) if data.paged else [])
            self._totals.object = totals_html(data.totals, rows)
            self._pager.show(
                self.page, self.page_size, rows,
                f' · sorted by {COLUMNS.get(self.sort_by, self.sort_by)} '
                f'{"ascending" if self.ascending else "descending"}'
                f'{PAGED_NOTE if data.paged else ""} · highlighted cells fire an alert')

    def __panel__(self):
        size = pn.widgets.Select.from_param(self.param.page_size, label="", width=80)
        label = HtmlBox("Rows per page", margin=(14, 4), sizing_mode=None, width=95)
        columns = pn.widgets.MultiChoice.from_param(
            self.param.shown, name="Columns", options={COLUMNS[f]: f for f in FIELDS[1:]},
            sizing_mode="stretch_width", max_width=900)
        return pn.Column(self.detail.layout, self._layout, self._pager.row(label, size),
                         # a Bokeh Div as the title: a Panel HTML model anywhere on the page
                         # makes Panel load MathJax (1.8 MB of script) with it
                         pn.Card(columns, header=HtmlBox("Choose columns", margin=(0, 4)).pane,
                                 collapsed=True, sizing_mode="stretch_width", margin=(4, 5)),
                         sizing_mode="stretch_width")
