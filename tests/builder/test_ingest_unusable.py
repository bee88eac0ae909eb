"""Unusable input is refused as a whole: exit code 2, one line naming the file and the problem,
no traceback, and the last good warehouse untouched."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from csvkit import HEADERS, write_exports

from semantic.cli import main


def ingest_cli(src, db):
    return CliRunner().invoke(main, ["ingest", str(src), "--db", str(db)])


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def good_warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    result = ingest_cli(write_exports(tmp_path / "good"), db)
    assert result.exit_code == 0, result.output
    return db


CASES = [
    ("missing-file", "insights.csv", None, "insights.csv: file not found"),
    ("empty", "campaigns.csv", b"", "campaigns.csv: file is empty"),
    ("whitespace-only", "campaigns.csv", b"\r\n  \n", "campaigns.csv: file is empty"),
    (
        "binary",
        "campaign_leads.csv",
        b"PK\x03\x04\x00\x00binary\x00zip",
        "campaign_leads.csv: file looks binary",
    ),
    (
        "utf16",
        "campaign_leads.csv",
        HEADERS["campaign_leads.csv"].encode("utf-16"),
        "campaign_leads.csv: file looks binary",
    ),
    (
        "renamed-column",
        "insights.csv",
        b"ad_set_id,campaign_id,reach,amount_spent,clicks,impressions,created_at\n1,1,1,1,1,1,2024-06-01\n",
        "insights.csv: line 1: required column 'spend' is missing",
    ),
    (
        "missing-column",
        "lead_status_changes.csv",
        b"lead_id,status\n1,NEW_LEAD\n",
        "lead_status_changes.csv: line 1: required column 'created_at' is missing",
    ),
    (
        "duplicate-column",
        "lead_status_changes.csv",
        b"lead_id,status,status,created_at\n",
        "column 'status' appears twice",
    ),
    (
        "latin1-header",
        "campaigns.csv",
        "id,daily_budget,start_time,stop_time,user_id,project_name\xe9\n".encode("latin-1"),
        "campaigns.csv: line 1: header is not UTF-8",
    ),
]


@pytest.mark.parametrize(("case", "file", "content", "message"), CASES, ids=[c[0] for c in CASES])
def test_unusable_file_is_refused_and_last_good_warehouse_kept(
    tmp_path, good_warehouse, case, file, content, message
):
    before = digest(good_warehouse)
    src = write_exports(tmp_path / "bad")
    if content is None:
        (src / file).unlink()
    else:
        (src / file).write_bytes(content)
    result = ingest_cli(src, good_warehouse)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert digest(good_warehouse) == before
    assert not list(tmp_path.glob("w.duckdb.tmp-*"))


def test_renamed_column_message_suggests_nothing_wrong_when_no_close_name(tmp_path):
    src = write_exports(tmp_path / "bad", {"lead_status_changes.csv": "lead_id,zzz,created_at\n"})
    result = ingest_cli(src, tmp_path / "w.duckdb")
    assert result.exit_code == 2
    assert "required column 'status' is missing; found columns: lead_id, zzz, created_at" in (
        result.output
    )


def test_source_dir_that_does_not_exist(tmp_path):
    result = ingest_cli(tmp_path / "nope", tmp_path / "w.duckdb")
    assert result.exit_code == 2
    assert "nope: not a directory of CSV exports" in result.output


def test_cli_prints_per_file_summary(tmp_path):
    result = ingest_cli(write_exports(tmp_path / "src"), tmp_path / "w.duckdb")
    assert result.exit_code == 0
    rows = {
        line.split()[0]: line.split()[1:]
        for line in result.output.splitlines()
        if line.endswith((".csv",)) is False and line.split() and line.split()[0].endswith(".csv")
    }
    assert rows["campaigns.csv"] == ["2", "2", "0", "0"]
    assert rows["lead_status_changes.csv"] == ["2", "2", "0", "0"]
