"""Multi-choice pickers whose option labels come from the data (project names, lead statuses).

Bokeh's MultiChoice draws its options with Choices.js, which inserts labels as HTML: a project
named `<img onerror=...>` would run script in every session that lists it. So the widget gets
{escaped label: raw value} options (Choices.js shows the escaped text as the raw text) and is
linked to the store by hand, because `from_param` would push the raw names back as labels
whenever the choices change (projects narrow when business users change).
"""

from __future__ import annotations

import html

import panel as pn
import param

from app.settings import env_int


def safe_labels(values) -> dict[str, object]:
    """{label shown as text: value}; html.escape is injective, so no two values collide."""
    return {html.escape(str(value), quote=False): value for value in values}


def data_choice(owner: param.Parameterized, name: str, **widget_params) -> pn.widgets.MultiChoice:
    """A MultiChoice for list parameter `name` of `owner`, kept in sync both ways."""
    parameter = owner.param[name]
    widget = pn.widgets.MultiChoice(
        label=parameter.label, options=safe_labels(parameter.objects),
        value=list(getattr(owner, name)), **widget_params)

    def to_owner(event) -> None:
        if list(getattr(owner, name)) != list(event.new):
            setattr(owner, name, list(event.new))

    def to_widget(event) -> None:
        if event.what == "objects":
            widget.options = safe_labels(event.new)
        elif list(widget.value) != list(event.new):
            widget.value = list(event.new)

    widget.param.watch(to_owner, "value")
    owner.param.watch(to_widget, name, what="objects")
    owner.param.watch(to_widget, name)
    return widget


#: Above this many choices a picker searches the database as you type instead of sending every
#: choice to the browser: Choices.js re-filters all options on each keystroke, and with tens of
#: thousands the page takes many seconds to open and a keystroke many more.
FULL_LIST_LIMIT = env_int("CAMPAIGN_BI_PICKER_FULL_LIST", 2000)


#: Bokeh redraws the completion menu on keystrokes only; completions answered by the server
#: after the keystroke must redraw it too, or the first letter typed shows nothing.
_REOPEN_MENU = """
const view = Bokeh.index.find_one(cb_obj);
if (view != null && view.input_el != null && view.input_el.matches(':focus')) {
  view._toggle_menu();
}
"""


class SearchPicker:
    """A picker for many choices: a search box whose completions are the first `limit` matches
    from `search(text, limit)`, and the chosen values as removable chips below it.

    `search` answers the exact match first (semantic/compiler/listing.py `option_matches`), so
    Enter, which takes the first completion shown, picks `199` rather than `1199`. Enter pressed
    before the completions for the text came back (typing fast) finds the menu empty: the box
    then sends the typed text (restrict=False), and the choice it names exactly is picked."""

    def __init__(self, owner: param.Parameterized, name: str, search, placeholder: str,
                 limit: int = 100, **widget_params) -> None:
        self.owner, self.name, self.search, self.limit = owner, name, search, limit
        self.placeholder = placeholder
        chosen = list(getattr(owner, name))
        self.finder = pn.widgets.AutocompleteInput(
            label=owner.param[name].label, placeholder=placeholder, options={},
            min_characters=1, case_sensitive=False, search_strategy="includes",
            restrict=False, **widget_params)
        self.chosen = pn.widgets.MultiChoice(
            options=safe_labels(chosen), value=chosen, visible=bool(chosen), **widget_params)
        self.finder.param.watch(self._complete, "value_input")
        self.finder.jscallback(options=_REOPEN_MENU)
        self.finder.param.watch(self._pick, "value")
        self.chosen.param.watch(self._unpick, "value")
        owner.param.watch(self._show, name)
        self.layout = pn.Column(self.finder, self.chosen, margin=0,
                                sizing_mode=widget_params.get("sizing_mode"))

    def _complete(self, event) -> None:
        text = (event.new or "").strip()
        found = self.search(text, self.limit) if text else []
        # Bokeh's completion menu inserts labels as text (not HTML): raw labels read right
        self.finder.options = {str(value): value for value in found}

    def _pick(self, event) -> None:
        if event.new in (None, ""):
            return
        chosen = event.new if event.new in self.finder.options.values() else \
            self._exact(event.new)
        if chosen is None:
            return  # typed text naming no choice: left in the box to go on typing
        values = list(getattr(self.owner, self.name))
        if chosen not in values:
            setattr(self.owner, self.name, [*values, chosen])
        # ready for the next search ("", not None: Bokeh's value is a string)
        self.finder.value = ""

    def _exact(self, typed):
        """The choice `typed` (text sent by Enter or on leaving the box, not one of the
        completions shown) names exactly, in any case; None if it names none."""
        text = str(typed).strip()
        found = self.search(text, 1) if text else []
        if found and str(found[0]).strip().casefold() == text.casefold():
            return found[0]
        return None

    def _unpick(self, event) -> None:
        if list(getattr(self.owner, self.name)) != list(event.new):
            setattr(self.owner, self.name, list(event.new))

    def _show(self, event) -> None:
        values = list(event.new)
        self.chosen.param.update(options=safe_labels(values), value=values,
                                 visible=bool(values))
        self.finder.placeholder = "Add another (type to search)" if values else self.placeholder


def picker(owner: param.Parameterized, name: str, search, placeholder: str, **widget_params):
    """`data_choice` for a list that fits in the browser, else a `SearchPicker`."""
    if len(owner.param[name].objects) <= FULL_LIST_LIMIT:
        return data_choice(owner, name, placeholder=placeholder, **widget_params)
    widget_params.pop("option_limit", None)
    widget_params.pop("search_option_limit", None)
    return SearchPicker(owner, name, search, placeholder, **widget_params).layout
