"""Leads export: exactly the filtered leads, written by DuckDB COPY, with spreadsheet formulas
neutralised and usable phones kept; file names carry the filters; the CLI prints the count."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from click.testing import CliRunner
from factories import build_warehouse, campaign, lead

import semantic
from semantic.access.export import copy_statement, count_statement, export_file_name, export_leads
from semantic.cli.delivery import export_leads as export_command

HOSTILE = "=cmd|' /C calc'!A0"
LEADS = [
    #   id, campaign, added, status, name, email, phone
    (1, 1, "2024-07-01 09:00:00", "QUALIFIED", HOSTILE, "a@x.com", "+1-615-909-5723"),
    (2, 1, "2024-07-15 10:00:00", "NEW_LEAD", "+SUM(A1)", '=HYPERLINK("http://x")', "=1+2"),
    (3, 1, "2024-07-31 23:59:00", "NEW_LEAD", "-2+3", "@import", "310-242-6257"),
    (4, 1, "2024-08-01 00:00:00", "NO_ANSWER", "\tTab", "b@x.com", "+2015628437879"),
    (5, 2, "2024-07-10 12:00:00", "QUALIFIED", "\rCR", "c@x.com", None),
    (6, 1, "2024-06-30 23:59:00", "QUALIFIED", "Mona Adel", "d@x.com", "(02) 555-1234"),
    (7, 3, "2024-07-02 08:00:00", "QUALIFIED", "Ahmed Ali", "e@x.com", "-15"),
]
HEADER = ["id", "campaign", "project", "business_user", "name", "email", "phone", "status",
          "stage", "added_date"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_warehouse(
        tmp_path_factory.mktemp("export") / "w.duckdb",
        campaigns=[campaign(1, user=199, project="Kings Way "),
                   campaign(2, user=199, project="Bloomfields"),
                   campaign(3, user=200, project="Kings Way")],
        leads=[lead(i, c, at, status=s, name=n, email=e, phone=p)
               for i, c, at, s, n, e, p in LEADS])


@pytest.fixture(scope="module")
def layer(db):
    with semantic.connect(db) as opened:
        yield opened


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


JULY = {"date_from": "2024-07-01", "date_to": "2024-07-31"}


@pytest.mark.parametrize(("filters", "tenant", "ids"), [
    ({}, None, [1, 2, 3, 4, 5, 6, 7]),
    ({"business_user": [199], "project": ["Kings Way"], **JULY}, None, [1, 2, 3]),
    ({"lead_status": ["QUALIFIED"]}, None, [1, 5, 6, 7]),
    ({"project": ["Kings Way"]}, 200, [7]),
    ({"business_user": [199]}, 200, []),  # a tenant cannot widen its scope through a filter
    ({"campaign": [2]}, None, [5]),
], ids=["all", "user-project-july", "status", "tenant", "tenant-widen", "campaign"])
def test_exactly_the_filtered_leads(layer, tmp_path, filters, tenant, ids):
    out = tmp_path / "leads.csv"
    count = export_leads(layer, out, filters, tenant)
    header, rows = read(out)
    assert header == HEADER
    assert [int(r["id"]) for r in rows] == ids
    assert count == len(ids)


def test_formulas_are_neutralised_and_phones_kept(layer, tmp_path):
    out = tmp_path / "leads.csv"
    export_leads(layer, out)
    rows = {int(r["id"]): r for r in read(out)[1]}
    assert rows[1]["name"] == "'" + HOSTILE
    assert rows[1]["phone"] == "+1-615-909-5723"            # a phone stays dialable
    assert (rows[2]["name"], rows[2]["email"]) == ("'+SUM(A1)", "'=HYPERLINK(\"http://x\")")
    assert rows[2]["phone"] == "'=1+2"                       # not a phone: neutralised
    assert (rows[3]["name"], rows[3]["email"], rows[3]["phone"]) == \
        ("'-2+3", "'@import", "310-242-6257")
    assert (rows[4]["name"], rows[4]["phone"]) == ("'\tTab", "+2015628437879")
    assert (rows[5]["name"], rows[5]["phone"]) == ("'\rCR", "")  # NULL phone stays empty
    assert (rows[6]["name"], rows[6]["phone"]) == ("Mona Adel", "(02) 555-1234")
    assert rows[7]["phone"] == "'-15"
    assert (rows[1]["project"], rows[1]["business_user"], rows[1]["status"],
            rows[1]["stage"], rows[1]["added_date"]) == \
        ("Kings Way", "199", "QUALIFIED", "qualified", "2024-07-01 09:00:00")


def test_the_export_is_one_copy_statement_with_literals(layer, tmp_path):
    inner = layer.leads_export_sql({"project": ["O'Brien ; DROP"]}, None)
    sql = copy_statement(inner, [("id", "BIGINT"), ("name", "VARCHAR"), ("phone", "VARCHAR")],
                         tmp_path / "it's.csv")
    assert sql.startswith("COPY (SELECT ")
    assert "'O''Brien ; DROP'" in sql and "it''s.csv" in sql and sql.endswith("(HEADER)")
    assert 'ASCII("leads"."name") IN (61, 43, 45, 64, 9, 13)' in sql


@pytest.mark.parametrize(("filters", "name"), [
    ({"business_user": [199], "project": ["Kings Way"], **JULY},
     "leads_user-199_kings-way_2024-07-01_2024-07-31_20261124.csv"),
    ({}, "leads_20261124.csv"),
    ({"project": ["A", "B", "C"], "lead_status": ["QUALIFIED"], "date_from": "2024-07-01"},
     "leads_3-projects_qualified_from-2024-07-01_20261124.csv"),
    ({"business_user": [1, 2], "project": ["../../etc/passwd"], "campaign": [7]},
     "leads_user-1-2_etc-passwd_campaign-7_20261124.csv"),
    ({"project": ["مشروع"], "date_to": dt.date(2024, 7, 31)}, "leads_to-2024-07-31_20261124.csv"),
], ids=["example", "none", "many", "hostile", "non-latin"])
def test_file_name_carries_the_filters(filters, name):
    assert export_file_name(filters, dt.date(2026, 11, 24)) == name


def test_cli_prints_the_row_count(db, tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(export_command, [
        "--out", str(out), "--db", str(db), "--user", "199", "--project", "Kings Way",
        "--from", "2024-07-01", "--to", "2024-07-31"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"3 leads written to {out}"
    assert [int(r["id"]) for r in read(out)[1]] == [1, 2, 3]


def test_cli_into_a_folder_names_the_file_and_errors_are_one_line(db, tmp_path):
    result = CliRunner().invoke(export_command, ["--out", str(tmp_path), "--db", str(db),
                                                 "--status", "QUALIFIED"])
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("leads_qualified_*.csv"))
    assert len(written) == 1 and len(read(written[0])[1]) == 4
    result = CliRunner().invoke(export_command, ["--out", str(tmp_path / "x.csv"), "--db",
                                                 str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "no warehouse here" in result.output


def test_the_count_does_not_sort_and_matches_the_export(layer, tmp_path):
    # DuckDB keeps a subquery's ORDER BY: counting through it sorted every id in scope
    inner = layer.leads_export_sql({"business_user": [199]}, None)
    assert "ORDER BY" in inner
    sql = count_statement(inner)
    assert "ORDER BY" not in sql and sql.startswith("SELECT COUNT(*) FROM (SELECT ")
    assert layer.sql(sql)["count_star()"].iloc[0] == export_leads(
        layer, tmp_path / "x.csv", {"business_user": [199]}) == 6
