"""Shared view texts and styles: the empty state ("No data for these filters"), error
messages and notes, so a view never shows an exception or a blank chart."""

from __future__ import annotations

import html

import panel as pn

from app.views.html_box import HtmlBox

EMPTY_TEXT = "No data for these filters"
EMPTY_HINT = "Widen the date range, clear the campaign search or press “Reset filters”."

CSS = """
.cbi-empty { padding: 28px 16px; text-align: center; color: #5f6b7a;
  border: 1px dashed #c9d1db; border-radius: 6px; background: #fafbfc; }
.cbi-empty .cbi-empty-title { font-size: 1.05em; font-weight: 600; color: #3b4654; }
.cbi-empty .cbi-empty-hint { font-size: 0.9em; margin-top: 4px; }
.cbi-error { padding: 12px 16px; border-radius: 6px; background: #fdecea; color: #8a1c12; }
.cbi-note { font-size: 0.85em; color: #5f6b7a; }
"""


def note_html(text: str) -> str:
    return f'<div class="cbi-note">{html.escape(text)}</div>'


def note(text: str, **kwargs) -> HtmlBox:
    kwargs.setdefault("margin", (0, 10))
    return HtmlBox(note_html(text), css=CSS, **kwargs)


def flow(*items, basis: int = 320):
    """Items side by side while each can be at least `basis` px wide, stacked full width when
    not (a phone): one flexible row that wraps."""
    for item in items:
        item.styles = {**item.styles, "flex": f"1 1 {basis}px", "min-width": "0"}
    return pn.FlexBox(*items, flex_wrap="wrap", sizing_mode="stretch_width")
