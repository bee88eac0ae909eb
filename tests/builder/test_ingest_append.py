"""Daily appends (`campaign-bi ingest DIR --append`): a partial export merges into the warehouse
by key (campaigns and leads replaced, status changes added once, insights of an (ad set, day)
restated), is validated like a full ingest, is idempotent, equals a full ingest when a whole
export is appended day by day, and is atomic."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner
from csvkit import HEADERS, VALID, write_exports
from csvkit import warehouse_rows as rows

from semantic.builder.ingest import ingest
from semantic.builder.ingest import record as ingest_record
from semantic.cli import main
from semantic.errors import UnusableInputError
from semantic.sample import generate
from semantic.sample.deltas import split_by_day

RAW = {"campaigns": "campaign_id", "ad_insights": "ad_set_id, day", "leads": "lead_id",
       "lead_status_changes": "lead_id, changed_at, status"}
DERIVED = ("core.leads", "marts.campaign_daily", "marts.campaigns",
           "marts.campaign_daily_by_day", "marts.leads_by_day")


def write_delta(folder, files: dict[str, list[str]]):
    folder.mkdir(parents=True)
    for name, lines in files.items():
        (folder / name).write_text("\n".join([HEADERS[name], *lines]) + "\n")
    return folder




def content(db) -> dict:
    """Every landing table without its source lines and every derived table, as sorted rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in RAW:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' "
                "AND table_name = ? AND column_name <> 'source_line'", [table]).fetchall()]
            out[table] = sorted(con.execute(
                f"SELECT {', '.join(columns)} FROM raw.{table}").fetchall(), key=repr)
        for table in DERIVED:
            out[table] = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


