"""Trends over time: leads, spend, status changes and CPL by day, week or month (hover shows the
exact values). CPL of a period is that period's spend / leads, never an average."""

from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot)
import pandas as pd
import panel as pn
import param
from bokeh.models import NumeralTickFormatter

from app.views.states import empty_state, guarded, note

#: (column, chart title, y label, hover format, colour)
SERIES = (
    ("leads", "Leads", "Leads", "{0,0}", "#1a5fb4"),
    ("spend", "Spend", "Spend", "{0,0.00}", "#6b4fbb"),
    ("status_changes", "Status changes", "Status changes", "{0,0}", "#2d8c6a"),
    ("cpl", "CPL (spend / leads per period)", "CPL", "{0,0.00}", "#c4571a"),
)
GRAIN_LABELS = {"day": "Day", "week": "Week (ISO, from Monday)", "month": "Month"}


def line(frame: pd.DataFrame, column: str, title: str, ylabel: str, number: str, color: str,
         grain: str):
    date_format = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    tooltips = [(GRAIN_LABELS[grain], "@period{" + date_format + "}"),
                (ylabel, f"@{{{column}}}{number}")]
    return frame.hvplot.line(
        x="period", y=column, title=title, xlabel="", ylabel="", color=color,
        responsive=True, height=250, line_width=2, grid=True, hover="vline",
        yformatter=NumeralTickFormatter(format="0,0.[0]a"), ylim=(0, None),
    ).opts(toolbar=None, default_tools=[], tools=["hover"], hover_tooltips=tooltips,
           hover_formatters={"@period": "datetime"}, fontsize={"title": "11pt"})


_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}
_ADDITIVE = ("leads", "spend", "status_changes")


def complete_periods(frame: pd.DataFrame, grain: str, start=None, end=None) -> pd.DataFrame:
    """Every period of the range, so a line does not bridge periods without data: counts and
    spend are 0 there; CPL stays undefined (a gap in its line), never interpolated."""
    periods = pd.to_datetime(frame["period"])
    first = pd.Timestamp(start) if start else periods.min()
    last = pd.Timestamp(end) if end else periods.max()
    if grain == "week":
        first = first - pd.Timedelta(days=first.weekday())
    elif grain == "month":
        first = first.replace(day=1)
    full = pd.date_range(first, last, freq=_FREQ[grain])
    out = frame.assign(period=periods).set_index("period").reindex(full.union(periods))
    out.index.name = "period"
    for column in _ADDITIVE:
        if column in out:
            out[column] = out[column].fillna(0)
    return out.reset_index()


class TrendsView(pn.viewable.Viewer):
    store = param.Parameter()
    active = param.Boolean(default=True, doc="Render only while shown (set by the entry).")

    def _charts(self, data):
        frame = data.trends.copy()
        if frame.empty:  # e.g. only planned budget in the range
            return empty_state("No delivery, leads or status changes in this range.")
        frame = complete_periods(frame, data.grain, data.state.date_from, data.state.date_to)
        charts = [pn.pane.HoloViews(line(frame, *spec, grain=data.grain),
                                    sizing_mode="stretch_width", min_height=260)
                  for spec in SERIES]
        notes = []
        if data.state.lead_status:
            notes.append(note("The lead status filter restricts leads and status changes; spend "
                              "is not restricted by it, so CPL here is spend / filtered leads."))
        return pn.Column(pn.GridBox(*charts, ncols=2, sizing_mode="stretch_width"), *notes,
                         sizing_mode="stretch_width")

    def __panel__(self):
        grain = pn.widgets.RadioButtonGroup.from_param(
            self.store.param.grain, options={"Day": "day", "Week": "week", "Month": "month"},
            button_type="primary", button_style="outline", label="")
        return pn.Column(pn.Row(pn.pane.HTML("<b>Grain</b>", margin=(12, 6)), grain),
                         guarded(self.store, self._charts, self.param.active), sizing_mode="stretch_width")
