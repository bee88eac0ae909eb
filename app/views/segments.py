"""Segments: CPL, CTR and cost per qualified lead by project and by business user. The top
segments by spend are shown, the rest folded into "Other" (its ratios recomputed from sums)."""

from __future__ import annotations

import pandas as pd
import panel as pn

from app import format as fmt
from app.store import OTHER, SEGMENT_TOP_N
from app.views import charts
from app.views.live import LiveView
from app.views.states import note

#: (metric, title, formatter for hover, bar colour)
METRICS = (
    ("cpl", "CPL", fmt.money, "#c4571a"),
    ("ctr", "CTR", fmt.percent, "#1a5fb4"),
    ("cost_per_qualified_lead", "Cost per qualified lead", fmt.money, "#2d8c6a"),
)
KEYS = {"project": "Project", "business_user": "Business user"}


def short_labels(labels, width: int = 20) -> list[str]:
    """Axis labels cut to `width` characters, still unique (a bar per distinct factor)."""
    out: list[str] = []
    for label in labels:
        short = label if len(label) <= width else label[:width - 1] + "…"
        while short in out:
            short += " "
        out.append(short)
    return out


def bar_frame(frame: pd.DataFrame, key: str, metric: str, show) -> pd.DataFrame:
    """Sorted bars, best value (lowest cost, highest CTR) on top; "Other" last; a segment
    without a value ("–") sorts after the others and draws no bar."""
    frame = frame[[key, metric, "spend", "leads", "qualified_leads"]].copy()
    frame["label"] = [f"User {v}" if key == "business_user" and not str(v).startswith(OTHER)
                      else str(v) for v in frame[key]]
    is_other = frame["label"].str.startswith(OTHER)
    ranked = frame[~is_other].sort_values(metric, ascending=metric != "ctr",
                                          na_position="last")
    frame = pd.concat([ranked, frame[is_other]], ignore_index=True)
    frame["name"] = frame["label"]  # in full on hover; the axis gets a short form
    frame["label"] = short_labels(frame["label"])
    frame["value"] = [show(v) for v in frame[metric]]
    frame["spend_h"] = [fmt.money(v, True) for v in frame["spend"]]
    frame["leads_h"] = [fmt.integer(v) for v in frame["leads"]]
    frame["qualified_h"] = [fmt.integer(v) for v in frame["qualified_leads"]]
    frame[metric] = frame[metric].fillna(0)
    return frame


def bar_colors(frame: pd.DataFrame, color: str) -> list[str]:
    return ["#9aa5b1" if s.startswith(OTHER) else color for s in frame["label"]]


class SegmentsView(LiveView):
    part = "segments"

    def build(self):
        self._bars = {
            (key, metric): charts.HBar(title, [(KEYS[key], "@name"), (title, "@value"),
                                               ("Spend", "@spend_h"), ("Leads", "@leads_h"),
                                               ("Qualified", "@qualified_h")],
                                       number_format="0%" if metric == "ctr" else "0.[0]a")
            for key in KEYS for metric, title, _show, _color in METRICS}
        blocks = [(f"By {label.lower()}", pn.Row(
            *[pn.pane.Bokeh(self._bars[key, metric].figure, sizing_mode="stretch_width")
              for metric, *_ in METRICS], sizing_mode="stretch_width"))
            for key, label in KEYS.items()]
        return pn.Column(pn.Tabs(*blocks, sizing_mode="stretch_width"), note(
            f"The {SEGMENT_TOP_N} segments with the most spend; the rest are summed into "
            f"“{OTHER}”, whose ratios are computed from those sums. A segment with no leads "
            f"(or no qualified leads) has no CPL (or cost per qualified lead) and shows as 0 "
            f"with “–” on hover."), sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return tuple(data.segments.get(key) for key in KEYS)

    def draw(self, data) -> None:
        for key in KEYS:
            for metric, _title, show, color in METRICS:
                frame = bar_frame(data.segments[key], key, metric, show)
                self._bars[key, metric].update(frame, "label", metric, bar_colors(frame, color))
