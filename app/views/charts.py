"""Small Bokeh charts shared by the views, built once per session and updated in place: a
change sets the chart's data source, factors and ranges (a few ms), never new models. Plain
Bokeh glyphs: the bar, donut and heatmap shapes here have no hvPlot element that updates in
place more cheaply (the trend lines are hvPlot, app/views/trends.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from bokeh.models import (
    BasicTicker,
    ColorBar,
    ColumnDataSource,
    HoverTool,
    LinearColorMapper,
    NumeralTickFormatter,
    TapTool,
    Title,
)
from bokeh.palettes import Blues256
from bokeh.plotting import figure

TITLE_SIZE = "11pt"
BAR_COLOR = "#1a5fb4"


def subtitle(fig, text: str) -> Title:
    """A smaller second line under `fig`'s title; returned, to change its text later."""
    line = Title(text=text, text_font_size="9pt", text_font_style="normal",
                 text_color="#5f6b7a")
    fig.add_layout(line, "above")
    return line


def _style(fig, title: str) -> None:
    fig.title.text = title
    fig.title.text_font_size = TITLE_SIZE
    fig.title.text_color = "#1d2733"
    fig.outline_line_color = None
    fig.toolbar_location = None
    fig.axis.axis_line_color = "#c9d1db"
    fig.axis.major_tick_line_color = "#c9d1db"
    fig.axis.minor_tick_line_color = None
    fig.axis.major_label_text_color = "#3b4654"
    fig.axis.axis_label_text_font_size = "9pt"
    fig.axis.axis_label_text_font_style = "normal"
    fig.grid.grid_line_color = "#eef1f4"


def on_click(fig, renderer, column: str, act: Callable[[object], None]) -> None:
    """A click on one of `renderer`'s shapes calls `act` with that row's `column` value (a row
    whose value is None or "" does nothing: e.g. the "Other" bar). The selection is cleared
    at once: the chart is never dimmed, and clicking the same shape again acts again."""
    fig.add_tools(TapTool(renderers=[renderer]))
    renderer.nonselection_glyph = None  # nothing fades while the filter applies
    renderer.selection_glyph = None
    source = renderer.data_source

    def selected(_attr, _old, new) -> None:
        if not new:
            return
        source.selected.indices = []
        values = source.data.get(column)
        if values is not None and len(values) > new[0]:
            value = values[new[0]]
            if value is not None and value != "":
                act(value)
    source.selected.on_change("indices", selected)


def bar_data(frame: pd.DataFrame, category: str, value: str, color) -> dict:
    """A bar chart's source: the frame's columns plus `_cat` (text), `_value` and `_color`
    (strings even without rows: BokehJS refuses a colour column sent as numbers)."""
    colors = [color] * len(frame) if isinstance(color, str) else list(color)
    data = {str(name): frame[name].to_numpy() for name in frame.columns}
    data.update(_cat=[str(c) for c in frame[category]],
                _value=frame[value].to_numpy(dtype=float),
                _color=pd.Series(colors, dtype=object).to_numpy())
    return data


def value_end(values, headroom: float = 1.1) -> float:
    """A value axis's end for values drawn from 0: `headroom` times the largest (by default
    Bokeh's own 10% padding), 1 when none is above 0; set by the server. Left to the browser,
    each new range was computed there and sent back, one more round of messages per chart and
    change."""
    values = np.asarray(values, dtype=float)
    top = np.nanmax(values) if np.any(~np.isnan(values)) else 0.0
    return float(top) * headroom if top > 0 else 1.0


def set_value_end(axis_range, values) -> None:
    """Set a bar chart's value axis to `value_end(values)`, only when it moves (no message
    otherwise)."""
    end = value_end(values)
    if axis_range.end != end:
        axis_range.end = end


def bars_height(bars: int) -> int:
    """Pixels for a horizontal bar chart of `bars` bars (title and axis included)."""
    return 70 + 26 * bars


