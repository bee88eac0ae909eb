"""Lead outcomes: current status (donut, one fixed colour per status), funnel by stage, time to
first contact, and when leads arrive (hour × weekday)."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure

from app.state.store import TTFC_BUCKETS, WEEKDAYS
from app.views import charts
from app.views import format as fmt
from app.views.html_box import HtmlBox
from app.views.live import LiveView, message_html
from app.views.spares import SPARES
from app.views.states import CSS, flow, note_html
from semantic.catalog import statuses_where

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


#: where the ring's centre is, in the donut plot's -1..1 width: left of the legend
RING_X = -0.48


class Donut:
    """Leads by current status as a ring, total in the middle; the legend is grouped from the
    source's `legend` column in the browser (no legend models to rebuild per change)."""

    def __init__(self):
        self.source = ColumnDataSource({name: [] for name in (
            "lead_status", "start", "end", "color", "pct", "count", "legend")})
        self.center = ColumnDataSource({"x": [RING_X], "y": [0], "text": [""]})
        fig = figure(width=500, height=320, title="Leads by current status",
                     toolbar_location=None, x_range=(-1, 1), y_range=(-1, 1), min_border=4)
        # radii in screen pixels: the ring stays round whatever the plot's aspect
        wedges = fig.annular_wedge(x=RING_X, y=0, inner_radius=58, outer_radius=118,
                                   inner_radius_units="screen", outer_radius_units="screen",
                                   start_angle="start", end_angle="end", color="color",
                                   line_color="white", source=self.source,
                                   legend_field="legend")
        fig.text(x="x", y="y", text="text", text_align="center", text_baseline="middle",
                 text_font_size="16pt", text_color="#1d2733", source=self.center)
        self.wedges = wedges
        fig.add_tools(HoverTool(renderers=[wedges], tooltips=[
            ("Status", "@lead_status"), ("Leads", "@count"), ("Share", "@pct")]))
        fig.axis.visible = fig.grid.visible = False
        fig.outline_line_color = None
        fig.title.text_font_size = charts.TITLE_SIZE
        # The legend sits inside the plot, right of the ring: beside the plot it took its width
        # from the plot's area whenever the labels changed, and BokehJS laid the chart out
        # twice for each new status mix (~100 ms on showing Lead outcomes).
        fig.legend[0].update(location="top_right", label_text_font_size="8pt", glyph_height=10,
                             glyph_width=10, spacing=0, border_line_color=None, margin=0,
                             padding=4, background_fill_alpha=0)
        self.figure = fig
        self.message = HtmlBox("", css=CSS, visible=False, sizing_mode=None, width=500)
        self.layout = pn.Column(pn.pane.Bokeh(fig, sizing_mode="fixed"), self.message)

    def update(self, status: pd.DataFrame) -> None:
        frame = status[status["leads"] > 0]
        total = frame["leads"].sum()
        angles = (frame["leads"] / total * 2 * math.pi).to_numpy() if total else np.zeros(0)
        end = angles.cumsum()
        pct = [fmt.percent(v) for v in frame["share"]]
        self.source.data = {
            "lead_status": frame["lead_status"].astype(str).tolist(), "start": end - angles,
            "end": end, "color": [status_color(s) for s in frame["lead_status"]], "pct": pct,
            "count": [fmt.integer(v) for v in frame["leads"]],
            "legend": [f"{s}  {p}" for s, p in zip(frame["lead_status"], pct, strict=True)]}
        self.center.data = {"x": [RING_X], "y": [0], "text": [fmt.compact(total) if total else ""]}
        # no ring to draw: say so instead of an empty chart
        self.figure.visible = bool(total)
        self.message.visible = not total
        if not total:
            self.message.object = message_html("empty", "No lead statuses",
                                               "No leads in these filters.")


def funnel_frame(stages: pd.DataFrame) -> pd.DataFrame:
    return stages.assign(pct=[fmt.percent(v) for v in stages["share"]],
                         count=[fmt.integer(v) for v in stages["leads"]])


def ttfc_frame(buckets: pd.DataFrame) -> pd.DataFrame:
    return buckets.assign(pct=[fmt.percent(v) for v in buckets["share"]],
                          count=[fmt.integer(v) for v in buckets["campaigns"]])


def arrival_frame(grid: pd.DataFrame) -> pd.DataFrame:
    return grid.assign(hour=[f"{h:02d}" for h in grid["lead_hour"]],
                       count=[fmt.integer(v) for v in grid["leads"]])


ARRIVAL_TITLE = "When leads arrive (hour × weekday)"


