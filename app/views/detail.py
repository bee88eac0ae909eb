"""One campaign's detail, opened from its row in the campaign table: its ad sets' delivery (in
total and by day: spend, impressions, clicks, CTR, CPC), its leads with their status and time
to first contact, and its status log, in the page's filters and the session's tenant.

Built once per session; opening another campaign or changing the filters only sends new cells
(the queries run off the event loop, the newest wins).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace

import pandas as pd
import panel as pn

from app.state.refresh import LatestWins
from app.views import format as fmt
from app.views.grid import PageGrid
from app.views.html_box import HtmlBox
from app.views.states import CSS, flow, note_html
from semantic.catalog import METRICS
from semantic.compiler.request import Filters

DELIVERY = ("spend", "impressions", "clicks", "ctr", "cpc")
#: rows shown of a campaign's leads and of its status log (the counts say how many there are)
ROW_LIMIT = 500
#: rows of each table drawn when a detail opens; the rest on "Show more" (drawing 500 leads and
#: 500 log rows made opening a detail take ~0.4 s in the browser)
FIRST_ROWS = 100
DETAIL_CSS = CSS + """
.detail-head { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline;
  padding: 8px 10px; background: #f3f6f9; border-radius: 6px; color: #1d2733; }
.detail-head b { font-size: 1.05em; }
.detail-section { font-weight: 650; margin: 6px 0 2px; color: #1d2733; }
"""
SHORT_GRID = ".grid-wrap { max-height: 340px; }"


@dataclass(frozen=True)
class Detail:
    """What the detail shows for one campaign (None: not in this session's data)."""

    campaign: dict | None
    by_ad_set: pd.DataFrame = field(default_factory=pd.DataFrame)
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    lead_count: int = 0
    log: pd.DataFrame = field(default_factory=pd.DataFrame)
    log_count: int = 0


def fetch(layer, campaign: int, filters: Filters, tenant: int | None) -> Detail:
    """The detail of `campaign` in `filters` (the page's), asked of the semantic layer."""
    found = layer.campaigns(filters=Filters(campaign=(campaign,)), tenant=tenant)
    if found.empty:
        return Detail(campaign=None)
    own = replace(filters, campaign=(campaign,))
    leads, lead_count = layer.campaign_leads(campaign, filters, tenant, limit=ROW_LIMIT)
    log, log_count = layer.status_log(campaign, filters, tenant, limit=ROW_LIMIT)
    return Detail(
        campaign=found.iloc[0].to_dict(),
        by_ad_set=layer.query(list(DELIVERY), ["ad_set"], filters=own, tenant=tenant),
        daily=layer.ad_set_delivery(campaign, filters, tenant),
        leads=leads, lead_count=lead_count, log=log, log_count=log_count)


def _when(value) -> str:
    return fmt.MISSING if fmt.is_missing(value) else pd.Timestamp(value).strftime(
        "%Y-%m-%d %H:%M")


def _day(value) -> str:
    return fmt.MISSING if fmt.is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _text(value) -> str:
    return fmt.MISSING if fmt.is_missing(value) else str(value)


def _ad_set(value) -> str:
    return "(no ad set)" if fmt.is_missing(value) else str(value)


def _metric(name: str):
    unit = METRICS[name].unit
    if unit == "money":
        return lambda v: fmt.MISSING if fmt.is_missing(v) else f"{v:,.2f}"
    if unit == "percent":
        return lambda v: fmt.MISSING if fmt.is_missing(v) else f"{v * 100:,.2f}%"
    return lambda v: fmt.by_unit(v, unit)


#: (field, title, numeric, how a cell is written) of each table
AD_SETS = (("ad_set", "Ad set", False, _ad_set),
           *((m, METRICS[m].short, True, _metric(m)) for m in DELIVERY))
DAILY = (("ad_set", "Ad set", False, _ad_set), ("day", "Day", False, _day),
         *((m, METRICS[m].short, True, _metric(m)) for m in DELIVERY))
LEADS = (("lead_id", "Lead", False, _text), ("added_at", "Arrived", False, _when),
         ("lead_status", "Status", False, _text), ("stage", "Stage", False, _text),
         ("first_contact_at", "First contact", False, _when),
         ("hours_to_first_contact", "Time to first contact", True, fmt.hours))
LOG = (("changed_at", "Changed", False, _when), ("lead_id", "Lead", False, _text),
       ("status", "New status", False, _text), ("stage", "Stage", False, _text),
       ("lead_status", "Current status", False, _text))


def cells(frame: pd.DataFrame, spec) -> list[list[str]]:
    if frame.empty:
        return []
    columns = [[write(v) for v in frame[name].tolist()] for name, _t, _n, write in spec]
    return [list(row) for row in zip(*columns, strict=True)]


def grid(spec) -> PageGrid:
    return PageGrid(kind="detail",
                    columns=[{"field": f, "title": t, "numeric": n} for f, t, n, _ in spec],
                    unsortable=[f for f, *_ in spec], stylesheets=[SHORT_GRID],
                    sizing_mode="stretch_width")


def heading(text: str) -> str:
    return f'<div class="detail-section">{html.escape(text)}</div>'


def head_html(campaign: int, info: dict | None) -> str:
    if info is None:
        return (f'<div class="detail-head"><b>Campaign {campaign}</b><span>is not in your data '
                f'(or no longer in the warehouse).</span></div>')
    parts = [f"<b>Campaign {campaign}</b>", html.escape(str(info.get("project") or "")),
             f"Business user {info.get('business_user')}",
             f"Runs {_day(info.get('start_time'))} – {_day(info.get('stop_time'))}",
             f"Daily budget {fmt.money(info.get('daily_budget'))}"]
    return '<div class="detail-head">' + "".join(f"<span>{p}</span>" for p in parts) + "</div>"


class CampaignDetail:
    """Shown under the campaign table's totals while a campaign is open (`show`)."""

    def __init__(self, store, on_close, on_keep) -> None:
        self.store = store
        self.campaign: int | None = None
        self._head = HtmlBox("", css=DETAIL_CSS)
        close = pn.widgets.Button(label="Close ✕", button_type="default", width=110)
        keep = pn.widgets.Button(label="Keep only this campaign", button_type="primary",
                                 width=200)
        close.on_click(lambda _: on_close())
        keep.on_click(lambda _: on_keep(self.campaign))
        self._keep = keep
        self._titles = {name: HtmlBox("", css=DETAIL_CSS)
                        for name in ("ad_sets", "daily", "leads", "log")}
        self._grids = {"ad_sets": grid(AD_SETS), "daily": grid(DAILY), "leads": grid(LEADS),
                       "log": grid(LOG)}
        self._rows: dict[str, list] = {name: [] for name in self._grids}
        self._counts: dict[str, int] = {name: 0 for name in self._grids}
        self._more = {name: pn.widgets.Button(label="Show more", button_type="light",
                                              visible=False, margin=(2, 10),
                                              css_classes=[f"more-{name}"])
                      for name in ("daily", "leads", "log")}
        for name, button in self._more.items():
            button.on_click(lambda _, name=name: self._show_all(name))
        self._note = HtmlBox("", css=DETAIL_CSS)

        def table(name: str) -> list:
            return [self._titles[name], self._grids[name], *(
                [self._more[name]] if name in self._more else [])]
        self._body = pn.Column(
            flow(pn.Column(*table("ad_sets"), *table("daily"), sizing_mode="stretch_width"),
                 pn.Column(*table("leads"), *table("log"), sizing_mode="stretch_width"),
                 basis=480),
            self._note, sizing_mode="stretch_width")
        self.layout = pn.Column(self._head, pn.Row(keep, close),
                                self._body, pn.layout.Divider(), visible=False,
                                sizing_mode="stretch_width", styles={"border": "1px solid #c5d7ef",
                                                                     "border-radius": "6px",
                                                                     "padding": "6px"})
        self._updates = LatestWins(self._compute, self._apply,
                                   lambda on: setattr(self._body, "loading", on))
        self.shown = 0  # how often a detail was drawn (tests)

    def show(self, campaign: int | None) -> None:
        """Open `campaign` (None: close) for the store's current filters."""
        self.campaign = campaign
        if campaign is None:
            self.layout.visible = False
            return
        data = self.store.data
        filters = data.state.filters() if data is not None else Filters()
        wanted = (campaign, filters, self.store.tenant)
        if self.store.background:
            self._updates.request(wanted)
        else:
            self._apply(wanted, self._compute(wanted))

    def _compute(self, wanted):
        campaign, filters, tenant = wanted
        try:
            return fetch(self.store.layer, campaign, filters, tenant), ""
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            return None, f"Could not load the campaign's detail: {exc}"

    def _apply(self, wanted, result) -> None:
        campaign = wanted[0]
        if campaign != self.campaign:
            return  # another campaign was opened (or the detail closed) meanwhile
        detail, error = result
        with pn.io.hold():
            self.layout.visible = True
            if error or detail is None:
                self._head.object = f'<div class="cbi-error">{html.escape(error)}</div>'
                self._body.visible = False
                return
            self._head.object = head_html(campaign, detail.campaign)
            self._keep.visible = detail.campaign is not None
            self._body.visible = detail.campaign is not None
            if detail.campaign is None:
                return
            self._counts = {"ad_sets": len(detail.by_ad_set), "daily": len(detail.daily),
                            "leads": detail.lead_count, "log": detail.log_count}
            for name, frame, spec in (("ad_sets", detail.by_ad_set, AD_SETS),
                                      ("daily", detail.daily, DAILY),
                                      ("leads", detail.leads, LEADS), ("log", detail.log, LOG)):
                self._rows[name] = cells(frame, spec)
                self._draw_rows(name, FIRST_ROWS if name in self._more else None)
            nothing = detail.by_ad_set.empty and not detail.lead_count and not detail.log_count
            self._note.object = note_html(
                ("This campaign has no delivery, leads or status changes in the page's filters "
                 "(dates, projects, statuses): widen them to see its activity. " if nothing
                 else "") + "In the page's filters. Delivery is reported per ad set; leads belong to the "
                "campaign (the export does not say which ad set brought a lead). Time to first "
                "contact: hours from arrival to the first logged status that is a contact. "
                "Names, emails and phones are in the leads export only.")
        self.shown += 1

    def _draw_rows(self, name: str, limit: int | None) -> None:
        """Draw the first `limit` fetched rows of a table (all: None), its title saying how many
        there are and how many are shown, and "Show more" while some are held back."""
        rows = self._rows[name]
        drawn = rows if limit is None else rows[:limit]
        self._grids[name].page = {"rows": drawn, "hot": []}
        self._titles[name].object = heading(title(name, self._counts[name], len(drawn)))
        if name in self._more:
            self._more[name].visible = len(drawn) < len(rows)
            self._more[name].label = f"Show {len(rows) - len(drawn):,} more"

    def _show_all(self, name: str) -> None:
        with pn.io.hold():
            self._draw_rows(name, None)


def title(name: str, count: int, drawn: int) -> str:
    """A detail table's heading: what it holds, and how many of them are shown when not all."""
    shown = f" (the newest {drawn:,} shown)" if drawn < count else ""
    if name == "ad_sets":
        return f"Ad sets ({count}): delivery in the chosen dates"
    if name == "daily":
        return "Ad set delivery by day" + (
            f" (the first {drawn:,} of {count:,} rows shown)" if drawn < count else "")
    if name == "leads":
        return f"Leads: {count:,}{shown}"
    return f"Status log: {count:,} changes{shown}"
