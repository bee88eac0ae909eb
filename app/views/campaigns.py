"""The campaign table: one page at a time from the store (sorted there over every campaign),
money/percent formatting, alert cells highlighted and a totals line equal to the KPIs."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import DateFormatter, NumberFormatter

from app import format as fmt
from app.refresh import LatestWins
from app.views.html_box import HtmlBox
from app.views.live import LiveView
from app.views.states import CSS

COLUMNS = {  # field -> header; what alerts highlight (CPL, utilization, CTR) comes early
    "campaign": "Campaign", "project": "Project", "business_user": "Business user",
    "start_time": "Start", "stop_time": "Stop", "spend": "Spend", "leads": "Leads",
    "cpl": "CPL", "budget_utilization": "Budget utilization", "ctr": "CTR", "cpc": "CPC",
    "qualified_leads": "Qualified", "daily_budget": "Daily budget", "budget": "Budget",
    "impressions": "Impressions", "clicks": "Clicks", "reach": "Reach (sum of daily)",
}


def formatters() -> dict:
    """Fresh Bokeh formatters for one table: a Tabulator registers change callbacks on the
    formatter models it is given, so a module-level instance shared by every session would keep
    each session's table (and its store) alive for the life of the process."""
    money = NumberFormatter(format="0,0.00", text_align="right")
    count = NumberFormatter(format="0,0", text_align="right")
    pct = NumberFormatter(format="0.00%", text_align="right", nan_format="–")
    day = DateFormatter(format="%Y-%m-%d")
    return {
        "campaign": NumberFormatter(format="0", text_align="left"),
        "business_user": NumberFormatter(format="0", text_align="left"),
        "start_time": day, "stop_time": day, "daily_budget": money, "budget": money,
        "spend": money, "impressions": count, "clicks": count, "reach": count, "leads": count,
        "qualified_leads": count, "ctr": pct,
        "cpc": NumberFormatter(format="0,0.00", text_align="right", nan_format="–"),
        "cpl": NumberFormatter(format="0,0.00", text_align="right", nan_format="–"),
        "budget_utilization": pct,
    }


#: alert rule -> the column its cell highlight goes on
ALERT_COLUMN = {"cpl_high": "cpl", "overspend": "budget_utilization", "ctr_low": "ctr",
                "spend_without_leads": "spend"}
HIGHLIGHT = "background-color: #fde7e4; color: #8a1c12; font-weight: 600"
TOTALS_CSS = CSS + """
.totals { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 0.88em; padding: 6px 10px;
  background: #f3f6f9; border-radius: 6px; color: #1d2733; font-variant-numeric: tabular-nums; }
.totals b { font-weight: 650; } .totals span { white-space: nowrap; }
"""
#: Column widths in pixels. Given, Tabulator does not measure every cell of every page to fit
#: the columns to their content (that measuring was ~300 ms of the browser's time per click);
#: wide enough for the largest values of the platform's data (money to 100 millions).
WIDTHS = {"campaign": 92, "project": 210, "business_user": 118, "start_time": 96,
          "stop_time": 96, "spend": 112, "leads": 72, "cpl": 100, "budget_utilization": 142,
          "ctr": 76, "cpc": 76, "qualified_leads": 90, "daily_budget": 112, "budget": 124,
          "impressions": 116, "clicks": 96, "reach": 168}
PAGE_SIZES = [25, 50, 100]
UNSORTABLE_WHEN_PAGED = ("start_time", "stop_time", "daily_budget")
PAGED_NOTE = (" (sorted in the database; narrow the filters under 20,000 campaigns to sort by "
              "start, stop or daily budget)")


def totals_html(totals: dict, rows: int) -> str:
    items = [("Campaigns", f"{rows:,}"), ("Spend", fmt.money(totals.get("spend"), True)),
             ("Budget", fmt.money(totals.get("budget"), True)),
             ("Impressions", fmt.by_unit(totals.get("impressions"), "count")),
             ("Clicks", fmt.by_unit(totals.get("clicks"), "count")),
             ("Reach (sum of daily)", fmt.by_unit(totals.get("reach"), "count")),
             ("Leads", fmt.integer(totals.get("leads"))),
             ("Qualified", fmt.integer(totals.get("qualified_leads"))),
             ("CTR", fmt.percent(totals.get("ctr"))), ("CPC", fmt.money(totals.get("cpc"))),
             ("CPL", fmt.money(totals.get("cpl"))),
             ("Budget utilization", fmt.percent(totals.get("budget_utilization")))]
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


def highlight(page: pd.DataFrame, fired: dict[str, np.ndarray]) -> pd.DataFrame:
    """CSS per cell: cells whose campaign fires the alert rule for that column."""
    styles = np.full(page.shape, "", dtype=object)
    if fired and not page.empty:
        campaigns = page["campaign"].to_numpy()
        for rule, column in ALERT_COLUMN.items():
            if column in page.columns and len(fired.get(rule, ())):
                styles[np.isin(campaigns, fired[rule]), page.columns.get_loc(column)] = HIGHLIGHT
    return pd.DataFrame(styles, index=page.index, columns=page.columns)