def arrival_zone(zone: str | None) -> str:
    """The arrival grid's subtitle: the zone its hours are in (a line of its own: with the
    title on one line, half a wide screen cut it)."""
    return f"Hours in {zone or 'the export’s local time'}"


def contact_note(kpis: dict) -> str:
    leads, contacted = kpis.get("leads") or 0, kpis.get("contacted_leads") or 0
    return (f"Time to first contact: hours from a lead's arrival to its first logged status "
            f"other than {'/'.join(statuses_where(first_contact=False))}; each campaign counts "
            f"once, at the median of its contacted leads (overall median: "
            f"{fmt.hours(kpis.get('speed_to_lead_hours'))}). "
            f"{fmt.integer(leads - contacted)} of {fmt.integer(leads)} leads have not been "
            f"contacted (no logged status other than "
            f"{'/'.join(statuses_where(contact=False))}).")


def funnel_chart() -> charts.HBar:
    return charts.HBar("Funnel: leads by current stage",
                       [("Stage", "@stage"), ("Leads", "@count"), ("Share", "@pct")],
                       height=320, axis_label="Leads")


def ttfc_chart() -> charts.VBar:
    return charts.VBar(
        [label for _, label in TTFC_BUCKETS], "Campaigns by median time to first contact",
        [("Median time to contact", "@bucket"), ("Campaigns", "@count"), ("Share", "@pct")],
        axis_label="Campaigns")


def arrival_chart() -> charts.Heatmap:
    return charts.Heatmap(
        "hour", "weekday", "leads", ARRIVAL_TITLE,
        [("Day", "@weekday"), ("Hour", "@hour:00"), ("Leads", "@count")],
        x_order=[f"{h:02d}" for h in range(24)], y_order=list(WEEKDAYS))


#: chart -> its spare part: made ahead, most of this view's build (app/views/spares.py)
PARTS = {name: SPARES.register(f"outcomes.{name}", make) for name, make in (
    ("donut", Donut), ("funnel", funnel_chart), ("ttfc", ttfc_chart), ("arrival", arrival_chart))}


class OutcomesView(LiveView):
    part = "outcomes"
    spare_parts = tuple(PARTS.values())

    def build(self):
        self._donut = self.spare(PARTS["donut"])
        self._funnel = self.spare(PARTS["funnel"])
        self._ttfc = self.spare(PARTS["ttfc"])
        self._ttfc_wait = HtmlBox(note_html("Time to first contact is being computed…"),
                                  css=CSS, visible=False)
        self._arrival = self.spare(PARTS["arrival"])
        self._arrival_zone = charts.subtitle(self._arrival.figure,
                                             arrival_zone(self.store.layer.time_zone))
        self._note = HtmlBox("", css=CSS)
        self._layout_built = pn.Column(
            flow(self._donut.layout,
                 pn.pane.Bokeh(self._funnel.figure, sizing_mode="stretch_width"), basis=340),
            flow(pn.Column(pn.pane.Bokeh(self._ttfc.figure, sizing_mode="stretch_width"),
                           self._ttfc_wait, sizing_mode="stretch_width"),
                 pn.pane.Bokeh(self._arrival.figure, sizing_mode="stretch_width"), basis=340),
            self._note, sizing_mode="stretch_width")
        # a click on a status or a stage keeps only its leads, in every view
        charts.on_click(self._donut.figure, self._donut.wedges, "lead_status",
                        lambda status: self.store.cross_filter("lead_status", status))
        charts.on_click(self._funnel.figure, self._funnel.bars, "stage",
                        lambda stage: self.store.cross_filter("stage", stage))
        return self._layout_built

    def slice(self, data) -> tuple:
        kpis = data.kpis
        return (data.status, data.funnel, data.ttfc, data.arrival,
                tuple(kpis.get(k) for k in ("leads", "contacted_leads", "speed_to_lead_hours")))

    def draw(self, data) -> None:
        self._donut.update(data.status)
        self._funnel.update(funnel_frame(data.funnel), "stage", "leads",
                            [STAGE_COLORS.get(s, "#7e57c2") for s in data.funnel["stage"]])
        waiting = data.ttfc is None  # a very large scope: computed right after the first paint
        self._ttfc_wait.visible = waiting
        self._ttfc.figure.visible = not waiting
        if not waiting:
            self._ttfc.update(ttfc_frame(data.ttfc), "bucket", "campaigns")
        self._arrival.update(arrival_frame(data.arrival))
        zone = arrival_zone(self.store.layer.time_zone)  # a new ingest may report in another
        if self._arrival_zone.text != zone:
            self._arrival_zone.text = zone
        self._note.object = note_html(contact_note(data.kpis))
