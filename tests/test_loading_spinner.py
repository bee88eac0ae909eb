"""The loading spinner must only mark models that live as long as the page. Panel marks a
re-rendering pane's current content too; under load the server then sent the marking for content
the page had just dropped (or not yet received) and the page failed with "reference … isn't
known" (found by `just load`)."""

from __future__ import annotations

import panel as pn
from bokeh.document import Document

from app.dashboard import build

LOADING = "pn-loading"


def marked(root) -> set[str]:
    return {m.id for m in root.references() if LOADING in (getattr(m, "css_classes", None) or [])}


def marked_while_loading(state, root) -> set[str]:
    state.loading = True
    ids = marked(root)
    state.loading = False
    left = marked(root)
    assert not left, "the spinner stayed after loading ended"
    return ids


def test_the_spinner_marks_the_same_models_before_and_after_a_refresh(warehouse):
    state, page = build(warehouse, served=False)
    root = page.get_root(Document())
    tabs = next(obj for obj in page.select(pn.Tabs) if len(obj) == 5)
    for index in range(len(tabs)):  # draw every tab's view
        tabs.active = index
    tabs.active = 0
    before = marked_while_loading(state, root)
    assert len(before) >= 6, "KPI cards, the campaign table and four tab views show a spinner"

    state.apply_quick_range("Last 7 days")  # every drawn view renders new content
    for index in range(len(tabs)):
        tabs.active = index
    tabs.active = 0
    after = marked_while_loading(state, root)
    assert after == before, "the spinner marked content that a refresh replaces"