@pytest.fixture
def base(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest(write_exports(tmp_path / "base"), db)
    return db


DELTA = {
    "campaigns.csv": [
        "3,1500,2024-06-03 09:00:00,2024-06-05 09:00:00,199,Kings Way",
        # campaign 2 moves to another project: its existing lead and facts follow
        "2,2000,2024-06-02 00:00:00,2024-06-02 23:00:00,200,Bloomfields East",
    ],
    "insights.csv": [
        "10,1,95,120.00,6,110,2024-06-01",  # Meta restated ad set 10's day: replaces 100.50
        "30,3,40,15.00,2,50,2024-06-03",  # the new campaign's delivery
        "31,999,40,15.00,2,50,2024-06-03",  # unknown campaign: rejected as in a full ingest
    ],
    "campaign_leads.csv": [
        "101,1,Mona Adel,b@example.com,,QUALIFIED,2024-06-02 21:00:00",  # status moved on
        "103,3,Sara Nabil,s@example.com,,NEW_LEAD,2024-06-03 11:00:00",  # a lead of campaign 3
    ],
}


def test_a_partial_export_merges_by_key(tmp_path, base):
    summaries = {s.file: s for s in ingest(write_delta(tmp_path / "d1", DELTA), base,
                                           append=True)}
    assert set(summaries) == set(DELTA)  # the status-change file is absent: nothing to do
    assert (summaries["insights.csv"].loaded, summaries["insights.csv"].rejected) == (2, 1)
    assert rows(base, "SELECT spend FROM raw.ad_insights WHERE ad_set_id = 10") == [
        (Decimal("120.00"),)]
    assert rows(base, "SELECT sum(spend) FROM marts.kpis") == [
        (Decimal("120.00") + Decimal("20.25") + Decimal("0.01") + Decimal("15.00"),)]
    assert rows(base, "SELECT lead_status FROM core.leads WHERE lead_id = 101") == [
        ("QUALIFIED",)]
    assert rows(base, "SELECT count(*), count(DISTINCT lead_id) FROM core.leads") == [(4, 4)]
    assert rows(base, "SELECT project FROM core.campaigns WHERE campaign_id = 3") == [
        ("Kings Way",)]
    for table in ("core.leads", "marts.leads_by_day", "marts.campaign_daily", "marts.campaigns"):
        assert rows(base, f"SELECT DISTINCT project FROM {table} WHERE campaign_id = 2") == [
            ("Bloomfields East",)], table
    assert rows(base, "SELECT line, reason FROM meta.rejected_rows") == [(4, "unknown campaign")]
    # the run's own rows are reconciled and flagged like a full ingest's
    assert rows(base, "SELECT in_file, loaded, rejected FROM meta.reconciliation "
                      "WHERE file = 'insights.csv' AND measure = 'spend' AND run_id = (SELECT "
                      "version FROM meta.data_version ORDER BY loaded_at DESC LIMIT 1)") == [
        (Decimal("150.00"), Decimal("135.00"), Decimal("15.00"))]


def test_status_changes_already_present_are_no_ops(tmp_path, base):
    before = rows(base, "SELECT count(*) FROM raw.lead_status_changes")[0][0]
    delta = write_delta(tmp_path / "d", {"lead_status_changes.csv": [
        VALID["lead_status_changes.csv"][0], "101,QUALIFIED,2024-06-03 10:00:00"]})
    ingest(delta, base, append=True)
    assert rows(base, "SELECT count(*) FROM raw.lead_status_changes")[0][0] == before + 1


def test_appending_the_same_export_twice_changes_nothing(tmp_path, base):
    delta = write_delta(tmp_path / "d1", DELTA)
    ingest(delta, base, append=True)
    once = content(base)
    ingest(delta, base, append=True)
    assert content(base) == once


def test_a_full_ingest_equals_the_base_and_every_daily_append(tmp_path):
    full_src = tmp_path / "full"
    generate(full_src, scale=0.05, seed=11)
    full = tmp_path / "full.duckdb"
    ingest(full_src, full)
    base_src, days = split_by_day(full_src, tmp_path / "split", days=6)
    assert len(days) == 6
    daily = tmp_path / "daily.duckdb"
    ingest(base_src, daily)
    for day in days:
        ingest(day, daily, append=True)
    assert content(daily) == content(full)
    assert rows(daily, "SELECT * FROM marts.kpis") == rows(full, "SELECT * FROM marts.kpis")


def _read(folder, name) -> list[list[str]]:
    with (folder / name).open(newline="") as f:
        return list(csv.reader(f))


def _write(folder, name, rows) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", newline="") as f:
        csv.writer(f).writerows(rows)


def test_a_restating_export_equals_a_full_ingest_of_the_merged_export(tmp_path):
    """A delta that restates old delivery (one day under another campaign), moves a lead to another campaign, moves a campaign
    to another project with a longer run, moves a lead's status on and adds a campaign: the
    warehouse after the append equals a full ingest of the export with those rows replaced."""
    base_src = tmp_path / "base"
    generate(base_src, scale=0.05, seed=7)
    files = {name: _read(base_src, name) for name in HEADERS}
    campaigns, insights = files["campaigns.csv"], files["insights.csv"]
    leads, changes = files["campaign_leads.csv"], files["lead_status_changes.csv"]
    moved = list(campaigns[3])
    moved[3] = (dt.datetime.fromisoformat(moved[3]) + dt.timedelta(days=3)).isoformat(" ")
    moved[5] = "Another Project"
    new_campaign = ["999001", "500", campaigns[1][2], campaigns[1][3], campaigns[1][4], "New One"]
    restated = [list(row) for row in insights[1:40:7]]
    for row in restated:
        row[3] = f"{float(row[3]) + 1.25:.2f}"
    # a corrected export files one day of an ad set under another campaign
    restated[0][1] = next(c[0] for c in campaigns[1:] if c[0] != restated[0][1])
    new_insight = ["999002", "999001", "5", "7.00", "1", "9", campaigns[1][2][:10]]
    moved_lead = list(leads[5])
    moved_lead[1] = campaigns[2][0] if campaigns[2][0] != moved_lead[1] else campaigns[4][0]
    dealt = list(leads[9])
    dealt[5] = "DONE_DEAL"
    new_lead = ["999003", "999001", "New Lead", "n@example.com", "", "NEW_LEAD",
                campaigns[1][2]]
    last = max(row[2] for row in changes[1:])
    new_changes = [[dealt[0], "DONE_DEAL", last], ["999003", "NEW_LEAD", campaigns[1][2]]]
    delta = {
        "campaigns.csv": [campaigns[0], moved, new_campaign],
        "insights.csv": [insights[0], *restated, new_insight],
        "campaign_leads.csv": [leads[0], moved_lead, dealt, new_lead],
        "lead_status_changes.csv": [changes[0], *new_changes],
    }
    merged = {}
    keys = {"campaigns.csv": (0,), "insights.csv": (0, 6), "campaign_leads.csv": (0,),
            "lead_status_changes.csv": (0, 1, 2)}
    for name, key in keys.items():
        replacing = {tuple(row[k] for k in key): row for row in delta[name][1:]}
        kept = [row for row in files[name][1:] if tuple(row[k] for k in key) not in replacing]
        merged[name] = [files[name][0], *kept, *replacing.values()]
    for name in HEADERS:
        _write(tmp_path / "delta", name, delta[name])
        _write(tmp_path / "merged", name, merged[name])
    daily, full = tmp_path / "daily.duckdb", tmp_path / "full.duckdb"
    ingest(base_src, daily)
    ingest(tmp_path / "delta", daily, append=True)
    ingest(tmp_path / "merged", full)
    assert content(daily) == content(full)
    assert rows(daily, "SELECT DISTINCT project FROM marts.campaign_daily "
                       f"WHERE campaign_id = {int(moved[0])}") == [("Another Project",)]
    assert rows(daily, "SELECT count(*) FROM core.leads WHERE lead_id = 999003") == [(1,)]


def appended_like_a_fresh_warehouse(tmp_path, base, *older: str) -> None:
    """Makes `base` look built by an older version (`older`: statements run on it), then
    appends the same delta to it and to a freshly built warehouse: the two must be equal."""
    fresh = tmp_path / "fresh.duckdb"
    ingest(write_exports(tmp_path / "again"), fresh)
    con = duckdb.connect(str(base))
    for statement in older:
        con.execute(statement)
    con.close()
    delta = write_delta(tmp_path / "d1", DELTA)
    ingest(delta, base, append=True)
    ingest(delta, fresh, append=True)
    assert content(base) == content(fresh)


def test_a_warehouse_built_by_another_version_gets_its_derived_tables_recomputed(tmp_path, base):
    """An append into a warehouse whose derived migrations were since changed (here: the lead
    copy gained its lead id) recomputes them from the landing rows, then merges as usual."""
    appended_like_a_fresh_warehouse(
        tmp_path, base, "ALTER TABLE marts.leads_by_day DROP COLUMN lead_id",
        "UPDATE meta.schema_migrations SET checksum = 'older' WHERE name = 'marts_leads_by_day'")
    assert rows(base, "SELECT count(*) FROM meta.schema_migrations WHERE checksum = 'older'") == [
        (0,)]


def test_a_warehouse_with_status_rules_of_an_older_version_gets_the_catalogs(tmp_path, base):
    """Before the status rules came from the catalog, core.status_stages was a landing table
    with stages only: an append into such a warehouse rebuilds it and every derived table."""
    appended_like_a_fresh_warehouse(
        tmp_path, base, "CREATE OR REPLACE TABLE core.status_stages AS "
                        "SELECT status, stage, stage_order FROM core.status_stages",
        "DROP TABLE core.stages",
        "UPDATE meta.schema_migrations SET checksum = 'older' WHERE version = 3")
    assert rows(base, "SELECT count(*) FROM core.status_stages WHERE is_deal") == [(1,)]


def test_a_failed_append_keeps_the_previous_warehouse(tmp_path, base, monkeypatch):
    before = base.read_bytes()

    def explode(at):
        if at == "after-merge":
            raise RuntimeError("injected failure after the merge")

    monkeypatch.setattr(ingest_record, "checkpoint", explode)
    with pytest.raises(RuntimeError, match="injected"):
        ingest(write_delta(tmp_path / "d1", DELTA), base, append=True)
    assert base.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("w.duckdb")) == [
        "w.duckdb"]


