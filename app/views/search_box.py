"""The campaign search box: applies as you type, once typing pauses (debounced), and at once on
Enter; Reset (or any change of the store's search) empties it."""

from __future__ import annotations

import panel as pn

#: Typing pause after which the search applies.
DEBOUNCE_MS = 300


class SearchBox:
    def __init__(self, state, delay_ms: int = DEBOUNCE_MS, **widget_params) -> None:
        self.state, self.delay_ms = state, delay_ms
        self._timer = None
        self.widget = pn.widgets.TextInput(value=state.campaign_search, **widget_params)
        self.widget.param.watch(self._typed, "value_input")
        self.widget.param.watch(self._entered, "value")
        state.param.watch(self._show, "campaign_search")

    def _typed(self, event) -> None:
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:  # not served (tests): at once
            self._apply(event.new)
            return
        self._cancel(doc)
        self._timer = doc.add_timeout_callback(lambda: self._apply(self.widget.value_input),
                                               self.delay_ms)

    def _entered(self, event) -> None:
        self._cancel(pn.state.curdoc)
        self._apply(event.new)

    def _cancel(self, doc) -> None:
        if self._timer is not None and doc is not None:
            try:
                doc.remove_timeout_callback(self._timer)
            except ValueError:  # it has run already
                pass
        self._timer = None

    def _apply(self, text) -> None:
        self._timer = None
        text = text or ""
        if text != self.state.campaign_search:
            self.state.campaign_search = text

    def _show(self, event) -> None:
        if event.new != self.widget.value_input:
            self.widget.param.update(value=event.new, value_input=event.new)
