"""Row-level validation: each kind of dirt is loaded, dropped and counted, or rejected with
file, line, column, value and reason."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from csvkit import HEADERS, VALID, write_exports

from semantic.builder.ingest import ingest


def run(tmp_path, overrides=None, newline="\n"):
    src = write_exports(tmp_path / "src", overrides, newline=newline)
    db = tmp_path / "w.duckdb"
    summaries = ingest(src, db)
    con = duckdb.connect(str(db), read_only=True)
    return {s.file: s for s in summaries}, con


def rejects(con, file):
    return con.execute(
        'SELECT line, "column", value, reason FROM meta.rejected_rows WHERE file = ? ORDER BY line',
        [file],
    ).fetchall()


def test_valid_exports_load_completely(tmp_path):
    summary, con = run(tmp_path)
    assert {f: (s.read, s.loaded, s.duplicates, s.rejected) for f, s in summary.items()} == {
        "campaigns.csv": (2, 2, 0, 0),
        "insights.csv": (3, 3, 0, 0),
        "campaign_leads.csv": (3, 3, 0, 0),
        "lead_status_changes.csv": (2, 2, 0, 0),
    }
    assert con.execute("SELECT count(*) FROM meta.rejected_rows").fetchall() == [(0,)]
    # Raw keeps the name as written, core trims it; quoted doubled quotes unescape.
    assert con.execute(
        "SELECT project_name FROM raw.campaigns WHERE campaign_id = 1"
    ).fetchall() == [("Kings Way ",)]
    assert con.execute("SELECT project FROM core.campaigns WHERE campaign_id = 1").fetchall() == [
        ("Kings Way",)
    ]
    assert con.execute("SELECT name, phone FROM raw.leads WHERE lead_id = 100").fetchall() == [
        ('Ahmed "Bob" Hassan', "+2015628437879")
    ]
    assert con.execute("SELECT phone FROM raw.leads WHERE lead_id = 101").fetchall() == [(None,)]
    days = con.execute("SELECT day FROM raw.ad_insights ORDER BY ad_set_id").fetchall()
    assert [str(d[0]) for d in days] == ["2024-06-01", "2024-06-02", "2024-06-02"]
    assert con.execute("SELECT sum(spend) FROM raw.ad_insights").fetchall()[0][0] == Decimal(
        "120.76"
    )


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "reason"),
    [
        (
            "campaigns.csv",
            "3,abc,2024-06-01 10:00:00,2024-06-02 10:00:00,1,X",
            "daily_budget",
            "abc",
            "not an amount with at most 2 decimals",
        ),
        (
            "campaigns.csv",
            "3,-5,2024-06-01 10:00:00,2024-06-02 10:00:00,1,X",
            "daily_budget",
            "-5",
            "negative amount",
        ),
        (
            "campaigns.csv",
            "3,1200,2024-02-30 10:00:00,2024-06-02 10:00:00,1,X",
            "start_time",
            "2024-02-30 10:00:00",
            "not a timestamp YYYY-MM-DD HH:MM:SS",
        ),
        (
            "campaigns.csv",
            "3,1200,2024-06-01 10:00:00,infinity,1,X",
            "stop_time",
            "infinity",
            "not a timestamp YYYY-MM-DD HH:MM:SS",
        ),
        (
            "insights.csv",
            "13,1,90,10.00,5,100,-infinity",
            "created_at",
            "-infinity",
            "not a day YYYY-MM-DD",
        ),
        (
            "campaigns.csv",
            "3.5,1200,2024-06-01 10:00:00,2024-06-02 10:00:00,1,X",
            "id",
            "3.5",
            "not a whole number",
        ),
        (
            "campaigns.csv",
            "3,1200,2024-06-01 10:00:00,2024-06-02 10:00:00,1,  ",
            "project_name",
            "  ",
            "missing value",
        ),
        (
            "insights.csv",
            '13,1,90,"142,37",5,100,2024-06-01',
            "spend",
            "142,37",
            "not an amount with at most 2 decimals",
        ),
        (
            "insights.csv",
            "13,999,90,10.00,5,100,2024-06-01",
            "campaign_id",
            "999",
            "unknown campaign",
        ),
        ("insights.csv", "13,1,-1,10.00,5,100,2024-06-01", "reach", "-1", "negative amount"),
        (
            "campaign_leads.csv",
            "103,77,X,x@example.com,,NEW_LEAD,2024-06-02 05:00:00",
            "campaign_id",
            "77",
            "unknown campaign",
        ),
        (
            "campaign_leads.csv",
            "103,1,X,x@example.com,,NEW_LEAD,yesterday",
            "added_date",
            "yesterday",
            "not a timestamp YYYY-MM-DD HH:MM:SS",
        ),
        (
            "campaign_leads.csv",
            "103,1,X,x@example.com,,,2024-06-02 05:00:00",
            "lead_status",
            None,
            "missing value",
        ),
        (
            "lead_status_changes.csv",
            "555,NEW_LEAD,2024-06-02 20:00:00",
            "lead_id",
            "555",
            "unknown lead",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_bad_row_is_rejected_with_line_column_value_reason(
    tmp_path, file, line, column, value, reason
):
    summary, con = run(tmp_path, {file: [*VALID[file], line]})
    expected_line = len(VALID[file]) + 2  # header is line 1
    assert rejects(con, file) == [(expected_line, column, value, reason)]
    assert summary[file].rejected == 1
    assert summary[file].loaded == len(VALID[file])


def issues(con, file):
    return con.execute(
        "SELECT kind, detail, rows FROM meta.data_quality_issues WHERE file = ? ORDER BY kind",
        [file],
    ).fetchall()


def test_implausible_rows_are_loaded_and_flagged_with_their_lines(tmp_path):
    """Implausible is not invalid: clicks > impressions, reach > impressions, a day stamped
    at 01:00 (local midnight skipped by daylight saving) and a stop before the start load,
    count in the totals, and are listed by kind with their lines."""
    summary, con = run(tmp_path, {
        "insights.csv": [*VALID["insights.csv"], "13,1,90,10.00,500,100,2024-06-01",
                         "14,1,300,0.01,5,100,2025-04-25 01:00:00"],
        "campaigns.csv": [*VALID["campaigns.csv"],
                          "3,1200,2024-06-05 10:00:00,2024-06-02 10:00:00,1,X"],
    })
    assert rejects(con, "insights.csv") == [] and rejects(con, "campaigns.csv") == []
    assert (summary["insights.csv"].loaded, summary["campaigns.csv"].loaded) == (5, 3)
    assert con.execute("SELECT sum(spend), sum(clicks) FROM raw.ad_insights").fetchall() == [
        (Decimal("130.77"), sum_clicks(con))]
    assert con.execute(
        "SELECT CAST(day AS VARCHAR) FROM raw.ad_insights WHERE ad_set_id = 14").fetchall() == \
        [("2025-04-25",)]
    assert issues(con, "insights.csv") == [
        ("clicks exceed impressions (kept: Meta counts them by different rules)",
         "1 rows: lines 5", 1),
        ("day stamped at a time other than midnight (the date part is the day)",
         "1 rows: lines 6", 1),
        ("delivery dated outside the campaign's planned run", "1 rows: lines 6", 1),
        ("reach exceeds impressions", "1 rows: lines 6", 1),
    ]
    assert issues(con, "campaigns.csv")[-1] == (
        "stop time before start time (no scheduled day, so no planned budget)",
        "1 rows: lines 4", 1)
    assert con.execute("SELECT count(*) FROM core.campaign_days WHERE campaign_id = 3") \
        .fetchall() == [(0,)]


def sum_clicks(con) -> int:
    return con.execute("SELECT sum(clicks) FROM raw.ad_insights").fetchall()[0][0]


def test_exact_duplicates_are_dropped_and_counted(tmp_path):
    rows = VALID["insights.csv"]
    summary, con = run(
        tmp_path,
        {
            "insights.csv": [rows[0], *rows, rows[0]],
            "lead_status_changes.csv": [
                *VALID["lead_status_changes.csv"],
                VALID["lead_status_changes.csv"][1],
            ],
        },
    )
    assert (summary["insights.csv"].duplicates, summary["insights.csv"].loaded) == (2, 3)
    assert (
        summary["lead_status_changes.csv"].duplicates,
        summary["lead_status_changes.csv"].loaded,
    ) == (1, 2)
    assert con.execute("SELECT count(*) FROM meta.rejected_rows").fetchall() == [(0,)]
    assert con.execute("SELECT sum(spend) FROM marts.campaign_daily").fetchall()[0][0] == Decimal(
        "120.76"
    )


def test_conflicting_insight_rows_are_kept_and_listed(tmp_path):
    summary, con = run(
        tmp_path,
        {
            "insights.csv": [*VALID["insights.csv"], "10,1,95,101.00,6,110,2024-06-01"],
        },
    )
    assert summary["insights.csv"].loaded == 4
    assert con.execute(
        "SELECT kind, detail, rows FROM meta.data_quality_issues WHERE file = 'insights.csv' "
        "AND kind LIKE 'same key%'"
    ).fetchall() == [
        (
            "same key, different values",
            "ad_set_id=10 day=2024-06-01: 2 differing rows kept (lines 2, 5)",
            2,
        )
    ]


@pytest.mark.parametrize(
    ("file", "row", "key_text"),
    [
        (
            "campaigns.csv",
            "1,1500,2024-06-01 10:00:00,2024-06-03 10:00:00,199,Kings Way",
            "campaign_id 1 already appears on line 2 with different values",
        ),
        (
            "campaign_leads.csv",
            "100,2,Other,o@example.com,,NEW_LEAD,2024-06-01 20:00:00",
            "lead_id 100 already appears on line 2 with different values",
        ),
    ],
    ids=["campaign", "lead"],
)
def test_same_key_with_other_values_rejects_the_later_row(tmp_path, file, row, key_text):
    summary, con = run(tmp_path, {file: [*VALID[file], row]})
    assert rejects(con, file) == [(len(VALID[file]) + 2, "id", row.split(",")[0], key_text)]
    assert summary[file].loaded == len(VALID[file])


def test_bom_crlf_quotes_reordered_and_extra_columns(tmp_path):
    reordered = (
        '\ufeff"project_name","id","user_id","daily_budget","start_time","stop_time","note"\r\n'
        '"Kings Way ","1","199","1200","2024-06-01 10:00:00","2024-06-03 10:00:00","x"\r\n'
        '"Bloomfields","2","200","2000","2024-06-02 00:00:00","2024-06-02 23:00:00","y"\r\n'
    )
    summary, con = run(tmp_path, {"campaigns.csv": reordered}, newline="\r\n")
    assert summary["campaigns.csv"].loaded == 2
    assert summary["campaigns.csv"].warnings == ["campaigns.csv: ignoring extra column 'note'"]
    assert con.execute(
        "SELECT campaign_id, user_id, daily_budget, project_name FROM raw.campaigns ORDER BY 1"
    ).fetchall() == [(1, 199, 1200, "Kings Way "), (2, 200, 2000, "Bloomfields")]
    assert summary["insights.csv"].loaded == 3  # CRLF data lines


def test_mixed_line_endings_load_and_a_bare_cr_is_one_rejected_row(tmp_path):
    """A CRLF export with a row appended in LF, another ending CR CR LF after a double
    conversion, and a bare CR inside a number: the file loads, the CR's row is refused with
    its line, every other row counts, and no normalized copy is left behind."""
    header = HEADERS["insights.csv"]
    insights = (
        f"{header}\r\n10,1,90,100.50,5,100,2024-06-01\r\n"
        "11,1,30,20.25,2,40,2024-06-02\n"
        "12,2,10,0.01,1,20,2024-06-02\r\r\n"
        "13,2,10,1\r2.00,1,20,2024-06-02\r\n"
        "14,2,10,3.00,1,20,2024-06-03\r\n"
    ).encode()
    summary, con = run(tmp_path, {"insights.csv": insights})
    s = summary["insights.csv"]
    assert (s.read, s.loaded, s.rejected) == (5, 4, 1)
    assert rejects(con, "insights.csv") == [
        (5, "spend", "1\r2.00", "not an amount with at most 2 decimals")]
    assert con.execute("SELECT sum(spend) FROM raw.ad_insights").fetchall() == [
        (Decimal("123.76"),)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".w.duckdb.ingest.lock", "src",
                                                          "w.duckdb"]


def test_embedded_newlines_and_structural_errors_keep_line_numbers(tmp_path):
    leads = [
        *VALID["campaign_leads.csv"],
        '103,1,"Line one\nline two",m@example.com,,NEW_LEAD,2024-06-02 05:00:00',
        "104,1,too,many,fields,here,NEW_LEAD,2024-06-02 05:00:00",
        "105,1,X,x@example.com,,NEW_LEAD,not-a-date",
    ]
    summary, con = run(tmp_path, {"campaign_leads.csv": leads})
    assert summary["campaign_leads.csv"].loaded == 4
    assert summary["campaign_leads.csv"].read == 6
    got = rejects(con, "campaign_leads.csv")
    assert [(line, column) for line, column, _, _ in got] == [(6, None), (7, "added_date")]
    assert got[0][3].startswith("too many columns")
    assert con.execute("SELECT name FROM raw.leads WHERE lead_id = 103").fetchall() == [
        ("Line one\nline two",)
    ]


def test_header_only_files_load_empty(tmp_path):
    summary, con = run(
        tmp_path,
        {
            "insights.csv": [],
            "campaign_leads.csv": [],
            "lead_status_changes.csv": [],
        },
    )
    assert summary["insights.csv"].loaded == 0
    assert con.execute("SELECT leads, spend FROM marts.kpis").fetchall() == [(0, Decimal("0.00"))]


def test_unknown_status_maps_to_other_and_is_flagged(tmp_path):
    summary, con = run(
        tmp_path,
        {
            "campaign_leads.csv": [
                *VALID["campaign_leads.csv"],
                "103,1,X,x@example.com,,BRAND_NEW_STATUS,2024-06-02 05:00:00",
            ]
        },
    )
    assert con.execute("SELECT stage FROM core.leads WHERE lead_id = 103").fetchall() == [
        ("other",)
    ]
    assert con.execute(
        "SELECT rows FROM meta.data_quality_issues WHERE kind LIKE 'status with no funnel stage%'"
    ).fetchall() == [(1,)]


def test_ingest_runs_and_data_version_recorded(tmp_path):
    _, con = run(tmp_path)
    runs = con.execute(
        "SELECT file_name, rows_read, rows_loaded FROM meta.ingest_runs ORDER BY file_name"
    ).fetchall()
    assert runs == sorted([(f, len(VALID[f]), len(VALID[f])) for f in HEADERS])
    assert con.execute("SELECT count(*) FROM meta.data_version").fetchall() == [(1,)]


def test_first_problem_in_column_order_is_reported_and_key_as_written(tmp_path):
    # Several problems on one row: the first column's wins; the foreign key is checked last.
    summary, con = run(
        tmp_path,
        {
            "campaigns.csv": [
                *VALID["campaigns.csv"],
                "3.5,abc,2024-02-30 10:00:00,2024-06-02 10:00:00,1,X",
            ],
            "campaign_leads.csv": [
                *VALID["campaign_leads.csv"],
                "103,77,X,x@example.com,,NEW_LEAD,yesterday",
                "104, 77 ,X,x@example.com,,NEW_LEAD,2024-06-02 05:00:00",
            ],
        },
    )
    assert rejects(con, "campaigns.csv") == [(4, "id", "3.5", "not a whole number")]
    assert rejects(con, "campaign_leads.csv") == [
        (5, "added_date", "yesterday", "not a timestamp YYYY-MM-DD HH:MM:SS"),
        (6, "campaign_id", " 77 ", "unknown campaign"),
    ]
    assert summary["campaign_leads.csv"].loaded == 3


def test_lines_after_refused_records_stay_exact(tmp_path):
    # Records DuckDB cannot parse sit between good and bad ones; every later line still counts.
    rows = VALID["insights.csv"]
    summary, con = run(
        tmp_path,
        {
            "insights.csv": [
                rows[0],
                "13,1,90",
                "14,1,90,10.00,5,100,2024-06-01,extra",
                rows[1],
                "15,999,1,1.00,1,1,2024-06-01",
                rows[2],
                rows[2],
            ]
        },
    )
    got = [(line, reason.split(":")[0]) for line, _, _, reason in rejects(con, "insights.csv")]
    assert got == [(3, "missing columns"), (4, "too many columns"), (6, "unknown campaign")]
    assert con.execute(
        "SELECT ad_set_id, source_line FROM raw.ad_insights ORDER BY source_line"
    ).fetchall() == [(10, 2), (11, 5), (12, 7)]
    s = summary["insights.csv"]
    assert (s.read, s.loaded, s.duplicates, s.rejected) == (7, 3, 1, 3)
