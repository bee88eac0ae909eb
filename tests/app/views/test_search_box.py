"""The campaign search applies as you type, once typing pauses, and at once on Enter."""

from __future__ import annotations

import panel as pn
import param
from panel.io.state import set_curdoc

from app.views.search_box import SearchBox


class Filters(param.Parameterized):
    campaign_search = param.String(default="")


class FakeDoc:
    """A served document's timer calls, run by hand."""

    session_context = True

    def __init__(self):
        self.timers: list = []

    def add_timeout_callback(self, callback, ms):
        self.timers.append(callback)
        return callback

    def remove_timeout_callback(self, callback):
        self.timers.remove(callback)


def test_typing_applies_once_after_the_pause():
    state, doc = Filters(), FakeDoc()
    box = SearchBox(state)
    with set_curdoc(doc):
        for text in ("s", "si", "sil"):
            box.widget.value_input = text
        assert state.campaign_search == ""  # still typing
        assert len(doc.timers) == 1  # earlier keystrokes' timers were cancelled
        doc.timers.pop()()
    assert state.campaign_search == "sil"


def test_enter_applies_at_once_and_reset_empties_the_box():
    state, doc = Filters(), FakeDoc()
    box = SearchBox(state)
    with set_curdoc(doc):
        box.widget.value_input = "kings"
        box.widget.value = "kings"
        assert state.campaign_search == "kings" and not doc.timers
    state.campaign_search = ""  # Reset
    assert box.widget.value == "" and box.widget.value_input == ""


def test_not_served_applies_at_once():
    state = Filters()
    box = SearchBox(state)
    assert pn.state.curdoc is None
    box.widget.value_input = "2933"
    assert state.campaign_search == "2933"
