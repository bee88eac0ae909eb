"""Chart models at their edges: colour columns stay strings even when a chart has no rows
(BokehJS throws "invalid color array" at a numeric one), and a donut without leads says so."""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource

from app.views import charts
from app.views.outcomes import Donut


def _color_columns(fig) -> list:
    return [source.data[name] for source in fig.select({"type": ColumnDataSource})
            for name in source.data if "color" in name]


def test_bars_without_rows_keep_a_string_colour_column():
    empty = pd.DataFrame({"stage": pd.Series([], dtype=str), "leads": pd.Series([], dtype=int)})
    for color in ("#1a5fb4", []):
        bars = charts.HBar("t", [])
        bars.update(empty, "stage", "leads", color)
        columns = _color_columns(bars.figure)
        assert columns and all(str(getattr(c, "dtype", "object")) == "object" for c in columns)


def test_status_donut_without_leads_shows_a_message_not_an_empty_ring():
    donut = Donut()
    donut.update(pd.DataFrame({"lead_status": ["NEW_LEAD"], "leads": [0], "share": [0.0]}))
    assert "No lead statuses" in donut.message.object and donut.message.visible
    assert not donut.figure.visible
    donut.update(pd.DataFrame({"lead_status": ["NEW_LEAD"], "leads": [3], "share": [1.0]}))
    assert not donut.message.visible and donut.figure.visible
    assert donut.center.data["text"] == ["3"]
