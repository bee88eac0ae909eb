"""Shared view states: loading, empty ("No data for these filters") and error messages, so a
view never shows an exception or a blank chart."""

from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn
from param.parameterized import Skip

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


def empty_state(hint: str = EMPTY_HINT, title: str = EMPTY_TEXT, **kwargs) -> pn.pane.HTML:
    return pn.pane.HTML(
        f'<div class="cbi-empty"><div class="cbi-empty-title">{html.escape(title)}</div>'
        f'<div class="cbi-empty-hint">{html.escape(hint)}</div></div>',
        stylesheets=[CSS], sizing_mode="stretch_width", **kwargs)


def error_state(message: str) -> pn.pane.HTML:
    return pn.pane.HTML(f'<div class="cbi-error">{html.escape(message)}</div>',
                        stylesheets=[CSS], sizing_mode="stretch_width")


def note(text: str, **kwargs) -> pn.pane.HTML:
    return pn.pane.HTML(f'<div class="cbi-note">{html.escape(text)}</div>', stylesheets=[CSS],
                        sizing_mode="stretch_width", margin=(0, 10), **kwargs)


def content(data, error: str, render: Callable[[object], object]):
    """What a view shows: the store's error, the empty state, or `render(data)`."""
    if error:
        return error_state(error)
    if data is None or data.empty:
        hint = data.notes[0] if data is not None and data.notes else EMPTY_HINT
        return empty_state(hint)
    try:
        return render(data)
    except Exception as exc:  # a view must never take the page down
        return error_state(f"This view could not be drawn: {exc}")


def guarded(store, render: Callable[[object], object], active=None):
    """A reactive `content` with a loading indicator while the store refreshes. With `active`
    (a boolean parameter) it renders only while active: a hidden tab is drawn when it is
    shown, and only if its data changed meanwhile."""
    shown: dict = {}

    def view(data, error, is_active=True):
        if not is_active or (shown and shown["data"] is data and shown["error"] == error):
            raise Skip  # keep what is drawn; redraw once shown again
        shown.update(data=data, error=error)
        return content(data, error, render)

    refs = [store.param.data, store.param.error] + ([active] if active is not None else [])
    panel = pn.panel(pn.bind(view, *refs), defer_load=False, sizing_mode="stretch_width")
    return loading_wrapper(store, panel)


def loading_wrapper(store, component):
    """`component` with a loading spinner while the store refreshes. The spinner sits on a
    wrapper that lives as long as the page: on a pane that re-renders, Panel also marks the
    pane's current content, and a marking sent for content the page has just dropped or not
    yet received fails in the browser ("reference … isn't known", seen under load)."""
    wrapper = pn.Column(component, sizing_mode="stretch_width", loading=store.loading)
    store.param.watch(lambda event: setattr(wrapper, "loading", event.new), "loading")
    return wrapper
