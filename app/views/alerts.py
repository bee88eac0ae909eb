"""Firing alerts: which campaigns break which rule (thresholds in semantic/runtime/alerts.toml).

A page of 20 at a time, sorted and filtered by rule on the server, drawn by the same plain
table as the campaigns (app/views/grid.py)."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import param

from app.views import format as fmt
from app.views.grid import PageGrid
from app.views.html_box import HtmlBox
from app.views.live import LiveView, message_html
from app.views.pager import Pager, clamped
from app.views.states import CSS, note_html

ALERT_CSS = CSS + """
.alert-counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 8px; }
.alert-count { padding: 4px 10px; border-radius: 12px; background: #fde7e4; color: #8a1c12;
  font-size: 0.88em; font-weight: 600; }
.alert-count.zero { background: #e6f4ea; color: #137333; }
.alert-legend { margin: 0 0 6px; padding-left: 18px; }
"""
PAGE_SIZE = 20
ALL_RULES = "All alerts"
TITLES = {"campaign": "Campaign", "project": "Project", "business_user": "Business user",
          "label": "Alert", "value": "Value", "threshold": "Threshold"}
NUMERIC = ("value", "threshold")


def shown(value, unit: str) -> str:
    if unit == "money":
        return fmt.money(value)
    return fmt.by_unit(value, unit)


def grid_columns() -> list[dict]:
    return [{"field": f, "title": t, "numeric": f in NUMERIC} for f, t in TITLES.items()]


def alert_cells(frame: pd.DataFrame) -> list[list[str]]:
    """Rows as the table shows them: ids as plain numbers, value and threshold in the rule's
    unit."""
    return [[str(campaign), str(project), str(user), str(label), shown(value, unit),
             shown(threshold, unit)]
            for campaign, project, user, label, value, threshold, unit in zip(
                frame["campaign"], frame["project"], frame["business_user"], frame["label"],
                frame["value"], frame["threshold"], frame["unit"], strict=True)]


def alert_page(alerts: pd.DataFrame, label: str, sort: str, page: int,
               size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of the alerts of one rule label (or all), in the rules' own order (each rule's
    most severe first) or sorted by a column ("field:asc|desc"; ties keep that order)."""
    frame = alerts if label == ALL_RULES else alerts[alerts["label"] == label]
    field, _, direction = sort.partition(":")
    if field in TITLES:
        frame = frame.sort_values(field, ascending=direction == "asc", kind="stable",
                                  na_position="last")
    start = (page - 1) * size
    return frame.iloc[start:start + size], len(frame)


def counts_html(alerts: pd.DataFrame, rules: dict[str, dict]) -> str:
    """One chip per enabled rule with its count; hovering a chip tells what the rule checks."""
    counts = alerts["rule"].value_counts() if not alerts.empty else pd.Series(dtype=int)
    chips = "".join(
        f'<span class="alert-count{" zero" if not counts.get(rule, 0) else ""}" '
        f'title="{html.escape(spec.get("description", ""))}">'
        f'{html.escape(spec.get("label", rule))}: {int(counts.get(rule, 0)):,}</span>'
        for rule, spec in rules.items())
    legend = "".join(f'<li><b>{html.escape(spec.get("label", rule))}</b>: '
                     f'{html.escape(spec.get("description", ""))}</li>'
                     for rule, spec in rules.items())
    return (f'<div class="alert-counts">{chips}</div>'
            f'<ul class="cbi-note alert-legend">{legend}</ul>')


class AlertsView(LiveView):
    part = "alerts"
    page = param.Integer(default=1, bounds=(1, None))
    rule = param.String(default=ALL_RULES)
    sort = param.String(default="")

    def build(self):
        self._head = HtmlBox("", css=ALERT_CSS)
        self._wait = HtmlBox("", css=CSS, visible=False)
        self._none = HtmlBox(message_html(
            "empty", "No alerts for these filters",
            "Every campaign in these filters is within the alert thresholds."), css=CSS,
            visible=False)
        self._rules = pn.widgets.Select(name="Show", options=[ALL_RULES], width=260)
        self._rules.link(self, value="rule")
        self._grid = PageGrid(kind="alerts", columns=grid_columns(), sizing_mode="stretch_width")
        self._grid.link(self, sort="sort")
        self._pager = Pager("Alerts", lambda step: self._go(self.page + step))
        self._table = pn.Column(self._rules, self._grid, self._pager.row(),
                                sizing_mode="stretch_width")
        self.param.watch(lambda *_: self._show_page(), ["page"])
        self.param.watch(self._restart, ["rule", "sort"])
        return pn.Column(self._wait, self._head, self._none, self._table,
                         sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return (data.alerts, data.campaign_count if data.alerts is None else None)

    def draw(self, data) -> None:
        from semantic.runtime.alerts import load_config

        alerts = data.alerts
        waiting = alerts is None  # a very large scope: computed right after the first paint
        self._wait.visible = waiting
        if waiting:
            self._wait.object = note_html(
                f"Checking {data.campaign_count:,} campaigns against the alert rules…")
        rules = {name: spec for name, spec in load_config().items()
                 if spec.get("enabled", True)}
        self._head.visible = not waiting
        self._none.visible = not waiting and alerts.empty
        self._table.visible = not waiting and not alerts.empty
        if waiting:
            return
        self._head.object = counts_html(alerts, rules)
        # distinct labels by the column's own unique (a Python set iterated every alert row of
        # the Arrow column: ~100 ms for a whole platform at 100x on every drawing)
        labels = [ALL_RULES, *sorted(str(label) for label in alerts["label"].dropna().unique())]
        self._rules.options = labels
        with param.parameterized.discard_events(self):
            self.page = 1  # new data: its first page
            if self.rule not in labels:
                self.rule = ALL_RULES
        self._rules.value = self.rule
        self._show_page()

    def clear(self) -> None:
        self._grid.page = {"rows": [], "hot": []}

    def _alerts(self) -> pd.DataFrame | None:
        data = self.store.data
        return None if data is None or data.empty else data.alerts

    def _restart(self, *_events) -> None:
        if self.page != 1:
            self.page = 1  # shows the page through its watcher
        else:
            self._show_page()

    def _go(self, page: int) -> None:
        alerts = self._alerts()
        if alerts is not None:
            _, rows = alert_page(alerts, self.rule, "", 1)
            self.page = clamped(page, rows, PAGE_SIZE)

    def _show_page(self) -> None:
        alerts = self._alerts()
        if alerts is None or self._built is None:
            return
        frame, rows = alert_page(alerts, self.rule, self.sort, self.page)
        with pn.io.hold():
            self._grid.page = {"rows": alert_cells(frame), "hot": []}
            self._pager.show(self.page, PAGE_SIZE, rows)
