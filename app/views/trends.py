"""Trends over time: leads, spend, status changes and CPL by day, week or month (hover shows the
exact values). CPL of a period is that period's spend / leads, never an average.

The four charts are drawn by hvPlot once per session; afterwards a change only sends new data to
their data sources and new axis ranges (a few ms, where rebuilding four hvPlot charts cost
~260 ms of server CPU per click and sent hundreds of new models to the page)."""

from __future__ import annotations

import datetime as dt
import weakref
from functools import partial

import holoviews as hv
import hvplot.pandas  # noqa: F401  (registers .hvplot)
import numpy as np
import pandas as pd
import panel as pn
from bokeh.document import Document
from bokeh.events import Tap
from bokeh.models import HoverTool, NumeralTickFormatter
from bokeh.models.glyphs import Line, Scatter

from app.views import charts
from app.views.html_box import HtmlBox
from app.views.live import LiveView
from app.views.spares import SPARES
from app.views.states import flow, note

#: (column, chart title, y axis title, hover format, colour, is a count)
SERIES = (
    ("leads", "Leads", "Leads", "{0,0}", "#1a5fb4", True),
    ("spend", "Spend", "Spend", "{0,0.00}", "#6b4fbb", False),
    ("status_changes", "Status changes", "Status changes", "{0,0}", "#2d8c6a", True),
    ("cpl", "CPL (spend / leads per period)", "CPL", "{0,0.00}", "#c4571a", False),
)
GRAIN_LABELS = {"day": "Day", "week": "Week (ISO, from Monday)", "month": "Month"}
_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
#: A single period still gets a visible stretch of axis around its point.
_Y_HEADROOM = 1.08


def tooltips(column: str, ylabel: str, number: str, grain: str) -> list:
    date_format = "%Y-%m" if grain == "month" else "%Y-%m-%d"
    return [(GRAIN_LABELS[grain], "@period{" + date_format + "}"),
            (ylabel, f"@{{{column}}}{number}")]


def chart(column: str, title: str, ylabel: str, number: str, color: str, count: bool):
    """The hvPlot chart of one series (a line, and dots for periods whose neighbours have no
    value: a lone point of a line is invisible), rendered to a Bokeh figure once."""
    seed = pd.DataFrame({"period": pd.to_datetime(["2024-01-01"]), column: [0.0]})
    plain = {"toolbar": None, "default_tools": [], "tools": []}
    line = seed.hvplot.line(x="period", y=column, color=color, line_width=2, responsive=True,
                            height=250).opts(**plain)
    dots = seed.hvplot.scatter(x="period", y=column, color=color, size=7, responsive=True,
                               height=250).opts(**plain)
    overlay = (line * dots).opts(
        title=title, xlabel="", ylabel=ylabel, show_grid=True,
        yformatter=NumeralTickFormatter(format="0,0.[0]a"),
        fontsize={"title": "11pt", "ylabel": "9pt"})
    # Rendered into a document of its own: `hv.render` attaches the plot to Bokeh's current
    # document and sets its theme, and Bokeh's current document is process-wide, not per
    # thread. Built in the build thread (app/views/live.py), that was another session's page,
    # changed from the wrong thread (a load test: "_pending_writes should be non-None",
    # "Patched curdoc has been previously destroyed").
    # (HoloViews uses the `doc` given only in its server mode, which the plot is not updated
    # through: its data sources are set directly.)
    renderer = hv.renderer("bokeh").instance(mode="server")
    fig = renderer.get_plot(overlay, doc=Document()).state
    fig.sizing_mode = "stretch_width"
    # HoloViews asks for WebGL by default: a GL context per chart costs more than it saves at
    # a few hundred points, and browsers without a GPU emulate it slowly (measured: the first
    # showing of the Trends tab spent ~100 ms compiling shaders and copying GL images).
    fig.output_backend = "canvas"
    if count:  # counts: no fractional ticks (0.2, 0.4 leads)
        fig.yaxis.ticker.min_interval = 1
    renderers = {type(r.glyph): r for r in fig.renderers}
    hover = HoverTool(renderers=[renderers[Line]], mode="vline",
                      tooltips=tooltips(column, ylabel, number, "week"),
                      formatters={"@period": "datetime"})
    fig.add_tools(hover)
    return fig, renderers[Line].data_source, renderers[Scatter].data_source, hover


#: one spare part per series, in SERIES' order: made ahead, most of this view's build
#: (app/views/spares.py)
PARTS = tuple(SPARES.register(f"trends.{spec[0]}", partial(chart, *spec)) for spec in SERIES)

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


