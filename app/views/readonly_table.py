"""A Tabulator the page cannot edit (the dashboard's tables only show data)."""

from __future__ import annotations

import panel as pn


class ReadOnlyTable(pn.widgets.Tabulator):
    """Ignores table data coming back from the page. A read-only table never has edits to
    receive, but with `panel serve --num-threads` Panel can handle a stale echo of the table's
    data on a worker thread after the view put a page of another length in: pandas then raises
    "Must have equal len keys and value when setting with an iterable"."""

    def _process_data(self, data) -> None:
        return None
