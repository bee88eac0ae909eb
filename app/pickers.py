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


def safe_labels(values) -> dict[str, object]:
    """{label shown as text: value}; html.escape is injective, so no two values collide."""
    return {html.escape(str(value), quote=False): value for value in values}


def data_choice(owner: param.Parameterized, name: str, **widget_params) -> pn.widgets.MultiChoice:
    """A MultiChoice for list parameter `name` of `owner`, kept in sync both ways."""
    parameter = owner.param[name]
    widget = pn.widgets.MultiChoice(
        name=parameter.label, options=safe_labels(parameter.objects),
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
