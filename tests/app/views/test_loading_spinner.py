"""Loading states: only the shown views being recomputed show one, and the spinner only marks models
that live as long as the page. (Panel marks a re-rendering pane's current content too; under
load the server then sent the marking for content the page had just dropped and the page failed
with "reference … isn't known", found by `just load`.)"""

from __future__ import annotations

import panel as pn
from bokeh.document import Document

from app.dashboard import MainArea
from app.state import store
from app.state.layers import get_layer

LOADING = "pn-loading"


def marked(root) -> set[str]:
    return {m.id for m in root.references() if LOADING in (getattr(m, "css_classes", None) or [])}


def marked_while_pending(state, root, parts) -> set[str]:
    state.pending = list(parts)
    ids = marked(root)
    state.pending = []
    assert not marked(root), "the spinner stayed after loading ended"
    return ids


def test_the_spinner_marks_the_same_models_before_and_after_a_refresh(warehouse):
    state = store.DashboardState(get_layer(warehouse))
    area = MainArea(state)
    root = pn.Column(area).get_root(Document())
    for index in range(len(area.tabs)):  # draw every tab's view
        area.tabs.active = index
    area.tabs.active = 0
    before = marked_while_pending(state, root, store.PARTS)
    assert len(before) == 2, "the KPI cards and the campaign table; hidden views show none"
    assert not marked_while_pending(state, root, ["trends"]), "the trends are hidden"
    area.tabs.active = area.names.index("trends")
    assert len(marked_while_pending(state, root, ["trends"])) == 1, "only the trends"
    state.pending = ["outcomes"]  # a view shown while its data is coming shows its spinner
    area.tabs.active = area.names.index("outcomes")
    assert len(marked(root)) == 1
    state.pending = []
    assert not marked(root)
    area.tabs.active = 0

    state.apply_quick_range("Last 7 days")  # every drawn view gets new data
    for index in range(len(area.tabs)):
        area.tabs.active = index
    area.tabs.active = 0
    after = marked_while_pending(state, root, store.PARTS)
    assert after == before, "the spinner marked content that a refresh replaces"
