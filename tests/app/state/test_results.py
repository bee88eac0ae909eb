"""The process-wide result cache (app/state/results.py) and the first-page warm-up (app/state/warm.py)."""

from __future__ import annotations

import threading
import time

import pytest
from factories import build_warehouse, campaign, insight

import semantic
from app.state import queries, store
from app.state.results import ResultCache, pinning
from app.state.warm import warm_first_page


def test_least_recently_used_goes_first():
    cache = ResultCache(size=2)
    for key in ("a", "b"):
        cache.get((key, "v1"), lambda k=key: k.upper())
    assert cache.get(("a", "v1"), lambda: "again") == "A"  # a is now the most recent
    cache.get(("c", "v1"), lambda: "C")
    assert cache.get(("b", "v1"), lambda: "recomputed") == "recomputed"
    assert len(cache) == 2


def test_pinned_results_survive_eviction_until_a_new_version_is_pinned():
    cache = ResultCache(size=1)
    with pinning("v1"):
        cache.get(("first page", "v1"), lambda: "page v1")
    for i in range(10):
        cache.get((i, "v1"), lambda i=i: i)
    assert cache.get(("first page", "v1"), lambda: "recomputed") == "page v1"
    with pinning("v2"):
        cache.get(("first page", "v2"), lambda: "page v2")
    cache.unpin_except("v2")
    cache.get(("other", "v2"), lambda: 0)
    assert cache.get(("first page", "v1"), lambda: "gone") == "gone"
    assert cache.get(("first page", "v2"), lambda: "recomputed") == "page v2"


def test_a_key_being_computed_is_waited_for_not_computed_again():
    cache = ResultCache(size=8)
    calls, started = [], threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return "answer"

    answers = []
    first = threading.Thread(target=lambda: answers.append(cache.get(("k", "v"), slow)))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: answers.append(cache.get(("k", "v"), slow)))
              for _ in range(5)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(10)
    assert answers == ["answer"] * 6 and len(calls) == 1


def test_a_failed_computation_lets_the_waiters_try_themselves():
    cache = ResultCache(size=8)
    started = threading.Event()

    def failing():
        started.set()
        time.sleep(0.2)
        raise RuntimeError("database gone")

    errors, answers = [], []

    def first():
        try:
            cache.get(("k", "v"), failing)
        except RuntimeError as exc:
            errors.append(str(exc))

    t1 = threading.Thread(target=first)
    t1.start()
    started.wait(5)
    t2 = threading.Thread(target=lambda: answers.append(cache.get(("k", "v"), lambda: "ok")))
    t2.start()
    t1.join(10)
    t2.join(10)
    assert errors == ["database gone"] and answers == ["ok"]


@pytest.fixture
def layer(tmp_path):
    path = build_warehouse(
        tmp_path / "w.duckdb",
        campaigns=[campaign(1, user=7), campaign(2, user=8)],
        insights=[insight(1, "2024-07-01", spend="10"), insight(2, "2024-07-02", spend="5")])
    with semantic.connect(path) as lay:
        yield lay


def test_the_first_page_is_warmed_once_per_version_and_pinned(layer, monkeypatch):
    monkeypatch.setattr(queries, "RESULTS", ResultCache(size=4))
    computed = []
    real = queries.DashboardQueries.compute
    monkeypatch.setattr(queries.DashboardQueries, "compute",
                        lambda self, *a: computed.append(a) or real(self, *a))
    thread = warm_first_page(layer)
    thread.join(30)
    assert warm_first_page(layer) is None  # same data version: nothing to do
    assert len(computed) == 1
    for i in range(20):  # busy sessions fill the LRU
        queries.RESULTS.get((i, "x", layer.data_version), lambda i=i: i)
    session = store.DashboardState(layer)
    assert len(computed) == 1  # the new session's first page came from the pin
    assert session.data.kpis["spend"] == 15


def test_an_admins_quick_date_picks_are_warmed_and_pinned_with_the_first_page(tmp_path,
                                                                              monkeypatch):
    path = build_warehouse(
        tmp_path / "w.duckdb", campaigns=[campaign(1, user=7)],
        insights=[insight(1, "2024-04-01", spend="100"), insight(1, "2024-06-25", spend="20"),
                  insight(1, "2024-07-02", spend="3"), insight(1, "2024-07-20", spend="1")])
    monkeypatch.setattr(queries, "RESULTS", ResultCache(size=2))
    computed = []
    real = queries.DashboardQueries.compute
    monkeypatch.setattr(queries.DashboardQueries, "compute",
                        lambda self, *a: computed.append(a) or real(self, *a))
    with semantic.connect(path) as layer:
        warm_first_page(layer).join(30)
        # the first page and Last 7 / 30 / 90 days and This month: five different ranges
        assert len(computed) == 5
        for i in range(20):  # busy sessions fill the LRU
            queries.RESULTS.get((i, "x", layer.data_version), lambda i=i: i)
        searched = []
        real_campaigns = layer.campaigns
        monkeypatch.setattr(layer, "campaigns", lambda **kw: searched.append(kw)
                            or real_campaigns(**kw))
        session = store.DashboardState(layer)
        spend = {}
        for name in ("Last 7 days", "Last 30 days", "Last 90 days", "This month", "All data"):
            session.apply_quick_range(name)
            spend[name] = session.data.kpis["spend"]
        assert len(computed) == 5  # every pick came from the pins
        session.campaign_search = "p"  # the campaign's project, "P"
        assert session.data.kpis["spend"] == 124
        assert searched == []  # the campaigns searched were warmed too
    assert spend == {"Last 7 days": 1, "Last 30 days": 24, "Last 90 days": 24,
                     "This month": 4, "All data": 124}
