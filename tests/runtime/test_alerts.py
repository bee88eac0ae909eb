"""Alert rules on a hand-built warehouse: each rule fires for exactly the campaigns it should,
floors keep tiny campaigns quiet, config errors say what is wrong, and the CLI's exit code tells
cron whether anything fired."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from factories import build_warehouse, campaign, insight, lead

import semantic
from semantic.cli.delivery import alerts as alerts_command
from semantic.runtime import alerts

BIG = 100_000  # a daily budget no campaign here overspends


def _campaign(cid, *, spend, leads=0, impressions=10_000, clicks=300, budget=BIG, user=1):
    return (campaign(cid, user=user, project=f"P{cid % 3}", budget=budget),
            insight(cid, "2024-07-01", spend=str(spend), impressions=impressions, clicks=clicks,
                    reach=impressions // 2),
            [lead(cid * 100 + i, cid, "2024-07-01 12:00:00") for i in range(leads)])


SPECS = [
    _campaign(1, spend=100, leads=5),                # CPL 20
    _campaign(2, spend=150, leads=5),                # CPL 30
    _campaign(3, spend=500, leads=5),                # CPL 100 > 2 × median 35: fires
    _campaign(4, spend=200, leads=5),                # CPL 40
    _campaign(5, spend=500, leads=1),                # CPL 500 from 1 lead: not judged
    _campaign(6, spend=6000),                        # 6,000 spent, no lead: fires
    _campaign(7, spend=4000),                        # under the 5,000 floor
    _campaign(8, spend=150, budget=20),              # 750% of budget: fires
    _campaign(9, spend=50, budget=10),               # 500% of budget, but spend < 100
    _campaign(10, spend=100, clicks=20),             # CTR 0.2% on 10,000 impressions: fires
    _campaign(11, spend=100, impressions=1000, clicks=1),  # CTR 0.1% under the floor
    _campaign(12, spend=100, clicks=10, user=2),     # CTR 0.1%, another business user
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_warehouse(
        tmp_path_factory.mktemp("alerts") / "w.duckdb",
        campaigns=[c for c, _, _ in SPECS], insights=[i for _, i, _ in SPECS],
        leads=[row for _, _, rows in SPECS for row in rows])


@pytest.fixture(scope="module")
def layer(db):
    with semantic.connect(db) as opened:
        yield opened


def fired(frame):
    return sorted(zip(frame["rule"], frame["campaign"], strict=True))


def test_each_rule_fires_for_exactly_its_campaigns(layer):
    out = alerts.evaluate(layer)
    assert fired(out) == [("cpl_high", 3), ("ctr_low", 10), ("ctr_low", 12), ("overspend", 8),
                          ("spend_without_leads", 6)]
    assert list(out.columns) == alerts.COLUMNS
    row = out.set_index("rule").loc["cpl_high"]
    assert (row["value"], row["threshold"]) == (pytest.approx(100), pytest.approx(70))
    assert (row["project"], row["business_user"], row["unit"]) == ("P0", 1, "money")
    over = out.set_index("rule").loc["overspend"]
    assert (over["value"], over["threshold"], over["unit"]) == (pytest.approx(7.5), 1.0,
                                                                "percent")
    ctr = out[out["rule"] == "ctr_low"].set_index("campaign")
    assert ctr.loc[10, "value"] == pytest.approx(0.002) and ctr.loc[10, "threshold"] == 0.005


def test_filters_and_tenant_scope_the_campaigns(layer):
    assert fired(alerts.evaluate(layer, tenant=2)) == [("ctr_low", 12)]
    assert fired(alerts.evaluate(layer, {"business_user": [2]})) == [("ctr_low", 12)]
    empty = alerts.evaluate(layer, {"date_from": "2030-01-01"})
    assert empty.empty and list(empty.columns) == alerts.COLUMNS


def test_absolute_cpl_threshold_and_severity_order(layer):
    rules = alerts.load_config()
    rules["cpl_high"]["absolute"] = 35.0
    out = alerts.evaluate(layer, config=rules)
    cpl = out[out["rule"] == "cpl_high"]
    assert cpl["campaign"].tolist() == [3, 4]  # most severe first; campaign 5 has < 3 leads
    assert set(cpl["threshold"]) == {35.0}


def test_a_disabled_rule_does_not_fire(layer):
    rules = alerts.load_config()
    rules["ctr_low"]["enabled"] = False
    assert "ctr_low" not in set(alerts.evaluate(layer, config=rules)["rule"])


def test_a_precomputed_campaign_frame_gives_the_same_alerts(layer):
    frame = alerts.campaign_frame(layer)
    assert fired(alerts.evaluate(layer, campaigns=frame)) == fired(alerts.evaluate(layer))


@pytest.mark.parametrize(("config", "message"), [
    ({"rules": {"cpl_hi": {"metric": "cpl"}}}, "unknown alert rule 'cpl_hi' (known: cpl_high,"),
    ({"rules": {"ctr_low": {"metric": "ctr", "min_ctr": 0.01}}},
     "alert rule 'ctr_low' lacks min_impressions"),
    ({"thresholds": {}}, "alert config has no [rules.<name>] tables"),
], ids=["unknown", "missing", "no-rules"])
def test_config_errors_say_what_is_wrong(config, message):
    with pytest.raises(alerts.AlertConfigError) as info:
        alerts.load_config(config)
    assert message in str(info.value)


def test_the_shipped_config_documents_every_rule():
    rules = alerts.load_config()
    assert set(rules) == set(alerts.RULES)
    for spec in rules.values():
        assert spec["label"] and spec["description"]


def test_cli_exit_code_is_1_when_alerts_fire(db):
    result = CliRunner().invoke(alerts_command, ["--db", str(db)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["campaign", "project", "user", "rule", "value", "threshold"]
    assert any(line.split()[:4] == ["3", "P0", "1", "cpl_high"] and "100.00" in line
               for line in lines)
    assert lines[-1] == "5 alert(s)"


def test_cli_json_and_user_filter(db):
    result = CliRunner().invoke(alerts_command, ["--db", str(db), "--user", "2",
                                                 "--format", "json"])
    assert result.exit_code == 1
    records = json.loads(result.output)
    assert [(r["campaign"], r["rule"], r["business_user"]) for r in records] == \
        [(12, "ctr_low", 2)]
    assert records[0]["value"] == pytest.approx(0.001)


def test_cli_exit_code_is_0_when_nothing_fires(db):
    result = CliRunner().invoke(alerts_command, ["--db", str(db), "--from", "2030-01-01"])
    assert (result.exit_code, result.output.strip()) == (0, "no alerts")


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path, db):
    result = CliRunner().invoke(alerts_command, ["--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "no warehouse here" in result.output and "just ingest" in result.output
    result = CliRunner().invoke(alerts_command, ["--db", str(db), "--from", "2024-07-02",
                                                 "--to", "2024-07-01"])
    assert result.exit_code == 2 and "date_from 2024-07-02 is after date_to 2024-07-01" in \
        result.output


def test_without_dates_alerts_cover_the_days_with_data(tmp_path):
    """"All data" is the span of days with delivery, leads or status changes, as on the
    dashboard: a budget planned after the last day with data is not due yet. Campaign 1 spent
    150 against 20 a day on the only day with data (750 %: fires), though it is planned for
    30 days (600 planned in all); the CLI without dates used to count all 30 days (25 %)."""
    db = build_warehouse(
        tmp_path / "w.duckdb",
        campaigns=[campaign(1, budget=20, stop="2024-07-30 23:00:00"),
                   campaign(2, budget=BIG)],
        insights=[insight(1, "2024-07-01", spend="150", impressions=10_000, clicks=300),
                  insight(2, "2024-07-01", spend="100", impressions=10_000, clicks=300)])
    with semantic.connect(db) as layer:
        assert layer.activity_span() == (dt.date(2024, 7, 1), dt.date(2024, 7, 1))
        everything = fired(alerts.evaluate(layer))
        assert ("overspend", 1) in everything
        assert everything == fired(alerts.evaluate(
            layer, {"date_from": "2024-07-01", "date_to": "2024-07-01"}))
    result = CliRunner().invoke(alerts_command, ["--db", str(db), "--format", "json"])
    assert [(r["campaign"], r["rule"]) for r in json.loads(result.output)] == [
        (c, r) for r, c in everything]


def test_the_cli_and_the_dashboard_fire_the_same_alerts_for_all_data(warehouse):
    from app.state import store
    from app.state.layers import get_layer

    store.RESULTS.clear()
    state = store.DashboardState(get_layer(warehouse))
    page = state.complete(state.data) if state.data.alerts is None else state.data
    result = CliRunner().invoke(alerts_command, ["--db", str(warehouse), "--format", "json"])
    cli = sorted((r["campaign"], r["rule"]) for r in json.loads(result.output))
    assert cli == sorted(zip(page.alerts["campaign"], page.alerts["rule"], strict=True))
    assert len(cli) > 100
