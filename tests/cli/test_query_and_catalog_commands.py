"""`campaign-bi query` and `campaign-bi catalog`, invoked directly with click's CliRunner."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlglot
from click.testing import CliRunner
from factories import trap_warehouse

from semantic import catalog as cat
from semantic.cli.query import catalog, query


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return str(trap_warehouse(tmp_path_factory.mktemp("cli") / "w.duckdb"))


def run(command, args, **kwargs):
    return CliRunner().invoke(command, args, catch_exceptions=False, **kwargs)


def test_query_csv(db):
    result = run(query, ["--metric", "spend", "--metric", "cpl", "--by", "project",
                         "--from", "2024-06-01", "--to", "2024-07-31", "--db", db,
                         "--user", "10", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["project,spend,cpl", "Alpha,130.0,26.0", "Beta,5.0,"]


def test_query_table_is_formatted_for_people(db):
    result = run(query, ["-m", "spend,leads,cpl,ctr", "--by", "campaign", "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["campaign", "Spend", "Leads", "CPL", "CTR"]
    assert lines[1].split() == ["1", "120.00", "4", "30.00", "1.00%"]
    assert lines[2].split() == ["2", "5.00", "0", "–", "–"]


def test_query_json_with_dates_and_filters(db):
    result = run(query, ["-m", "leads", "-m", "speed_to_lead_hours", "--by", "day",
                         "--campaign", "1", "--status", "QUALIFIED", "--status", "DONE_DEAL",
                         "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"day": "2024-06-30", "leads": 1, "speed_to_lead_hours": 2.0},
        {"day": "2024-07-01", "leads": 1, "speed_to_lead_hours": 10.0},
    ]


def test_query_tenant(db):
    result = run(query, ["-m", "leads", "--by", "campaign", "--tenant", "20", "--user", "10",
                         "--db", db, "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["campaign,leads"]


def test_notes_go_to_stderr(db):
    result = CliRunner().invoke(query, ["-m", "spend,leads", "--status", "SPAM", "--db", db,
                                        "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["spend,leads", "135.0,1"]
    assert "note: " in result.stderr and "not restricted" in result.stderr


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "bigquery", "snowflake",
                                     "trino"])
def test_sql_flag_prints_sql_without_a_database(dialect, tmp_path):
    result = run(query, ["-m", "spend", "-m", "cpl", "--by", "week", "--from", "2024-07-01",
                         "--sql", "--dialect", dialect, "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 0, result.output
    assert "CAST('2024-07-01' AS DATE)" in result.output
    sqlglot.parse_one(result.output, read=dialect)


@pytest.mark.parametrize(("args", "message"), [
    (["-m", "cpll"], "unknown metric 'cpll'; did you mean 'cpl'?"),
    (["-m", "spend", "--by", "projet"], "did you mean 'project'?"),
    (["-m", "spend", "--by", "lead_status"], "cannot be broken down by 'lead_status'"),
    (["-m", "spend", "--user", "abc"], "takes integer ids"),
    (["-m", "spend", "--from", "07/01/2024"], "ISO date"),
    (["-m", "spend", "--tenant", "1.5"], "takes integer ids"),
], ids=["metric", "dimension", "incompatible", "user", "date", "tenant"])
def test_errors_are_one_line(db, args, message):
    result = CliRunner().invoke(query, [*args, "--db", db])
    assert result.exit_code == 2  # an error (1: a check found something)
    assert result.output.startswith("error: ") and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_missing_database_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_BI_DB", str(tmp_path / "gone.duckdb"))
    result = CliRunner().invoke(query, ["-m", "spend"])
    assert result.exit_code == 2  # an error (1: a check found something)
    assert "gone.duckdb: no warehouse here" in result.output
    assert result.output.count("\n") == 1


def test_default_db_from_environment(db, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_BI_DB", db)
    result = run(query, ["-m", "leads", "--format", "csv"])
    assert result.output.splitlines() == ["leads", "7"]


def test_catalog_lists_everything():
    result = run(catalog, [])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for m in cat.METRICS.values():
        line = next(x for x in lines if x.startswith(m.name + " "))
        for part in (m.label, m.unit, m.additivity, m.formula):
            assert part in line, (m.name, part)
    assert any(x.startswith("reach ") and "Reach (sum of daily)" in x for x in lines)
    for d in cat.DIMENSIONS.values():
        assert any(x.startswith(d.name + " ") and d.kind in x for x in lines), d.name
    for f in cat.FILTERS:
        assert any(x.startswith(f + " ") for x in lines), f


@pytest.mark.parametrize(("asked", "suggested"), [
    ("sepnd", "spend"), ("lead", "leads"), ("cost per lead", "cpl"), ("click-through", "ctr"),
    ("revenue", None), ("frequncy", "frequency")])
def test_did_you_mean_suggests_what_a_user_would_mean(asked, suggested):
    from semantic.compiler import make_query
    from semantic.errors import UnknownMetricError

    with pytest.raises(UnknownMetricError) as info:
        make_query([asked])
    assert (info.value.suggestions[0] if info.value.suggestions else None) == suggested
    assert ("did you mean" in str(info.value)) == (suggested is not None)


def test_metric_and_dimension_names_are_case_insensitive(layer):
    upper = layer.query(["SPEND", "Cpl"], ["Project"])
    assert list(upper.columns) == ["project", "spend", "cpl"]
    pd.testing.assert_frame_equal(upper, layer.query(["spend", "cpl"], ["project"]))


@pytest.mark.parametrize("command", ["query", "alerts", "export-leads"])
def test_filter_options_are_the_catalogs(command):
    from semantic import catalog as cat
    from semantic.cli import main

    text = " ".join(CliRunner().invoke(main, [command, "--help"], terminal_width=400)
                    .output.split())
    for spec in cat.FILTERS.values():
        assert f"{spec.option}" in text and spec.description in text, spec.name
        for alias in spec.aliases:
            assert alias in text


def test_long_filter_options_and_comma_ids_mean_the_same(db):
    short = CliRunner().invoke(query, ["-m", "spend", "--by", "business_user", "--user", "10",
                                       "--user", "20", "--from", "2000-01-01", "--db", db,
                                       "--format", "csv"])
    long = CliRunner().invoke(query, ["-m", "spend", "--by", "business_user",
                                      "--business-user", "10,20", "--date-from", "2000-01-01",
                                      "--db", db, "--format", "csv"])
    assert short.exit_code == long.exit_code == 0, short.output + long.output
    assert short.output == long.output and len(short.output.splitlines()) > 1


def test_delivery_by_ad_set_and_a_typed_refusal_for_leads(db):
    by_ad_set = CliRunner().invoke(query, ["-m", "spend,clicks,ctr", "--by", "ad_set", "--db", db,
                                           "--format", "csv"])
    assert by_ad_set.exit_code == 0, by_ad_set.output
    lines = by_ad_set.output.splitlines()
    assert lines[0] == "ad_set,spend,clicks,ctr" and len(lines) > 1
    refused = CliRunner().invoke(query, ["-m", "spend,leads", "--by", "ad_set", "--db", db])
    assert refused.exit_code == 2
    assert "metric 'leads' cannot be broken down by 'ad_set'" in refused.output
    assert "per campaign, not per ad set" in refused.output
