"""Segments: CPL, CTR and cost per qualified lead by project and by business user. The top
segments by spend are shown, the rest folded into "Other" (its ratios recomputed from sums)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import panel as pn
import param

from app.state.link import SEGMENT_KEYS
from app.state.store import OTHER, SEGMENT_TOP_N
from app.views import charts
from app.views import format as fmt
from app.views.live import LiveView
from app.views.spares import SPARES
from app.views.states import flow, note
from semantic.catalog import DIMENSIONS, METRICS

#: (metric, formatter for hover, bar colour); titles are the catalog's labels
CHARTS = (
    ("cpl", fmt.money, "#c4571a"),
    ("ctr", fmt.percent, "#1a5fb4"),
    ("cost_per_qualified_lead", fmt.money, "#2d8c6a"),
)
KEYS = {key: DIMENSIONS[key].label for key in SEGMENT_KEYS}  # in the page's link as `by`


def short_labels(labels, width: int = 20) -> list[str]:
    """Axis labels cut to `width` characters, still unique (a bar per distinct factor)."""
    out: list[str] = []
    for label in labels:
        short = label if len(label) <= width else label[:width - 1] + "…"
        while short in out:
            short += " "
        out.append(short)
    return out


def bar_columns(frame: pd.DataFrame, key: str, metric: str, show, color: str) -> dict:
    """A segment bar chart's columns: best value (lowest cost, highest CTR) on top; "Other"
    last; a segment without a value ("–") sorts after the others and draws no bar. Plain
    lists: a dozen rows, shaped on every change (pandas took ~8 ms a chart)."""
    def label(value) -> str:
        is_user = key == "business_user" and not str(value).startswith(OTHER)
        return f"User {value}" if is_user else str(value)

    rows = [(label(name), *rest, name) for name, *rest in zip(
        frame[key].tolist(), frame[metric].tolist(), frame["spend"].tolist(),
        frame["leads"].tolist(), frame["qualified_leads"].tolist(), strict=True)]
    sign = -1 if metric == "ctr" else 1
    ranked = sorted((r for r in rows if not r[0].startswith(OTHER)),
                    key=lambda r: (fmt.is_missing(r[1]),
                                   0 if fmt.is_missing(r[1]) else sign * r[1]))
    ordered = ranked + [r for r in rows if r[0].startswith(OTHER)]
    names = [r[0] for r in ordered]
    return {
        "name": names,  # in full on hover; the axis gets a short form
        "key": ["" if n.startswith(OTHER) else str(k) for n, k in zip(
            names, [r[-1] for r in ordered], strict=True)],  # what a click filters on
        "label": short_labels(names),
        "_value": [0.0 if fmt.is_missing(r[1]) else float(r[1]) for r in ordered],
        "value": [show(r[1]) for r in ordered],
        "spend_h": [fmt.money(r[2], True) for r in ordered],
        "leads_h": [fmt.integer(r[3]) for r in ordered],
        "qualified_h": [fmt.integer(r[4]) for r in ordered],
        "_color": ["#9aa5b1" if n.startswith(OTHER) else color for n in names],
    }


def tooltips(key: str, title: str) -> list[tuple[str, str]]:
    return [(KEYS[key], "@name"), (title, "@value"), (METRICS["spend"].short, "@spend_h"),
            (METRICS["leads"].short, "@leads_h"), (METRICS["qualified_leads"].short,
                                                   "@qualified_h")]


def bar_chart(metric: str) -> charts.HBar:
    """One metric's bars: a fixed height (room for every bar): a height that followed the bars
    made the browser lay the whole page out again on each change (~0.6 s)."""
    return charts.HBar(METRICS[metric].label, tooltips("project", METRICS[metric].label),
                       number_format="0%" if metric == "ctr" else "0.[0]a",
                       height=charts.bars_height(SEGMENT_TOP_N + 1))


#: metric -> its spare part: made ahead, most of this view's build (app/views/spares.py)
PARTS = {metric: SPARES.register(f"segments.{metric}", partial(bar_chart, metric))
         for metric, *_ in CHARTS}


class SegmentsView(LiveView):
    """Three bar charts (CPL, CTR, cost per qualified lead) for one key at a time, chosen by a
    toggle: switching redraws the same charts in place (nested tabs of six charts made the
    tab's first showing send and lay out twice the models)."""

    part = "segments"
    spare_parts = tuple(PARTS.values())
    by = param.Selector(default="project", objects=list(KEYS),
                        doc="What the charts break down by (in the page's link).")

    def __init__(self, **params):
        super().__init__(**params)
        self.param.watch(self._on_by, "by")

    def build(self):
        self._by = pn.widgets.RadioButtonGroup.from_param(
            self.param.by, options={f"By {label.lower()}": key for key, label in KEYS.items()},
            button_type="primary", button_style="outline", name="")
        self._bars = {metric: self.spare(name) for metric, name in PARTS.items()}
        for bar in self._bars.values():  # a click keeps only that segment, in every view
            charts.on_click(bar.figure, bar.bars, "key", self._clicked)
        return pn.Column(self._by, flow(
            *[pn.pane.Bokeh(bar.figure, sizing_mode="stretch_width")
              for bar in self._bars.values()], basis=300), note(
            f"The {SEGMENT_TOP_N} segments with the most spend; the rest are summed into "
            f"“{OTHER}”, whose ratios are computed from those sums. A segment with no leads "
            f"(or no qualified leads) has no CPL (or cost per qualified lead) and shows as 0 "
            f"with “–” on hover. Click a bar to keep only that segment."),
            sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        # the breakdown too: changed while hidden (a link, back/forward), drawn when shown
        return (self.by, *(data.segments.get(key) for key in KEYS))

    def _clicked(self, value: str) -> None:
        key = self.by
        self.store.cross_filter(key, int(value) if key == "business_user" else value)

    def _on_by(self, _event) -> None:
        if self.active:
            self._update()  # the same charts redrawn in place

    def draw(self, data) -> None:
        key = self.by
        for metric, show, color in CHARTS:
            title = METRICS[metric].label
            bar = self._bars[metric]
            if bar.hover.tooltips[0][0] != KEYS[key]:
                bar.hover.tooltips = tooltips(key, title)
            bar.show(bar_columns(data.segments[key], key, metric, show, color), "label")
