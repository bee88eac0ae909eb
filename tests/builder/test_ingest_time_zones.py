"""Time zones: the export's and the reporting zone are ingest settings (IANA names, default
the same: nothing converted). When they differ, lead arrivals, status changes and planned runs
are stored on the reporting zone's clock, so days, weeks, months and the arrival-hour grid follow
it; insight days stay the dates Meta reported. The dashboard names the zone where hours show."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from csvkit import VALID, write_exports
from csvkit import warehouse_rows as one

from semantic import connect
from semantic.builder.ingest import ingest
from semantic.cli import main
from semantic.errors import UnusableInputError

LEADS = [*VALID["campaign_leads.csv"][:2],
         "102,2,Omar Ali,c@example.com,310-242-6257,DONE_DEAL,2024-06-03 01:30:00"]




def test_without_settings_nothing_is_converted(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest(write_exports(tmp_path / "src", {"campaign_leads.csv": LEADS}), db)
    assert one(db, "SELECT added_day, lead_hour FROM core.leads WHERE lead_id = 102") == [
        (dt.date(2024, 6, 3), 1)]
    with connect(str(db)) as layer:
        assert layer.time_zone is None


def test_cairo_export_reported_in_utc(tmp_path):
    """Cairo is UTC+3 in June 2024 (summer time): 01:30 on the 3rd is 22:30 on the 2nd."""
    db = tmp_path / "w.duckdb"
    ingest(write_exports(tmp_path / "src", {"campaign_leads.csv": LEADS}), db,
           export_tz="Africa/Cairo", report_tz="UTC")
    assert one(db, "SELECT added_at, added_day, lead_hour, lead_weekday FROM core.leads "
                   "WHERE lead_id = 102") == [
        (dt.datetime(2024, 6, 2, 22, 30), dt.date(2024, 6, 2), 22, 7)]
    assert one(db, "SELECT min(changed_at) FROM raw.lead_status_changes WHERE lead_id = 100") \
        == [(dt.datetime(2024, 6, 1, 17, 0),)]  # 20:00 in Cairo
    assert one(db, "SELECT CAST(day AS VARCHAR) FROM raw.ad_insights ORDER BY ad_set_id") == [
        ("2024-06-01",), ("2024-06-02",), ("2024-06-02",)]  # Meta's dates, unchanged
    with connect(str(db)) as layer:
        assert layer.time_zone == "UTC"
        leads = layer.query(["leads"], ["day"])
        assert dict(zip(leads["day"].astype(str), leads["leads"], strict=True))[
            "2024-06-02"] == 2  # lead 102 moved to the 2nd


def test_a_bad_zone_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(write_exports(tmp_path / "src")), "--db",
                                       str(tmp_path / "w.duckdb"), "--report-tz", "Mars/Olympus"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: reporting time zone 'Mars/Olympus' is not an IANA time-zone name "
        "(e.g. Africa/Cairo, UTC)")


def test_an_append_keeps_the_warehouse_zones(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest(write_exports(tmp_path / "src"), db, export_tz="Africa/Cairo", report_tz="UTC")
    delta = tmp_path / "d"
    delta.mkdir()
    (delta / "campaign_leads.csv").write_text(
        "id,campaign_id,name,email,phone,lead_status,added_date\n"
        "103,1,Sara,s@example.com,,NEW_LEAD,2024-06-03 02:00:00\n")
    with pytest.raises(UnusableInputError, match="append with the same time zones"):
        ingest(delta, db, append=True, report_tz="Africa/Cairo")
    ingest(delta, db, append=True)  # no setting: the warehouse's zones
    assert one(db, "SELECT added_at FROM core.leads WHERE lead_id = 103") == [
        (dt.datetime(2024, 6, 2, 23, 0),)]


def test_the_arrival_grid_names_the_zone():
    from app.views.outcomes import arrival_zone

    assert arrival_zone("UTC") == "Hours in UTC"
    assert arrival_zone(None) == "Hours in the export’s local time"
