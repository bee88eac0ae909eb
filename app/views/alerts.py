"""Firing alerts: which campaigns break which rule (thresholds in semantic/alerts.toml)."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
from bokeh.models.widgets.tables import HTMLTemplateFormatter, NumberFormatter

from app import format as fmt
from app.views.html_box import HtmlBox
from app.views.live import LiveView, message_html
from app.views.states import CSS, note_html

ALERT_CSS = CSS + """
.alert-counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 8px; }
.alert-count { padding: 4px 10px; border-radius: 12px; background: #fde7e4; color: #8a1c12;
  font-size: 0.88em; font-weight: 600; }
.alert-count.zero { background: #e6f4ea; color: #137333; }
.alert-legend { margin: 0 0 6px; padding-left: 18px; }
"""
MAX_ROWS = 2000
TITLES = {"campaign": "Campaign", "project": "Project", "business_user": "Business user",
          "label": "Alert", "value": "Value", "threshold": "Threshold"}


def shown_formatters() -> dict:
    """Numeric columns (sortable as numbers) shown through their per-row formatted text. Fresh
    models per table: a Tabulator registers callbacks on its formatters, so shared ones would
    keep every table ever drawn alive."""
    return {column: HTMLTemplateFormatter(
        template=f'<div style="text-align:right"><%= {column}_h %></div>')
        for column in ("value", "threshold")}


def shown(value, unit: str) -> str:
    if unit == "money":
        return fmt.money(value)
    return fmt.by_unit(value, unit)


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


def alert_rows(alerts: pd.DataFrame) -> pd.DataFrame:
    frame = alerts.head(MAX_ROWS)
    return frame.assign(
        value_h=[shown(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)],
        threshold_h=[shown(v, u) for v, u in zip(frame["threshold"], frame["unit"],
                                                 strict=True)],
    )[[*TITLES, "value_h", "threshold_h"]].reset_index(drop=True)


class AlertsView(LiveView):
    part = "alerts"

    def build(self):
        self._head = HtmlBox("", css=ALERT_CSS)
        self._wait = HtmlBox("", css=CSS, visible=False)
        self._none = HtmlBox(message_html(
            "empty", "No alerts for these filters",
            "Every campaign in these filters is within the alert thresholds."), css=CSS,
            visible=False)
        self._table = pn.widgets.Tabulator(
            pd.DataFrame(columns=[*TITLES, "value_h", "threshold_h"]), titles=TITLES,
            show_index=False, disabled=True, hidden_columns=["value_h", "threshold_h"],
            pagination="local", page_size=20, layout="fit_data_table",
            formatters={"campaign": NumberFormatter(format="0", text_align="left"),
                        "business_user": NumberFormatter(format="0", text_align="left"),
                        **shown_formatters()},
            sizing_mode="stretch_width", header_filters={"label": {"type": "list",
                                                                   "valuesLookup": True},
                                                         "project": {"type": "input"}},
            selectable=False)
        self._more = HtmlBox("", css=CSS, visible=False)
        return pn.Column(self._wait, self._head, self._none, self._table, self._more,
                         sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return (data.alerts, data.campaign_count if data.alerts is None else None)

    def draw(self, data) -> None:
        from semantic.alerts import load_config

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
        self._more.visible = not waiting and len(alerts) > MAX_ROWS
        if waiting:
            return
        self._head.object = counts_html(alerts, rules)
        if not alerts.empty:
            self._table.value = alert_rows(alerts)
        if len(alerts) > MAX_ROWS:
            self._more.object = note_html(
                f"Showing the first {MAX_ROWS:,} of {len(alerts):,} alerts (each rule's most "
                f"severe first); narrow the filters, or list them all with `campaign-bi alerts "
                f"--format json`.")
