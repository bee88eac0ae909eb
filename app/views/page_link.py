"""The page's view and its URL kept equal: every filter, the tab, the trend grain, the
comparison, the Segments breakdown, the table's sort and page and the open campaign are in the
query string (`app.state.link`); a change is a new browser history entry, and back/forward or
an opened link restores the view. Also the chips of the filters in force and the link's notes
(what of an opened link was ignored).
"""

from __future__ import annotations

import html
from dataclasses import replace
from urllib.parse import urlencode

import panel as pn

from app.state.link import Link, parse
from app.state.store import FILTERS, DashboardState
from app.views.address import AddressBar
from app.views.chips import FilterChips
from app.views.html_box import HtmlBox
from app.views.states import CSS
from semantic.compiler.request import Filters

NOTE_CSS = CSS + ".cbi-link-note { font-size: 0.85em; color: #7a4b00; background: #fff4e0; " \
                 "border-radius: 6px; padding: 4px 10px; }"


def notes_html(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "; ".join(html.escape(n) for n in notes)
    return f'<div class="cbi-link-note">Parts of the link were not used: {items}.</div>'


class PageLink:
    """`area`: the page's `MainArea` (its `tabs`, `names` and `table`)."""

    def __init__(self, state: DashboardState, area, link: Link, notes: list[str],
                 carry: dict | None = None) -> None:
        self.state, self.area, self.table = state, area, area.table
        self._carry = urlencode(sorted((carry or {}).items()))
        self._restoring = False
        self._written = ""
        self.chips = FilterChips(on_remove=state.remove_filter, chips=state.chips(),
                                 sizing_mode="stretch_width")
        self.notes = HtmlBox("", css=NOTE_CSS, visible=False)
        self._restoring = True
        try:
            self._restore_view(link, notes)
        finally:
            self._restoring = False
        self._written = self.address()
        self.bar = AddressBar(query=self._written, margin=(4, 10))
        state.param.watch(self._on_change, [*FILTERS, "grain", "compare"])
        state.param.watch(self._on_data, "data")
        area.tabs.param.watch(self._on_change, "active")
        area.segments.param.watch(self._on_change, "by")
        self.table.param.watch(self._on_change, ["page", "sort_by", "ascending", "opened"])
        self.bar.param.watch(self._on_address, "query")

    # -- the view as a link ----------------------------------------------------------------
    def link(self) -> Link:
        state, table = self.state, self.table
        first, last = state.date_range or (None, None)
        grain = state.grain if state.grain != state.auto_grain(state.date_range) else None
        return Link(
            business_user=tuple(state.business_users), project=tuple(state.projects),
            date_from=first, date_to=last, lead_status=tuple(state.lead_statuses),
            campaign=tuple(state.campaigns), search=state.campaign_search.strip(),
            tab=self.area.names[self.area.tabs.active], grain=grain, compare=state.compare,
            by=self.area.segments.by, sort=(table.sort_by, table.ascending),
            page=table.wanted_page, detail=table.opened)

    def address(self) -> str:
        """The query string of the view, with the parameters it carries (an embed token)."""
        return "&".join(part for part in (self.link().query(), self._carry) if part)

    def _write(self, push: bool) -> None:
        query = self.address()
        if self._restoring or query == self._written:
            return
        self._written = query
        if hasattr(self, "bar"):
            self.bar.show(query, push)

    def _on_data(self, _event) -> None:
        """New data puts the table back on its first page: a correction of the current entry,
        unless the data came for a change not written yet (a store that computes at once)."""
        if self._restoring:
            return
        shown = parse(self._written)[0]  # (a carried parameter is not part of the view)
        self._write(push=replace(self.link(), page=1) != replace(shown, page=1))

    def _on_change(self, *_events) -> None:
        if self._restoring:
            return
        self._write(push=True)
        self.chips.chips = self.state.chips()
        if self.notes.visible:  # the user moved on from the opened link
            self.notes.visible = False

    # -- a link to the view ----------------------------------------------------------------
    def _on_address(self, event) -> None:
        """Back or forward: the browser's entry says which view to show."""
        if event.new == self._written:
            return
        link, notes = parse(event.new)
        self._written = event.new
        self._restoring = True
        try:
            with pn.io.hold():
                notes += self.state.apply_link(link)
                self._restore_view(link, notes)
        finally:
            self._restoring = False
        # always told, even when unchanged: an entry the server sent while the user went back
        # may have landed on top of the one restored here
        self._written = self.address()
        self.bar.show(self._written, push=False)

    def _restore_view(self, link: Link, notes: list[str]) -> None:
        """The view's own parts of `link` (the store has its filters); `notes` shown."""
        names = self.area.names
        if link.tab in names:
            self.area.tabs.active = names.index(link.tab)
        else:
            notes.append(f"tab: {link.tab} is not available here")
            self.area.tabs.active = 0
        self.area.segments.by = link.by
        self.table.param.update(sort_by=link.sort[0], ascending=link.sort[1])
        shown = self.table.resume(link.page)
        if shown is not None and shown != link.page:
            notes.append(f"page {link.page}: the table has {shown} page"
                         f"{'s' if shown != 1 else ''}, its last is shown")
        self.table.opened = self._detail(link.detail, notes)
        self.chips.chips = self.state.chips()
        self.notes.object = notes_html(notes)
        self.notes.visible = bool(notes)

    def _detail(self, campaign: int | None, notes: list[str]) -> int | None:
        """The campaign to open, if this session may see it."""
        if campaign is None:
            return None
        found = self.state.layer.campaigns(filters=Filters(campaign=(campaign,)),
                                           tenant=self.state.tenant)
        if found.empty:
            notes.append(f"detail: campaign {campaign} not found in your data")
            return None
        return campaign

    @property
    def layout(self) -> pn.Column:
        return pn.Column(pn.Row(self.chips, self.bar, sizing_mode="stretch_width"), self.notes,
                         sizing_mode="stretch_width")
