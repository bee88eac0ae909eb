"""Data health (admins): the last ingest's files, whether every file reconciles (rows and the
insights' spend, clicks, impressions, reach), the data-quality findings with their lines, and
the refused rows. The same whatever the filters: it follows the data version only."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import param

from app.views import format as fmt
from app.views.grid import PageGrid
from app.views.html_box import HtmlBox
from app.views.live import LiveView
from app.views.pager import Pager, clamped
from app.views.states import CSS
from semantic.runtime.health import REJECTS_PAGE

HEALTH_CSS = CSS + """
.health h4 { margin: 10px 0 4px; font-size: 0.95em; }
.health table { border-collapse: collapse; font-size: 0.86em; margin-bottom: 6px;
  font-variant-numeric: tabular-nums; }
.health th, .health td { padding: 3px 10px; border-bottom: 1px solid #edf0f3; text-align: left; }
.health td.num, .health th.num { text-align: right; }
.health .ok { color: #137333; font-weight: 600; } .health .bad { color: #8a1c12; font-weight: 600; }
"""
REJECT_COLUMNS = [{"field": "file", "title": "File", "numeric": False},
                  {"field": "line", "title": "Line", "numeric": True},
                  {"field": "column", "title": "Column", "numeric": False},
                  {"field": "value", "title": "Value", "numeric": False},
                  {"field": "reason", "title": "Reason", "numeric": False}]


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{text}</{tag}>"
    header = "".join(cell("th", i, html.escape(h)) for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _amount(measure: str, value) -> str:
    return fmt.money(value) if measure == "spend" else fmt.integer(value)


def health_html(health) -> str:
    """Everything but the refused rows, escaped (file names, kinds and details are data)."""
    if health.version is None:
        return '<div class="health"><p>No ingest recorded in this warehouse.</p></div>'
    parts = [f'<div class="health"><p>Last ingest <b>{html.escape(str(health.loaded_at))[:19]}'
             f'</b> from <code>{html.escape(health.source_dir or "?")}</code> · data version '
             f'<code>{html.escape(health.version)}</code></p>']
    files = [[html.escape(r.file), *(f"{int(v):,}" for v in (r.read, r.loaded, r.duplicates,
                                                             r.rejected))]
             for r in health.files.itertuples()]
    parts += ["<h4>Files</h4>",
              _table(["file", "read", "loaded", "exact duplicates", "rejected"], files,
                     {1, 2, 3, 4})]
    rows = []
    for r in health.reconciliation.itertuples():
        balanced = r.in_file == r.loaded + r.duplicates + r.rejected
        verdict = '<span class="ok">✓ reconciles</span>' if balanced else \
            '<span class="bad">✗ does not add up</span>'
        rows.append([html.escape(r.file), html.escape(r.measure),
                     *(_amount(r.measure, v) for v in (r.in_file, r.loaded, r.duplicates,
                                                       r.rejected)),
                     f"{int(r.unreadable):,}", verdict])
    parts += ["<h4>Reconciliation (in the file = loaded + duplicates + rejected)</h4>",
              _table(["file", "measure", "in the file", "loaded", "duplicates", "rejected",
                      "unreadable", ""], rows, {2, 3, 4, 5, 6})
              if rows else "<p>Not recorded by the ingest that built this warehouse.</p>"]
    issues = [[html.escape(r.file), html.escape(r.kind), f"{int(r.rows):,}",
               html.escape(r.detail)] for r in health.issues.itertuples()]
    parts += ["<h4>Loaded and flagged (implausible, not invalid)</h4>",
              _table(["file", "what", "rows", "where"], issues, {2})
              if issues else "<p>Nothing flagged.</p>"]
    parts.append(f"<h4>Rejected rows: {health.reject_count:,}</h4></div>")
    return "".join(parts)


def reject_cells(rejects: pd.DataFrame) -> list[list[str]]:
    return [[str(r.file), f"{int(r.line):,}" if pd.notna(r.line) else "–",
             str(r.column or ""), str(r.value if r.value is not None else ""), str(r.reason)]
            for r in rejects.itertuples()]


class DataHealthView(LiveView):
    part = "health"
    page = param.Integer(default=1, bounds=(1, None))

    def build(self):
        self._summary = HtmlBox("", css=HEALTH_CSS)
        self._rejects = PageGrid(kind="rejects", columns=REJECT_COLUMNS, sizing_mode="stretch_width")
        self._pager = Pager("Rejected rows", lambda step: self._go(self.page + step))
        self._pager_row = self._pager.row()
        self._count = 0
        self.param.watch(lambda *_: self._show_rejects(), "page")
        return pn.Column(self._summary, self._rejects, self._pager_row,
                         sizing_mode="stretch_width")

    def slice(self, data) -> tuple:
        return (self.store.layer.data_version,)

    def draw(self, data) -> None:
        health = self.store.layer.data_health()
        self._summary.object = health_html(health)
        self._count = health.reject_count
        with param.parameterized.discard_events(self):
            self.page = 1
        self._show_rejects(health.rejects)

    def _go(self, page: int) -> None:
        self.page = clamped(page, self._count, REJECTS_PAGE)

    def _show_rejects(self, rows: pd.DataFrame | None = None) -> None:
        if rows is None:
            rows = self.store.layer.rejected_rows((self.page - 1) * REJECTS_PAGE, REJECTS_PAGE)
        with pn.io.hold():
            self._rejects.page = {"rows": reject_cells(rows), "hot": []}
            self._rejects.visible = self._pager_row.visible = self._count > 0
            self._pager.show(self.page, REJECTS_PAGE, self._count)