def lone_points(values: np.ndarray) -> np.ndarray:
    """`values` where a value has no defined neighbour (drawn as a dot), NaN elsewhere."""
    values = np.asarray(values, dtype=float)
    defined = ~np.isnan(values)
    before = np.r_[False, defined[:-1]]
    after = np.r_[defined[1:], False]
    return np.where(defined & ~before & ~after, values, np.nan)


def x_span(periods: pd.Series, grain: str) -> tuple[dt.datetime, dt.datetime]:
    first, last = periods.min(), periods.max()
    pad = pd.Timedelta(days=_PERIOD_DAYS[grain] / 2) if first == last else pd.Timedelta(0)
    return (first - pad).to_pydatetime(), (last + pad).to_pydatetime()


def period_days(periods: pd.DatetimeIndex, clicked: pd.Timestamp, grain: str
                ) -> tuple[dt.date, dt.date]:
    """The first and last day of the period drawn nearest to where the chart was clicked."""
    start = periods[int(np.argmin(np.abs((periods - clicked).asi8)))]
    end = {"day": start, "week": start + pd.Timedelta(days=6),
           "month": start + pd.offsets.MonthEnd(0)}[grain]
    return start.date(), end.date()


class TrendsView(LiveView):
    part = "trends"
    spare_parts = PARTS

    def build(self):
        self._charts = [self.spare(name) for name in PARTS]
        self._status_note = note("The lead status filter restricts leads and status changes; "
                                 "spend is not restricted by it, so CPL here is spend / "
                                 "filtered leads.", visible=False)
        self._click_note = note("Click a period on a chart to keep only its days.")
        panes = [pn.pane.Bokeh(fig, sizing_mode="stretch_width", min_height=260)
                 for fig, *_ in self._charts]
        self._periods = pd.DatetimeIndex([])
        # a click on a period keeps only its days; held weakly: HoloViews keeps each rendered
        # plot (and so the figure's callbacks) in Bokeh's global document, which must not keep
        # the session's view and store alive after the session ends
        tap = weakref.WeakMethod(self._on_tap)
        for fig, *_ in self._charts:
            fig.on_event(Tap, lambda event: (method := tap()) and method(event))
        return pn.Column(flow(*panes, basis=420), self._click_note,
                         self._status_note, sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return (data.trends, data.grain, data.state.date_from, data.state.date_to,
                bool(data.state.lead_status))

    def empty_hint(self, data):
        if data.trends.empty:  # e.g. only planned budget in the range
            return ("No data for these filters",
                    "No delivery, leads or status changes in this range.")
        return None

    def draw(self, data) -> None:
        frame = complete_periods(data.trends, data.grain, data.state.date_from,
                                 data.state.date_to)
        periods = frame["period"]
        self._periods = pd.DatetimeIndex(periods)
        start, end = x_span(periods, data.grain)
        for (column, _title, ylabel, number, _color, _count), (fig, line, dots, hover) in zip(
                SERIES, self._charts, strict=True):
            values = frame[column].to_numpy(dtype=float)
            line.data = {"period": periods.to_numpy(), column: values}
            lone = lone_points(values)
            keep = ~np.isnan(lone)
            dots.data = {"period": periods.to_numpy()[keep], column: lone[keep]}
            fig.x_range.update(start=start, end=end)
            fig.y_range.update(start=0, end=charts.value_end(values, _Y_HEADROOM))
            hover.tooltips = tooltips(column, ylabel, number, data.grain)
        self._status_note.visible = bool(data.state.lead_status)

    def _on_tap(self, event) -> None:
        data = self.store.data
        if event.x is None or data is None or not len(self._periods):
            return
        days = period_days(self._periods, pd.Timestamp(event.x, unit="ms"), data.grain)
        first, last = data.state.date_from, data.state.date_to  # within the chosen range
        first, last = max(days[0], first) if first else days[0], \
            min(days[1], last) if last else days[1]
        if first <= last:
            self.store.cross_filter("period", (first, last))

    def __panel__(self):
        grain = pn.widgets.RadioButtonGroup.from_param(
            self.store.param.grain, options={"Day": "day", "Week": "week", "Month": "month"},
            button_type="primary", button_style="outline", label="")
        return pn.Column(pn.Row(HtmlBox("<b>Grain</b>", margin=(12, 6), sizing_mode=None, width=50), grain),
                         self._layout, sizing_mode="stretch_width")
