"""Fifteen KPI cards, each with its change against the previous period of equal length."""

from __future__ import annotations

import datetime as dt
import html

from app.state.viewdata import COMPARISONS
from app.views import format as fmt
from app.views.html_box import HtmlBox
from app.views.live import LiveView
from app.views.states import CSS
from semantic.catalog import METRICS

#: the cards, in order; title, unit, good direction and tooltip are the catalog's
CARDS = ("spend", "impressions", "clicks", "reach", "leads", "ctr", "cpc", "cpm", "cpl",
         "qualified_leads", "qualification_rate", "cost_per_qualified_lead", "deals",
         "contact_rate", "speed_to_lead_hours")

KPI_CSS = CSS + """
.kpi-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr));
  gap: 10px; }
.kpi { background: var(--neutral-fill-card-rest, #fff); border: 1px solid #e3e7ec;
  border-radius: 6px; padding: 10px 12px; min-height: 78px; }
.kpi-title { font-size: 0.78em; color: #5f6b7a; text-transform: none; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kpi-value { font-size: 1.45em; font-weight: 650; color: #1d2733; margin: 2px 0;
  font-variant-numeric: tabular-nums; }
.kpi-delta { font-size: 0.8em; font-variant-numeric: tabular-nums; }
.kpi-delta.good { color: #137333; } .kpi-delta.bad { color: #b3261e; }
.kpi-delta.neutral { color: #1a5fb4; } .kpi-delta.none { color: #8a94a0; }
.kpi-period { font-size: 0.82em; color: #5f6b7a; margin: 0 0 6px 2px; }
@media (max-width: 760px) {  /* a phone: two cards per row (dashboard.PHONE_PX) */
  .kpi-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .kpi { min-height: 70px; padding: 8px 10px; }
  .kpi-value { font-size: 1.25em; }
}
"""


def delta_class(change: float | None, good: str | None) -> str:
    if change is None:
        return "none"
    if good is None or change == 0:
        return "neutral"
    return "good" if (change > 0) == (good == "up") else "bad"


def card_html(metric: str, current, previous, compared: bool = True) -> str:
    """One card; without `compared` (no trustworthy comparison) its change shows as "–"."""
    spec = METRICS[metric]
    change = fmt.relative_change(current, previous) if compared else None
    arrow = "" if change is None else "▲ " if change > 0 else "▼ " if change < 0 else "■ "
    value = fmt.by_unit(current, spec.unit)
    exact = fmt.money(current) if spec.unit == "money" else value
    tip = f"{spec.tip} Compared period: {fmt.by_unit(previous, spec.unit)}." if compared \
        else spec.tip
    return (
        f'<div class="kpi" data-metric="{metric}" title="{html.escape(tip.strip())}">'
        f'<div class="kpi-title">{html.escape(spec.short)}</div>'
        f'<div class="kpi-value" title="{html.escape(exact)}">{html.escape(value)}</div>'
        f'<div class="kpi-delta {delta_class(change, spec.direction)}">{arrow}{fmt.change(change)}'
        f'</div></div>')


def comparison_text(data, data_start: dt.date | None) -> tuple[str, bool]:
    """What the cards say about the period they compare with, and whether to show changes: not
    when that period lies wholly or partly before the data starts (a +99 % from a half-empty
    period would mislead) or holds no activity."""
    if not data.previous_range:
        return "", False
    start, end = data.previous_range
    span = f"{fmt.date(start)} – {fmt.date(end)}"
    which = COMPARISONS.get(data.state.compare, COMPARISONS["previous"])
    if data_start is not None and start < data_start:
        where = "lies before" if end < data_start else "starts before"
        return (f"No change shown: {which} ({span}) {where} the data, which starts on "
                f"{fmt.date(data_start)}", False)
    if not any(data.previous.get(metric) for metric in CARDS):
        return f"No activity in {which} ({span}): no change to show", False
    return f"Change vs {which} ({span})", True


def cards_html(data, data_start: dt.date | None = None) -> str:
    text, compared = comparison_text(data, data_start)
    period = f'<div class="kpi-period">{html.escape(text)}</div>' if text else ""
    cards = "".join(card_html(m, data.kpis.get(m), data.previous.get(m), compared)
                    for m in CARDS)
    return f'{period}<div class="kpi-grid">{cards}</div>'


class KpiCards(LiveView):
    """One HTML pane built once; each change sets its `.object`."""

    part = "kpis"

    def build(self):
        self._cards = HtmlBox("", css=KPI_CSS)
        return self._cards

    def slice(self, data) -> tuple:
        return (data.kpis, data.previous, data.previous_range, data.state.compare,
                self.store.date_min)

    def draw(self, data) -> None:
        self._cards.object = cards_html(data, self.store.date_min)

    def clear(self) -> None:
        self._cards.object = ""
