"""An HTML block whose text is replaced in place.

A Panel HTML pane re-sends its whole set of stylesheets as new models each time its `.object`
changes (Panel 1.9 `Markup._update`): 3 new models per pane per click. A Bokeh `Div` behind a
`pn.pane.Bokeh` changes only its `text`."""

from __future__ import annotations

import panel as pn
from bokeh.models import Div, InlineStyleSheet

#: Bokeh draws a Div's text in a shrink-to-fit box; the dashboard's blocks (a grid of cards, a
#: wrapping totals line) need the full width.
FULL_WIDTH = ".bk-clearfix { display: block; width: 100%; }\n"


class HtmlBox:
    def __init__(self, text: str = "", css: str = "", visible: bool = True, **layout) -> None:
        layout.setdefault("sizing_mode", "stretch_width")
        # disable_math: text from the data (a project named "$$x$$") is never typeset as TeX
        self.div = Div(text=text, visible=visible, disable_math=True,
                       stylesheets=[InlineStyleSheet(css=FULL_WIDTH + css)], **layout)
        self.pane = pn.pane.Bokeh(self.div, sizing_mode=layout["sizing_mode"])

    @property
    def object(self) -> str:
        return self.div.text

    @object.setter
    def object(self, text: str) -> None:
        if text != self.div.text:
            self.div.text = text

    @property
    def visible(self) -> bool:
        return self.div.visible

    @visible.setter
    def visible(self, shown: bool) -> None:
        if bool(shown) != self.div.visible:
            self.div.visible = bool(shown)

    def __panel__(self):
        return self.pane