def test_append_needs_a_warehouse_and_a_file(tmp_path):
    with pytest.raises(UnusableInputError, match="no warehouse to append to"):
        ingest(write_delta(tmp_path / "d1", DELTA), tmp_path / "none.duckdb", append=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnusableInputError, match="no export file to append"):
        ingest(tmp_path / "empty", tmp_path / "none.duckdb", append=True)


def test_the_cli_appends(tmp_path, base):
    result = CliRunner().invoke(main, ["ingest", str(write_delta(tmp_path / "d1", DELTA)),
                                       "--db", str(base), "--append"])
    assert result.exit_code == 0, result.output
    assert "insights.csv" in result.output and "warehouse ready" in result.output


def test_an_open_layer_sees_the_appended_data(tmp_path, base):
    from semantic import connect

    with connect(str(base)) as layer:
        before = layer.data_version
        spend = float(layer.query(["spend"]).iloc[0]["spend"])
        ingest(write_delta(tmp_path / "d1", DELTA), base, append=True)
        after = float(layer.query(["spend"]).iloc[0]["spend"])
        assert layer.data_version != before
    assert after == pytest.approx(spend - 100.50 + 120.00 + 15.00)


def test_the_ingest_command_line_loads_neither_pandas_nor_the_compiler():
    """A daily append is a few seconds: the interpreter's imports are part of it (pandas and
    sqlglot together were ~0.4 s)."""
    import subprocess
    import sys

    code = ("import sys; from semantic.cli import main; "
            "print(sorted(m for m in ('pandas', 'sqlglot', 'semantic.compiler') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
