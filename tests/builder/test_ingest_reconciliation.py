"""Every ingest reconciles each file: rows read = loaded + exact duplicates + rejected, and the
insights' spend, clicks, impressions and reach in the file = the same sums over the loaded,
duplicate and rejected rows, recorded in meta.reconciliation and printed. A row lost between
the file and the warehouse (a bug) stops the ingest and leaves the previous warehouse."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner
from csvkit import VALID, write_exports

from semantic.builder.ingest import ingest, loader
from semantic.cli import main
from semantic.errors import ReconciliationError

DIRTY_INSIGHTS = [
    *VALID["insights.csv"],
    VALID["insights.csv"][0],  # an exact duplicate: 1 row, its spend and counts
    "13,999,90,10.00,5,100,2024-06-01",  # unknown campaign: rejected, its values parsed
    "14,1,90,abc,5,100,2024-06-01",  # spend does not parse: rejected, spend unreadable
    "15,1,300,0.01,500,100,2025-04-25 01:00:00",  # implausible, loaded
]


def tallies(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {(f, m): (i, lo, d, r, u) for f, m, i, lo, d, r, u in con.execute(
            "SELECT file, measure, in_file, loaded, duplicates, rejected, unreadable "
            "FROM meta.reconciliation").fetchall()}
    finally:
        con.close()


def test_every_file_and_sum_reconciles(tmp_path):
    src = write_exports(tmp_path / "src", {"insights.csv": DIRTY_INSIGHTS})
    db = tmp_path / "w.duckdb"
    ingest(src, db)
    got = tallies(db)
    first = [int(v) if i != 3 else Decimal(v) for i, v in
             enumerate(VALID["insights.csv"][0].split(",")[:6])]  # ad set … impressions
    valid_spend = sum(Decimal(r.split(",")[3]) for r in VALID["insights.csv"])
    assert got[("insights.csv", "rows")] == (7, 4, 1, 2, 0)
    assert got[("insights.csv", "spend")] == (
        valid_spend + first[3] + Decimal("10.01"), valid_spend + Decimal("0.01"), first[3],
        Decimal("10.00"), 1)
    assert got[("insights.csv", "clicks")][1:4] == (
        sum(int(r.split(",")[4]) for r in VALID["insights.csv"]) + 500, first[4],
        5 + 5)  # the unknown campaign's clicks and those of the row whose spend is unreadable
    for (file, measure), (in_file, loaded, dups, rejected, _) in got.items():
        assert in_file == loaded + dups + rejected, (file, measure)
    assert {f for f, m in got if m == "rows"} == {"campaigns.csv", "insights.csv",
                                                  "campaign_leads.csv",
                                                  "lead_status_changes.csv"}


def test_the_summary_prints_the_reconciled_sums(tmp_path):
    src = write_exports(tmp_path / "src", {"insights.csv": DIRTY_INSIGHTS})
    result = CliRunner().invoke(main, ["ingest", str(src), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    spend = next(line for line in result.output.splitlines() if "insights.csv spend" in line)
    assert spend.strip().endswith("+ 10.00 (1 rejected rows unreadable)")


def test_a_lost_row_stops_the_ingest_and_keeps_the_old_warehouse(tmp_path, monkeypatch):
    src = write_exports(tmp_path / "src", {"insights.csv": DIRTY_INSIGHTS})
    db = tmp_path / "w.duckdb"
    ingest(src, db)
    before = tallies(db)
    real = loader._load_good_rows

    def losing(con, source, with_line, params):  # a bug: one good insight row vanishes
        dropped = real(con, source, with_line, params)
        if source.name == "insights.csv":
            con.execute("DELETE FROM raw.ad_insights WHERE ad_set_id = 15")
        return dropped

    monkeypatch.setattr(loader, "_load_good_rows", losing)
    with pytest.raises(ReconciliationError, match=r"^insights.csv: rows does not reconcile"):
        ingest(src, db)
    assert tallies(db) == before
