"""Lead outcomes: current status (donut, one fixed colour per status), funnel by stage, time to
first contact, and when leads arrive (hour × weekday)."""

from __future__ import annotations

import math
import zlib

import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem
from bokeh.plotting import figure

from app import format as fmt
from app.store import WEEKDAYS
from app.views import charts
from app.views.states import empty_state, guarded, note

#: One colour per status, grouped by stage hue, the same on every render and filter.
STATUS_COLORS = {
    "NEW_LEAD": "#8ab4f8",
    "NO_ANSWER": "#f6c26b", "CALL_AGAIN": "#f4a940", "FOLLOW_UP": "#e8912d",
    "WHATSAPP": "#d9822b", "SWITCHED_OFF": "#c4701a",
    "QUALIFIED": "#34a853", "HIGH_INTEREST": "#5bb974", "MEETING_DONE": "#1e8e3e",
    "DONE_DEAL": "#0b5d1e",
    "NOT_QUALIFIED": "#e57373", "LOW_BUDGET": "#d9534f", "WRONG_NUMBER": "#c62828",
    "SPAM": "#a52714", "ALREADY_BOUGHT": "#ef9a9a", "RESALE_REQUEST": "#b71c1c",
    "UNKNOWN": "#b0b8c1",
}
STAGE_COLORS = {"new": "#8ab4f8", "working": "#f4a940", "qualified": "#34a853",
                "won": "#0b5d1e", "lost": "#d9534f", "unknown": "#b0b8c1", "other": "#7e57c2"}
_EXTRA = ("#7e57c2", "#26a69a", "#8d6e63", "#ec407a", "#5c6bc0", "#9ccc65", "#ffa726", "#78909c")


def status_color(status: str) -> str:
    """Known statuses have their colour; a new one gets a colour derived from its name."""
    return STATUS_COLORS.get(status) or _EXTRA[zlib.crc32(status.encode()) % len(_EXTRA)]


def donut(status: pd.DataFrame):
    frame = status[status["leads"] > 0].copy()
    if frame.empty:  # no ring to draw (an empty colour column would break the chart)
        return empty_state("No leads in these filters.", title="No lead statuses")
    total = frame["leads"].sum()
    angles = frame["leads"] / total * 2 * math.pi
    frame["end"] = angles.cumsum()
    frame["start"] = frame["end"] - angles
    frame["color"] = pd.Series([status_color(s) for s in frame["lead_status"]],
                               index=frame.index, dtype=object)
    frame["pct"] = [fmt.percent(v) for v in frame["share"]]
    frame["count"] = [fmt.integer(v) for v in frame["leads"]]
    source = ColumnDataSource(frame)
    fig = figure(width=500, height=320, title="Leads by current status", toolbar_location=None,
                 x_range=(-1, 1), y_range=(-1, 1), min_border=4)
    # radii in screen pixels: the ring stays round whatever the plot's aspect
    wedges = fig.annular_wedge(x=0, y=0, inner_radius=58, outer_radius=118,
                               inner_radius_units="screen", outer_radius_units="screen",
                               start_angle="start", end_angle="end", color="color",
                               line_color="white", source=source)
    fig.text(x=[0], y=[0], text=[fmt.compact(total)], text_align="center",
             text_baseline="middle", text_font_size="16pt", text_color="#1d2733")
    fig.add_tools(HoverTool(renderers=[wedges], tooltips=[
        ("Status", "@lead_status"), ("Leads", "@count"), ("Share", "@pct")]))
    fig.axis.visible = fig.grid.visible = False
    fig.outline_line_color = None
    fig.title.text_font_size = charts.TITLE_SIZE
    legend = Legend(items=[LegendItem(label=f"{s}  {p}", renderers=[wedges], index=i)
                           for i, (s, p) in enumerate(zip(frame["lead_status"], frame["pct"],
                                                          strict=True))],
                    label_text_font_size="8pt", glyph_height=10, glyph_width=10, spacing=0,
                    border_line_color=None, margin=0, padding=4)
    fig.add_layout(legend, "right")
    return pn.pane.Bokeh(fig, sizing_mode="fixed")


def funnel(stages: pd.DataFrame):
    frame = stages.copy()
    frame["pct"] = [fmt.percent(v) for v in frame["share"]]
    frame["count"] = [fmt.integer(v) for v in frame["leads"]]
    colors = [STAGE_COLORS.get(s, "#7e57c2") for s in frame["stage"]]
    return charts.hbar(frame, "stage", "leads", "Funnel: leads by current stage",
                       [("Stage", "@stage"), ("Leads", "@count"), ("Share", "@pct")],
                       color=colors, height=320)


def ttfc(buckets: pd.DataFrame | None):
    if buckets is None:  # a very large scope: computed right after the first paint
        return note("Time to first contact is being computed…")
    frame = buckets.copy()
    frame["pct"] = [fmt.percent(v) for v in frame["share"]]
    frame["count"] = [fmt.integer(v) for v in frame["campaigns"]]
    return pn.pane.Bokeh(charts.vbar(
        frame, "bucket", "campaigns", "Campaigns by median time to first contact",
        [("Median time to contact", "@bucket"), ("Campaigns", "@count"), ("Share", "@pct")]),
        sizing_mode="stretch_width")


def arrival(grid: pd.DataFrame):
    frame = grid.copy()
    frame["hour"] = frame["lead_hour"].map(lambda h: f"{h:02d}")
    frame["count"] = [fmt.integer(v) for v in frame["leads"]]
    return charts.heatmap(frame, "hour", "weekday", "leads", "When leads arrive (hour × weekday)",
                          [("Day", "@weekday"), ("Hour", "@hour:00"), ("Leads", "@count")],
                          x_order=[f"{h:02d}" for h in range(24)], y_order=list(WEEKDAYS))


class OutcomesView(pn.viewable.Viewer):
    store = param.Parameter()
    active = param.Boolean(default=True, doc="Render only while shown (set by the entry).")

    def _render(self, data):
        kpis = data.kpis
        leads, contacted = kpis.get("leads") or 0, kpis.get("contacted_leads") or 0
        parts = [
            pn.Row(donut(data.status), pn.pane.Bokeh(funnel(data.funnel)),
                   sizing_mode="stretch_width"),
            pn.Row(ttfc(data.ttfc), pn.pane.Bokeh(arrival(data.arrival)),
                   sizing_mode="stretch_width"),
            note(f"Time to first contact: hours from a lead's arrival to its first logged status "
                 f"other than NEW_LEAD; each campaign counts once, at the median of its contacted "
                 f"leads (overall median: {fmt.hours(kpis.get('speed_to_lead_hours'))}). "
                 f"{fmt.integer(leads - contacted)} of {fmt.integer(leads)} leads have not been "
                 f"contacted (no logged status other than NEW_LEAD/UNKNOWN)."),
        ]
        return pn.Column(*parts, sizing_mode="stretch_width")

    def __panel__(self):
        return guarded(self.store, self._render, self.param.active)
