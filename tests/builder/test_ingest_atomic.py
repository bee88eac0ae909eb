"""Atomic ingest: a failure or a kill at any point leaves the last good warehouse serving."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from csvkit import VALID, write_exports

import semantic.builder.ingest.record as ingest_record
from semantic.builder.ingest import ingest

STAGES = [
    "after-landing-migrations",
    "after-campaigns.csv",
    "after-insights.csv",
    "after-campaign_leads.csv",
    "after-lead_status_changes.csv",
    "after-migrations",
    "before-swap",
]


def leads_in(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM core.leads").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def old_and_new(tmp_path):
    old = write_exports(tmp_path / "old")
    new = write_exports(tmp_path / "new", {"campaign_leads.csv": VALID["campaign_leads.csv"][:1]})
    db = tmp_path / "w.duckdb"
    ingest(old, db)
    assert leads_in(db) == 3
    return new, db


@pytest.mark.parametrize("stage", STAGES)
def test_failure_at_any_stage_keeps_the_old_warehouse(monkeypatch, old_and_new, stage):
    new, db = old_and_new
    before = db.read_bytes()

    def explode(at):
        if at == stage:
            raise RuntimeError(f"injected failure at {at}")

    monkeypatch.setattr(ingest_record, "checkpoint", explode)
    with pytest.raises(RuntimeError, match="injected"):
        ingest(new, db)
    assert db.read_bytes() == before
    assert leads_in(db) == 3
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("w.duckdb")) == [
        "w.duckdb"
    ]


def test_successful_ingest_swaps_in_new_data_while_a_reader_is_open(old_and_new):
    new, db = old_and_new
    reader = duckdb.connect(str(db), read_only=True)
    try:
        ingest(new, db)
        # The open reader keeps its snapshot of the old file; a fresh process sees the new one.
        assert reader.execute("SELECT count(*) FROM core.leads").fetchall() == [(3,)]
    finally:
        reader.close()
    assert leads_in(db) == 1


def test_sigkill_at_random_points_never_breaks_the_serving_file(old_and_new):
    new, db = old_and_new
    rng = random.Random(7)
    code = "import sys; from semantic.builder.ingest import ingest; ingest(sys.argv[1], sys.argv[2])"
    outcomes = set()
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(new), str(db)], start_new_session=True
        )
        time.sleep(rng.uniform(0.3, 1.6))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        outcomes.add(leads_in(db))  # opens cleanly and is either the old or the new data
        if leads_in(db) == 1:
            ingest(old_and_new[1].parent / "old", db)
    assert outcomes <= {3, 1}
    # The next ingest cleans any temporary file a kill left behind.
    ingest(new, db)
    assert not list(db.parent.glob("w.duckdb.tmp-*"))
