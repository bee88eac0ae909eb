"""Firing alerts: which campaigns break which rule (thresholds in semantic/alerts.toml)."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import HTMLTemplateFormatter, NumberFormatter

from app import format as fmt
from app.views.readonly_table import ReadOnlyTable
from app.views.states import CSS, empty_state, guarded, note

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


class AlertsView(pn.viewable.Viewer):
    store = param.Parameter()
    active = param.Boolean(default=True, doc="Render only while shown (set by the entry).")

    def _render(self, data):
        from semantic.alerts import load_config

        rules = {name: spec for name, spec in load_config().items()
                 if spec.get("enabled", True)}
        alerts = data.alerts
        if alerts is None:  # a very large scope: computed right after the first paint
            return note(f"Checking {data.campaign_count:,} campaigns against the alert rules…")
        head = pn.pane.HTML(counts_html(alerts, rules), stylesheets=[ALERT_CSS],
                            sizing_mode="stretch_width")
        if alerts.empty:
            return pn.Column(head, empty_state(
                "Every campaign in these filters is within the alert thresholds.",
                title="No alerts for these filters"), sizing_mode="stretch_width")
        frame = alerts.head(MAX_ROWS).copy()
        frame["value_h"] = [shown(v, u) for v, u in zip(frame["value"], frame["unit"],
                                                         strict=True)]
        frame["threshold_h"] = [shown(v, u) for v, u in zip(frame["threshold"], frame["unit"],
                                                             strict=True)]
        table = ReadOnlyTable(
            frame[[*TITLES, "value_h", "threshold_h"]], titles=TITLES, show_index=False,
            disabled=True, hidden_columns=["value_h", "threshold_h"],
            pagination="local", page_size=20, layout="fit_data_table",
            formatters={"campaign": NumberFormatter(format="0", text_align="left"),
                        "business_user": NumberFormatter(format="0", text_align="left"),
                        **shown_formatters()},
            sizing_mode="stretch_width", header_filters={"label": {"type": "list",
                                                                   "valuesLookup": True},
                                                         "project": {"type": "input"}},
            selectable=False)
        parts = [head, table]
        if len(alerts) > MAX_ROWS:
            parts.append(note(f"Showing the first {MAX_ROWS:,} of {len(alerts):,} alerts (each rule's "
                              f"most severe first); "
                              f"narrow the filters, or list them all with `campaign-bi alerts "
                              f"--format json`."))
        return pn.Column(*parts, sizing_mode="stretch_width")

    def __panel__(self):
        return guarded(self.store, self._render, self.param.active)