class CampaignTable(LiveView):
    """Built once: new data, a page or a sort only set the table's `value` and the texts."""

    part = "campaigns"
    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(default=25, objects=PAGE_SIZES)
    sort_by = param.String(default="spend")
    ascending = param.Boolean(default=False)

    def __init__(self, **params):
        self._fired: tuple = (None, {})
        self._prev = pn.widgets.Button(label="‹ Previous", width=100, disabled=True)
        self._next = pn.widgets.Button(label="Next ›", width=100, disabled=True)
        self._status = HtmlBox("", css=CSS)
        super().__init__(**params)
        # a page of a large scope is a query: off the event loop, the newest page wins
        self._pages = LatestWins(self._fetch, self._show_page)
        self._prev.on_click(lambda _: self._go(self.page - 1))
        self._next.on_click(lambda _: self._go(self.page + 1))
        self.param.watch(lambda *_: self._load_page(), ["page", "page_size", "sort_by",
                                                        "ascending"])

    def build(self):
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=list(COLUMNS)), show_index=False, disabled=True,
            pagination=None, titles=COLUMNS, formatters=formatters(), layout="fit_data_table",
            widths=WIDTHS, configuration={"renderVertical": "basic"},
            sizing_mode="stretch_width", frozen_columns=["campaign"],
            sorters=[{"field": "spend", "dir": "desc"}], selectable=False,
            stylesheets=[":host .tabulator { font-size: 0.86em; }"])
        self._totals = HtmlBox("", css=TOTALS_CSS)
        # Re-run for every page shown. A plain function, not a bound method: Panel keys its
        # style cache on the styler's repr, and a method's repr spells out this view, its store
        # and every DataFrame it holds (~60 ms per page at scale 1).
        def highlight_page(page: pd.DataFrame) -> pd.DataFrame:
            return self._highlight(page)
        self._table.style.apply(highlight_page, axis=None)
        self._table.param.watch(self._on_sort, "sorters")
        return pn.Column(self._totals, self._table, sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return (data.state, data.campaigns, data.totals, data.campaign_count, data.alerts)

    def draw(self, data) -> None:
        with param.parameterized.discard_events(self):
            self.page = 1  # new data: back to its first page
        self._load_page()

    def _show_message(self, kind: str, title: str, hint: str = "") -> None:
        super()._show_message(kind, title, hint)
        self._status.object = ""
        self._prev.disabled = self._next.disabled = True  # nothing to page through

    # -- paging --------------------------------------------------------------------------
    def _highlight(self, page: pd.DataFrame) -> pd.DataFrame:
        data = self.store.data
        if self._fired[0] is not data:
            self._fired = (data, alert_sets(data.alerts if data is not None else None))
        return highlight(page, self._fired[1])

    def _go(self, page: int) -> None:
        self.page = max(1, min(page, self._page_count()))

    def _page_count(self) -> int:
        data = self.store.data
        rows = data.campaign_count if data is not None and not data.empty else 0
        return max(1, math.ceil(rows / self.page_size))

    def _on_sort(self, event) -> None:
        sorters = event.new or []
        if not sorters:
            return
        field, ascending = sorters[0]["field"], sorters[0]["dir"] == "asc"
        data = self.store.data
        if data is not None and data.paged and field in UNSORTABLE_WHEN_PAGED:
            self._load_page()  # the database pages by metrics and keys only; keep the order
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
            self._table.value = frame[list(COLUMNS)] if len(frame) else \
                pd.DataFrame(columns=list(COLUMNS))
            self._totals.object = totals_html(data.totals, rows)
            first = (self.page - 1) * self.page_size + 1 if rows else 0
            last = min(self.page * self.page_size, rows)
            self._status.object = (
                f'<div class="cbi-note">Campaigns {first:,}–{last:,} of {rows:,} · page '
                f'{self.page:,} of {self._page_count():,} · sorted by '
                f'{COLUMNS.get(self.sort_by, self.sort_by)} '
                f'{"ascending" if self.ascending else "descending"}'
                f'{PAGED_NOTE if data.paged else ""} · highlighted cells fire an alert</div>')
            self._prev.disabled = self.page <= 1 or not rows
            self._next.disabled = self.page >= self._page_count() or not rows

    def __panel__(self):
        size = pn.widgets.Select.from_param(self.param.page_size, label="", width=80)
        pager = pn.Row(self._prev, self._next, HtmlBox("Rows per page", margin=(14, 4), sizing_mode="fixed", width=95),
                       size, self._status, sizing_mode="stretch_width")
        return pn.Column(self._layout, pager, sizing_mode="stretch_width")
