"""A running dashboard during ingest: one `semantic.connect(db)` layer (as the dashboard keeps
one per process) answers queries from several threads while `semantic.builder.ingest.ingest` replaces
the file with different data, several times. No query fails, every answer is the data that was
serving when it ran (the old or the new file, never a mix or an error), and after each swap the
same layer — and a dashboard store on it — answers from the new file with a new data_version,
without a restart. (tests/runtime/test_python_api.py swaps a hand-built file once under a thread pool.)"""

from __future__ import annotations

import threading
import time

import pytest

import semantic
from app.state.store import DashboardState
from semantic.builder.ingest import ingest
from semantic.sample import generate

SEQUENCE = (1, 2, 0, 1, 2, 0)  # datasets ingested one after another over dataset 0


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Three different exports and each one's totals (spend, leads, status changes)."""
    root = tmp_path_factory.mktemp("live")
    out = []
    for seed in (11, 12, 13):
        folder = root / f"seed{seed}"
        generate(folder, scale=0.01, seed=seed)
        ingest(folder, root / f"only{seed}.duckdb")
        with semantic.connect(root / f"only{seed}.duckdb") as lay:
            totals = lay.query(["spend", "leads", "status_changes"]).iloc[0]
            out.append((folder, (round(float(totals["spend"]), 2), int(totals["leads"]),
                                 int(totals["status_changes"]))))
    assert len({t for _, t in out}) == 3
    return out


class Readers:
    """Threads asking the layer (metrics, a grouped query, ad-hoc SQL) until stopped; every
    answer is kept with when it was asked and answered."""

    def __init__(self, layer):
        self.layer = layer
        self.stop = threading.Event()
        self.answers: list[tuple[float, float, tuple]] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        kinds = (self._totals, self._by_project, self._sql, self._totals)
        self.threads = [threading.Thread(target=self._run, args=(k,), daemon=True)
                        for k in kinds]

    def _totals(self) -> tuple:
        row = self.layer.query(["spend", "leads", "status_changes"]).iloc[0]
        return round(float(row["spend"]), 2), int(row["leads"]), int(row["status_changes"])

    def _by_project(self) -> tuple:
        df = self.layer.query(["spend", "leads", "status_changes"], ["project"])
        return (round(float(df["spend"].sum()), 2), int(df["leads"].sum()),
                int(df["status_changes"].sum()))

    def _sql(self) -> tuple:
        df = self.layer.sql("SELECT (SELECT round(sum(spend), 2) FROM core.ad_insights) AS s, "
                            "(SELECT count(*) FROM core.leads) AS l, "
                            "(SELECT count(*) FROM core.lead_status_changes) AS c")
        return round(float(df["s"].iloc[0]), 2), int(df["l"].iloc[0]), int(df["c"].iloc[0])

    def _run(self, ask) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                value = ask()
            except BaseException as exc:  # noqa: BLE001 - every failure is a finding
                with self._lock:
                    self.errors.append(exc)
                continue
            with self._lock:
                self.answers.append((start, time.monotonic(), value))
            time.sleep(0.002)  # a busy dashboard, not a spin loop: leaves ingest some CPU

    def __enter__(self) -> Readers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def test_queries_during_repeated_ingests_see_old_or_new_data_never_errors(datasets, tmp_path):
    live = tmp_path / "warehouse.duckdb"
    ingest(datasets[0][0], live)
    totals = [t for _, t in datasets]
    layer = semantic.connect(live)
    store = DashboardState(layer)
    store.date_range = None  # every day, whatever the data's span
    assert store.data.kpis["leads"] == totals[0][1]
    versions = [layer.data_version]
    windows = []  # (ingest started, ingest returned, dataset now serving)
    try:
        with Readers(layer) as readers:
            time.sleep(0.3)
            for index in SEQUENCE:
                began = time.monotonic()
                ingest(datasets[index][0], live)
                windows.append((began, time.monotonic(), index))
                version = layer.data_version  # the same layer, no restart
                assert version not in versions
                versions.append(version)
                data = store.refresh()  # the dashboard's next refresh shows the new data
                assert not store.error
                assert (round(float(data.kpis["spend"]), 2), data.kpis["leads"],
                        data.kpis["status_changes"]) == totals[index]
                time.sleep(0.25)  # readers see this generation for a while
        assert not readers.errors, readers.errors[:3]
        assert len(readers.answers) > 100
        during = [a for a in readers.answers
                  if any(began <= a[1] and a[0] <= done for began, done, _ in windows)]
        assert len(during) > 20  # many queries ran while a new file was being swapped in
        stale = [a for a in readers.answers if a[2] not in allowed(a, windows, totals)]
        assert not stale, stale[:3]
        seen = {a[2] for a in readers.answers}
        assert seen == set(totals)
        final = totals[SEQUENCE[-1]]
        assert readers._totals() == readers._by_project() == readers._sql() == final
        assert layer.warehouse.reconnects >= len(SEQUENCE)
    finally:
        layer.close()


def allowed(answer, windows, totals) -> set[tuple]:
    """What an answer asked at `start` and answered at `end` may be: the data serving at
    `start`, or that of any ingest that was running or finished in between."""
    start, end, _ = answer
    serving = 0
    out = set()
    for began, done, index in windows:
        if done < start:
            serving = index
        elif began <= end:
            out.add(index)  # this swap may have happened while the query ran
    out.add(serving)
    return {totals[i] for i in out}
