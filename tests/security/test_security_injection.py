"""Hostile filter values through every way in — the Python API, the CLI (`query`,
`export-leads`) and the dashboard's data store — are plain values: they match what equals them
(usually nothing) and never change the query. A project literally named
`O'Brien; DROP TABLE raw.leads; --` is found exactly, and nothing is ever dropped.
(tests/compiler/test_classic_bi_traps.py checks the compiled SQL of a few values on every dialect.)"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from factories import build_warehouse, campaign, insight, lead
from hypothesis import given, settings
from hypothesis import strategies as st

import semantic
from app.state.store import DashboardState, FilterState
from semantic.access.export import export_leads
from semantic.cli import main as cli
from semantic.compiler.request import _as_text

OBRIEN = "O'Brien; DROP TABLE raw.leads; --"
NILE = "النيل 'ستي'; --"
QUOTED_STATUS = "QUALIFIED'; DELETE FROM core.leads; --"
#: campaign -> (business user, project, spend, lead ids)
CAMPAIGNS = {1: (1, OBRIEN, 10.0, [1, 2]), 2: (1, "Kings Way", 20.0, [3]),
             3: (2, "O'Brien", 40.0, [4]), 4: (2, NILE, 5.0, [5])}
STATUSES = {1: "NEW_LEAD", 2: QUOTED_STATUS, 3: "QUALIFIED", 4: "NEW_LEAD", 5: "SPAM"}
TOTAL_SPEND = 75.0
HOSTILE = [
    "' OR '1'='1", "' OR 1=1 --", "O'Brien'; --", "x'); DROP TABLE raw.leads; --",
    "Kings Way' --", "Kings Way/* */", "/* */Kings Way", "Kings Way;", ";", "--", "'", "''",
    '"', "\\", "\\'", "$1", "?", "%", "_", "Kings%", "K_ngs Way", "*",
    "' UNION SELECT name, email, phone FROM core.leads --", "$$; DROP TABLE raw.leads; $$",
    "é漢字 🚀", "\u202eyaW sgniK", "Kings\u200bWay", "\x01\x07\x1b[2J\x7f", "a\tb",
    "line\nbreak", "Kings Way\r\n; SELECT 1", "K" * 10_000, "O'Brien; " * 1_200,
]
IDS = [f"{i}:{v[:12]!r}" for i, v in enumerate(HOSTILE)]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_warehouse(
        tmp_path_factory.mktemp("injection") / "w.duckdb",
        campaigns=[campaign(c, user=u, project=p) for c, (u, p, _, _) in CAMPAIGNS.items()],
        insights=[insight(c, "2024-07-01", spend=f"{s:.2f}", impressions=100, clicks=5)
                  for c, (_, _, s, _) in CAMPAIGNS.items()],
        leads=[lead(i, c, f"2024-07-01 1{i}:00:00", status=STATUSES[i], name=f"Lead {i}")
               for c, (_, _, _, ids) in CAMPAIGNS.items() for i in ids])


@pytest.fixture(scope="module")
def layer(db):
    with semantic.connect(db) as opened:
        yield opened


def intact(layer):
    counts = layer.sql("SELECT (SELECT count(*) FROM raw.leads) AS l, "
                       "(SELECT count(*) FROM raw.campaigns) AS c")
    return counts.values.tolist() == [[5, 4]]


def exported_ids(path: Path) -> list[int]:
    with open(path, newline="", encoding="utf-8") as f:
        return [int(r["id"]) for r in csv.DictReader(f)]


def search_oracle(text: str) -> set[int]:
    """The campaign search as specified: a comma-separated term equal to a campaign id or
    contained (case-insensitively) in its project name."""
    terms = [t.strip().casefold() for t in text.split(",") if t.strip()]
    return {c for c, (_, project, _, _) in CAMPAIGNS.items()
            if any(t == str(c) or t in project.casefold() for t in terms)}


def test_no_hostile_value_names_a_real_project():
    projects = {p for _, p, _, _ in CAMPAIGNS.values()}
    assert not {v.strip() for v in HOSTILE} & projects


# -- Python API ------------------------------------------------------------------------------
def test_the_project_named_like_an_attack_is_found_exactly(layer, tmp_path):
    df = layer.query(["spend", "leads"], ["project"], {"project": [OBRIEN]})
    assert df.values.tolist() == [[OBRIEN, 10.0, 2]]
    assert layer.campaigns({"project": [OBRIEN]})["campaign_id"].tolist() == [1]
    assert layer.filter_options()["projects"] == sorted(p for _, p, _, _ in CAMPAIGNS.values())
    assert export_leads(layer, tmp_path / "x.csv", {"project": [f"  {OBRIEN} "]}) == 2
    assert exported_ids(tmp_path / "x.csv") == [1, 2]
    df = layer.query(["leads"], ["lead_status"], {"lead_status": [QUOTED_STATUS]})
    assert df.values.tolist() == [[QUOTED_STATUS, 1]]
    assert layer.query(["leads"], ["project"], {"project": [NILE]}).values.tolist() == \
        [[NILE, 1]]
    assert intact(layer)


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_python_api(layer, tmp_path, value):
    assert layer.query(["spend", "leads"], ["project"], {"project": [value]}).empty
    both = layer.query(["spend", "leads"], ["project"], {"project": [value, OBRIEN]})
    assert both.values.tolist() == [[OBRIEN, 10.0, 2]]  # the hostile value adds nothing
    totals = layer.query(["spend", "leads"], filters={"lead_status": [value]})
    assert totals.values.tolist() == [[TOTAL_SPEND, 0]]  # spend is not narrowed by status
    assert layer.campaigns({"project": [value]}).empty
    assert layer.campaigns({"project": [value]}, tenant=1).empty
    assert layer.count(["spend"], ["campaign"], {"project": [value]}) == 0
    assert export_leads(layer, tmp_path / "x.csv", {"project": [value]}) == 0
    assert export_leads(layer, tmp_path / "y.csv", {"lead_status": [value]}) == 0
    assert intact(layer)


# -- CLI ---------------------------------------------------------------------------------------
def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_cli_query_and_export(db, layer, tmp_path, value):
    result = run_cli("query", "-m", "spend,leads", "--by", "project", "--project", value,
                     "--db", str(db), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    result = run_cli("query", "-m", "leads", "--status", value, "--db", str(db),
                     "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == [{"leads": 0}]
    out = tmp_path / "leads.csv"
    result = run_cli("export-leads", "--out", str(out), "--db", str(db), "--project", value)
    assert result.exit_code == 0, result.output
    assert result.output == f"0 leads written to {out}\n" and exported_ids(out) == []
    assert intact(layer)


def test_cli_finds_the_project_named_like_an_attack(db, tmp_path):
    result = run_cli("query", "-m", "spend,leads", "--by", "project", "--project", OBRIEN,
                     "--db", str(db), "--format", "json")
    assert json.loads(result.output) == [{"project": OBRIEN, "spend": 10.0, "leads": 2}]
    out = tmp_path / "o'brien; --.csv"  # a hostile output path is a path, too
    result = run_cli("export-leads", "--out", str(out), "--db", str(db), "--project", OBRIEN,
                     "--status", QUOTED_STATUS)
    assert result.exit_code == 0, result.output
    assert exported_ids(out) == [2]
    # through a real process and argv (no shell): the name arrives byte for byte
    exe = Path(sys.executable).with_name("campaign-bi")
    proc = subprocess.run([str(exe), "query", "-m", "leads", "--by", "project", "--project",
                           OBRIEN, "--project", NILE, "--db", str(db), "--format", "csv"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert list(csv.reader(proc.stdout.splitlines())) == \
        [["project", "leads"], [OBRIEN, "2"], [NILE, "1"]]


@pytest.mark.parametrize("args", [
    ("query", "-m", "spend", "--user", "1 OR 1=1"),
    ("query", "-m", "spend", "--campaign", "1; DROP TABLE raw.leads"),
    ("query", "-m", "spend", "--tenant", "1 OR business_user <> 1"),
    ("query", "-m", "spend", "--from", "2024-07-01'; --"),
    ("query", "-m", "spend; DROP TABLE raw.leads"),
    ("query", "-m", "spend", "--by", "project; --"),
    ("export-leads", "--out", "x.csv", "--user", "1 OR 1=1"),
    ("export-leads", "--out", "x.csv", "--from", "2024-07-01' OR '1'='1"),
], ids=["user", "campaign", "tenant", "date", "metric", "dimension", "export-user",
        "export-date"])
def test_cli_hostile_ids_names_and_dates_are_one_line_errors(db, layer, tmp_path, monkeypatch,
                                                             args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(("Error:", "error:"))
    assert intact(layer) and not (tmp_path / "x.csv").exists()


# -- dashboard data store ------------------------------------------------------------------------
def test_store_finds_the_project_named_like_an_attack(layer):
    state = DashboardState(layer)
    assert OBRIEN in state.param.projects.objects
    state.projects = [OBRIEN]
    assert (state.data.kpis["spend"], state.data.kpis["leads"]) == (10.0, 2)
    assert state.data.campaigns["campaign"].tolist() == [1]
    assert state.export_filters().project == (OBRIEN,)
    state.param.update(projects=[], campaign_search=OBRIEN)
    assert state.data.campaigns["campaign"].tolist() == [1]
    state.campaign_search = "o'brien"  # contained in two project names
    assert sorted(state.data.campaigns["campaign"]) == [1, 3]


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_store(layer, value):
    state = DashboardState(layer)
    try:
        state.projects = [value]
    except ValueError:  # refused as not one of the offered projects: just as good
        pass
    else:
        assert state.data.empty and not state.error
    assert state.compute(FilterState(project=(value,)), "week").empty
    state.param.update(projects=[], campaign_search=value)
    expected = search_oracle(value)
    assert not state.error
    if expected:
        assert set(state.data.campaigns["campaign"]) == expected
        assert state.data.kpis["spend"] == sum(CAMPAIGNS[c][2] for c in expected)
    else:
        assert state.data.empty and state.export_filters().campaign == (-1,)
    state.param.update(campaign_search="", lead_statuses=[value])
    assert not state.error and state.data.kpis["leads"] == 0
    assert state.data.kpis["spend"] == TOTAL_SPEND
    tenant = DashboardState(layer, tenant=2)
    tenant.campaign_search = value
    assert set(tenant.data.campaigns.get("campaign", [])) == expected & {3, 4}
    assert intact(layer)


def test_a_project_ending_in_a_tab_can_be_selected(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb",
                           campaigns=[campaign(1, project="Tabbed\t"),
                                      campaign(2, project="Tabbed")],
                           insights=[insight(1, "2024-07-01", spend="20.00"),
                                     insight(2, "2024-07-01", spend="1.00")])
    with semantic.connect(path) as lay:
        assert "Tabbed\t" in lay.filter_options()["projects"]
        assert lay.query(["spend"], ["project"], {"project": ["Tabbed\t"]}).values.tolist() \
            == [["Tabbed\t", 20.0]]


_EDGE_CHARS = st.sampled_from(["\t", "\n", "\r", "\x0b", "\x1f", "\x85", " ", "\xa0", "\u2003",
                               "\u2028", "\u3000", "\u200b", "x", "é"])


@settings(max_examples=300, deadline=None)
@given(st.text(_EDGE_CHARS, max_size=6), st.text(_EDGE_CHARS, max_size=6))
def test_a_project_filter_is_trimmed_exactly_as_sql_trims_project_names(left, right):
    """The filter value and core.campaigns' trim() agree on every edge, so a name is selectable."""
    value = f"{left}Kings{right}"
    with duckdb.connect() as con:
        trimmed = con.execute("SELECT trim($v)", {"v": value}).fetchone()[0]
    assert _as_text("project", value) == trimmed