class HBar:
    """Horizontal bars, first row on top; the height follows the number of bars unless fixed."""

    def __init__(self, title: str, tooltips: list, number_format: str = "0,0",
                 height: int | None = None, axis_label: str | None = None):
        self.fixed_height = height
        self.source = ColumnDataSource(bar_data(pd.DataFrame({"c": [], "v": []}), "c", "v", []))
        self.figure = fig = figure(y_range=[], height=height or 70, sizing_mode="stretch_width",
                                   x_axis_label=axis_label)
        self.bars = fig.hbar(y="_cat", right="_value", height=0.72, color="_color",
                             source=self.source)
        self.hover = HoverTool(tooltips=tooltips)
        fig.add_tools(self.hover)
        fig.xaxis.formatter = NumeralTickFormatter(format=number_format)
        fig.xaxis.ticker.desired_num_ticks = 4
        if number_format == "0,0":  # counts: no fractional ticks
            fig.xaxis.ticker.min_interval = 1
        fig.x_range.start = 0
        fig.ygrid.grid_line_color = None
        _style(fig, title)

    def update(self, frame: pd.DataFrame, category: str, value: str, color=BAR_COLOR) -> None:
        self.show(bar_data(frame, category, value, color), "_cat")

    def show(self, columns: dict, category: str) -> None:
        """Columns ready to draw: `category`, `_value` and `_color` (strings) among them."""
        columns = {**columns, "_cat": [str(c) for c in columns[category]]}
        factors = list(reversed(columns["_cat"]))
        if list(self.figure.y_range.factors) != factors:
            self.figure.y_range.factors = factors
        if self.fixed_height is None and self.figure.height != bars_height(len(factors)):
            self.figure.height = bars_height(len(factors))
        set_value_end(self.figure.x_range, columns["_value"])
        self.source.data = columns


class VBar:
    """Vertical bars over fixed categories."""

    def __init__(self, categories: list[str], title: str, tooltips: list,
                 number_format: str = "0,0", height: int = 300, axis_label: str | None = None):
        self.source = ColumnDataSource(bar_data(pd.DataFrame({"c": [], "v": []}), "c", "v", []))
        self.figure = fig = figure(x_range=list(categories), height=height,
                                   sizing_mode="stretch_width", y_axis_label=axis_label)
        fig.vbar(x="_cat", top="_value", width=0.75, color="_color", source=self.source)
        fig.add_tools(HoverTool(tooltips=tooltips))
        fig.yaxis.formatter = NumeralTickFormatter(format=number_format)
        if number_format == "0,0":  # counts: no half-step ticks that round to repeated labels
            fig.yaxis.ticker.min_interval = 1
        fig.y_range.start = 0
        fig.xgrid.grid_line_color = None
        _style(fig, title)

    def update(self, frame: pd.DataFrame, category: str, value: str, color=BAR_COLOR) -> None:
        data = bar_data(frame, category, value, color)
        set_value_end(self.figure.y_range, data["_value"])
        self.source.data = data


class Heatmap:
    """A value per (x, y) cell over fixed categories, with a colour bar."""

    def __init__(self, x: str, y: str, value: str, title: str, tooltips: list,
                 x_order: list, y_order: list, height: int = 300):
        self.source = ColumnDataSource({x: [], y: [], value: []})
        self.mapper = LinearColorMapper(palette=list(reversed(Blues256))[20:], low=0, high=1)
        self.value = value
        self.figure = fig = figure(x_range=x_order, y_range=list(reversed(y_order)),
                                   height=height, sizing_mode="stretch_width")
        fig.rect(x=x, y=y, width=1, height=1, source=self.source,
                 fill_color={"field": value, "transform": self.mapper}, line_color="white")
        fig.add_layout(ColorBar(color_mapper=self.mapper, ticker=BasicTicker(desired_num_ticks=5),
                                formatter=NumeralTickFormatter(format="0,0"), width=10,
                                major_label_text_font_size="8pt"), "right")
        fig.add_tools(HoverTool(tooltips=tooltips))
        fig.grid.grid_line_color = None
        fig.axis.major_label_text_font_size = "8pt"
        _style(fig, title)

    def update(self, frame: pd.DataFrame) -> None:
        self.mapper.high = max(float(frame[self.value].max()), 1.0) if len(frame) else 1.0
        self.source.data = {str(name): frame[name].to_numpy() for name in frame.columns}
