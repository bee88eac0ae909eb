"""Previous / Next and the "Campaigns 1–25 of 7,364 · page 1 of 295" line under a table that
the server pages (campaigns, alerts, refused rows). The view owns its page number; the pager
turns it and shows where it stands."""

from __future__ import annotations

import math
from collections.abc import Callable

import panel as pn

from app.views.html_box import HtmlBox
from app.views.states import CSS


def page_count(rows: int, size: int) -> int:
    return max(1, math.ceil(rows / size))


def clamped(page: int, rows: int, size: int) -> int:
    """`page` within the pages `rows` fill (page 1 when there are none)."""
    return max(1, min(page, page_count(rows, size)))


class Pager:
    def __init__(self, noun: str, turn: Callable[[int], None]) -> None:
        """`turn(step)`: the view moves its page by -1 or +1."""
        self.noun = noun
        self.prev = pn.widgets.Button(label="‹ Previous", width=100, disabled=True)
        self.next = pn.widgets.Button(label="Next ›", width=100, disabled=True)
        self.status = HtmlBox("", css=CSS)
        self.prev.on_click(lambda _: turn(-1))
        self.next.on_click(lambda _: turn(+1))

    def show(self, page: int, size: int, rows: int, note: str = "") -> None:
        pages = page_count(rows, size)
        first = (page - 1) * size + 1 if rows else 0
        last = min(page * size, rows)
        self.status.object = (f'<div class="cbi-note">{self.noun} {first:,}–{last:,} of '
                              f'{rows:,} · page {page:,} of {pages:,}{note}</div>')
        self.prev.disabled = page <= 1 or not rows
        self.next.disabled = page >= pages or not rows

    def clear(self) -> None:
        """Nothing to page through."""
        self.status.object = ""
        self.prev.disabled = self.next.disabled = True

    def row(self, *between) -> pn.Row:
        """The buttons, any controls of the view's (`between`), then the status line."""
        return pn.Row(self.prev, self.next, *between, self.status, sizing_mode="stretch_width")
