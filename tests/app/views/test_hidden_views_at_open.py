"""A page's hidden views are put on it as part of opening it (app/views/ahead.py): right after a
browser loaded the page, whatever other sessions do, each view as a document callback of its
own; until then the page counts as opening, so spare chart figures are not made meanwhile."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import panel as pn
from async_support import run

from app.state.refresh import IN_FLIGHT, OPENING
from app.views import ahead
from app.views.ahead import attach_hidden, prepare_hidden

#: how long a served page's document callback takes to come round (a busy event loop)
CALLBACK_DELAY_S = 0.05


class View:
    """A hidden view, built, that records when it was put on its page in `attached`."""

    is_built = True

    def __init__(self, name: str, attached: list[tuple[str, float]]) -> None:
        self.name, self.attached = name, attached

    def build_from_spares(self) -> bool:
        return True

    def attach(self) -> None:
        self.attached.append((self.name, time.monotonic()))


def test_hidden_views_are_put_on_the_page_at_once_even_while_other_sessions_compute(
        monkeypatch):
    attached: list[tuple[str, float]] = []
    scheduled: list[object] = []

    def as_document_callback(callback, schedule=True) -> None:  # served: run on a later tick
        scheduled.append(callback)
        asyncio.get_running_loop().call_later(CALLBACK_DELAY_S, callback)

    monkeypatch.setattr(pn.state, "execute", as_document_callback)

    async def two_pages_load_while_a_third_computes() -> float:
        IN_FLIGHT.begin()  # another session's click is computing all along
        try:
            started = time.monotonic()
            await asyncio.gather(
                attach_hidden([View("a1", attached), View("a2", attached)], None),
                attach_hidden([View("b1", attached), View("b2", attached)], None))
            return started
        finally:
            IN_FLIGHT.end()
    started = run(two_pages_load_while_a_third_computes())
    assert sorted(name for name, _ in attached) == ["a1", "a2", "b1", "b2"]
    assert len(scheduled) == 4, "each view is a document callback of its own"
    # a page's views one after another, the two pages side by side, nothing waited for quiet
    # (with a team clicking there was none: each tab's first showing built its view then)
    assert max(when for _, when in attached) - started < 4 * CALLBACK_DELAY_S


def test_a_page_counts_as_opening_until_its_hidden_views_are_on_it(monkeypatch):
    monkeypatch.setattr(ahead, "SPARES", SimpleNamespace(fill_soon=lambda: None))
    onloads = []
    monkeypatch.setattr(pn.state, "onload", onloads.append)
    monkeypatch.setattr(pn.state, "on_session_destroyed", lambda callback: None)
    seen = []

    class Recording(View):
        def attach(self) -> None:
            seen.append(OPENING.others("someone else"))

    async def scenario() -> tuple[bool, bool]:
        prepare_hidden("page", [Recording("v", [])])
        before_load = OPENING.others("someone else")
        await onloads[0]()
        return before_load, OPENING.others("someone else")
    try:
        assert run(scenario()) == (True, False)
        assert seen == [True], "still opening while its views were put on it"
    finally:
        OPENING.end("page")


def test_hidden_views_are_built_only_once_a_browser_has_loaded_the_page(monkeypatch):
    # a session no browser loads (a health probe, a link checker) built its views before
    monkeypatch.setattr(ahead, "SPARES", SimpleNamespace(fill_soon=lambda: None))
    onloads, built = [], []
    monkeypatch.setattr(pn.state, "onload", onloads.append)
    monkeypatch.setattr(pn.state, "on_session_destroyed", lambda callback: None)
    monkeypatch.setattr(ahead, "build_ahead", lambda *args: built.append(args) or None)

    async def scenario() -> tuple[int, int]:
        prepare_hidden("page", [SimpleNamespace(is_built=False,
                                                build_from_spares=lambda: False)])
        await asyncio.sleep(0.5)
        before = len(built)
        await onloads[0]()
        return before, len(built)
    try:
        assert run(scenario()) == (0, 1)
    finally:
        OPENING.end("page")


def test_views_whose_spares_are_there_are_put_on_the_page_in_one_change(warehouse, monkeypatch):
    """Built on the loop from spares and attached in one document change: one message, one
    pass of Bokeh's bookkeeping; a view without spares is built in the build thread after."""
    from bokeh.document import Document
    from panel.io.state import set_curdoc

    from app.dashboard import MainArea
    from app.state import store
    from app.state.layers import get_layer
    from app.views.spares import SPARES

    run(SPARES.fill())
    store.RESULTS.clear()
    area = MainArea(store.DashboardState(get_layer(warehouse)))
    hidden = [view for _, view in area.views[1:]]
    trends = hidden[0]
    monkeypatch.setattr(SPARES, "take_all", lambda names, take=SPARES.take_all: (
        None if names == trends.spare_parts else take(names)))  # Trends' spares ran out
    doc = Document()
    recomputes = []
    with set_curdoc(doc):
        for root in area.roots:
            doc.add_root(root.get_root(doc))
        real = doc.models.recompute
        monkeypatch.setattr(doc.models, "recompute", lambda: recomputes.append(1) or real())
        monkeypatch.setattr(ahead, "closed", lambda page_doc: False)  # a served page's
        run(ahead.attach_from_spares(hidden, doc))
        in_one_change = len(recomputes)
        assert [view.is_built for view in hidden] == [False] + [True] * (len(hidden) - 1)
        assert [view.renders for view in hidden[1:]] == [1] * (len(hidden) - 1)
        assert all(view._content.objects for view in hidden[1:]), "on the page, drawn"
        assert not trends.is_built, "no figure made on the event loop"

        async def built_in_the_build_thread() -> None:
            await attach_hidden([trends], ahead.build_ahead([trends]))
        run(built_in_the_build_thread())
    assert in_one_change == 1, "one pass of the bookkeeping for all of them"
    assert trends.renders == 1 and trends._content.objects
    every = {model.id for model in doc.models}
    assert all(model.document is doc for model in doc.models) and len(every) > 500
