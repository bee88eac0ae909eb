"""The migrations written from the catalog (`campaign-bi generate-sql`) are what it writes
today, and the status rules in the warehouse are the catalog's."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from semantic import catalog
from semantic.builder import generate
from semantic.cli import main
from tests.factories import build_warehouse, campaign, change, lead, sample_warehouse


def test_generated_migrations_are_up_to_date_with_the_catalog():
    assert generate.write(check=True) == [], "run `campaign-bi generate-sql`"
    result = CliRunner().invoke(main, ["generate-sql", "--check"])
    assert result.exit_code == 0, result.output


def test_check_names_a_file_that_differs(tmp_path):
    (tmp_path / "003_status_stages.sql").write_text("-- edited by hand\n")
    assert generate.write(tmp_path, check=True) == list(generate.files())
    assert (tmp_path / "003_status_stages.sql").read_text() == "-- edited by hand\n"
    assert generate.write(tmp_path) == list(generate.files())
    assert generate.write(tmp_path, check=True) == []


def test_the_warehouse_rules_are_the_catalogs(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb", campaigns=[campaign(1)], leads=[
        lead(10, 1, "2024-07-01 09:00:00", status="DONE_DEAL"),
        lead(11, 1, "2024-07-01 09:00:00", status="HIGH_INTEREST"),
        lead(12, 1, "2024-07-01 09:00:00", status="UNKNOWN"),
        lead(13, 1, "2024-07-01 09:00:00", status="SOMETHING_NEW"),
    ], changes=[
        change(10, "NEW_LEAD", "2024-07-01 09:00:00"), change(10, "DONE_DEAL", "2024-07-01 11:00:00"),
        change(12, "UNKNOWN", "2024-07-01 10:00:00"),
        change(13, "SOMETHING_NEW", "2024-07-01 12:00:00"),
    ])
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rules = con.execute("SELECT status, stage, stage_order, is_qualified, is_deal, "
                            "is_contact, is_first_contact FROM core.status_stages").fetchall()
        stages = con.execute("SELECT stage FROM core.stages ORDER BY stage_order").fetchall()
        leads = con.execute("SELECT lead_id, stage, is_qualified, is_deal, is_contacted, "
                            "hours_to_first_contact FROM core.leads ORDER BY lead_id").fetchall()
    assert {r[0]: r[1:] for r in rules} == {
        s.name: (s.stage, catalog.STAGES[s.stage].order, catalog.STAGES[s.stage].qualified,
                 s.deal, s.contact, s.first_contact) for s in catalog.STATUSES.values()}
    assert [s for (s,) in stages] == list(catalog.STAGES)
    assert leads == [
        (10, "won", True, True, True, 2.0),
        (11, "qualified", True, False, False, None),  # no status logged: never contacted
        (12, "unknown", False, False, False, 1.0),  # UNKNOWN is a first contact, no contact
        (13, "other", False, False, True, 3.0),  # a status not listed counts as both
    ]


#: The hand-written views the generated ones replaced (sql/010-013 before they were generated):
#: an independent statement of the same numbers.
HAND_WRITTEN = {
    "marts.kpis": """
WITH f AS (
    SELECT
        sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
        sum(reach) AS reach, sum(leads) AS leads, sum(qualified_leads) AS qualified_leads,
        sum(deals) AS deals, sum(contacted_leads) AS contacted_leads,
        sum(status_changes) AS status_changes, sum(budget) AS budget
    FROM marts.campaign_daily
), s AS (
    SELECT median(hours_to_first_contact) AS speed_to_lead_hours FROM core.leads
)
SELECT
    f.spend, f.impressions, f.clicks, f.reach,
    f.impressions / nullif(f.reach, 0)                AS frequency,
    f.clicks / nullif(f.impressions, 0)               AS ctr,
    f.spend / nullif(f.clicks, 0)                     AS cpc,
    1000 * f.spend / nullif(f.impressions, 0)         AS cpm,
    f.leads,
    f.leads / nullif(f.clicks, 0)                     AS click_to_lead_rate,
    f.spend / nullif(f.leads, 0)                      AS cpl,
    f.qualified_leads,
    f.qualified_leads / nullif(f.leads, 0)            AS qualification_rate,
    f.spend / nullif(f.qualified_leads, 0)            AS cost_per_qualified_lead,
    f.deals,
    f.spend / nullif(f.deals, 0)                      AS cost_per_deal,
    f.contacted_leads,
    f.contacted_leads / nullif(f.leads, 0)            AS contact_rate,
    s.speed_to_lead_hours,
    f.status_changes,
    f.budget,
    f.spend / nullif(f.budget, 0)                     AS budget_utilization
FROM f, s""",
    "marts.campaign_metrics": """
WITH f AS (
    SELECT
        campaign_id,
        sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
        sum(reach) AS reach, sum(leads) AS leads, sum(qualified_leads) AS qualified_leads,
        sum(deals) AS deals, sum(contacted_leads) AS contacted_leads,
        sum(status_changes) AS status_changes, sum(budget) AS budget
    FROM marts.campaign_daily
    GROUP BY campaign_id
), s AS (
    SELECT campaign_id, median(hours_to_first_contact) AS speed_to_lead_hours
    FROM core.leads GROUP BY campaign_id
)
SELECT
    c.campaign_id, c.business_user, c.project, c.start_time, c.stop_time, c.daily_budget,
    f.spend, f.impressions, f.clicks, f.reach,
    f.impressions / nullif(f.reach, 0)                AS frequency,
    f.clicks / nullif(f.impressions, 0)               AS ctr,
    f.spend / nullif(f.clicks, 0)                     AS cpc,
    1000 * f.spend / nullif(f.impressions, 0)         AS cpm,
    f.leads,
    f.leads / nullif(f.clicks, 0)                     AS click_to_lead_rate,
    f.spend / nullif(f.leads, 0)                      AS cpl,
    f.qualified_leads,
    f.qualified_leads / nullif(f.leads, 0)            AS qualification_rate,
    f.spend / nullif(f.qualified_leads, 0)            AS cost_per_qualified_lead,
    f.deals,
    f.contacted_leads,
    f.contacted_leads / nullif(f.leads, 0)            AS contact_rate,
    s.speed_to_lead_hours,
    f.status_changes,
    f.budget,
    f.spend / nullif(f.budget, 0)                     AS budget_utilization
FROM core.campaigns AS c
LEFT JOIN f USING (campaign_id)
LEFT JOIN s USING (campaign_id)""",
    "marts.daily_trends": """
SELECT
    day,
    sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(reach) AS reach,
    sum(leads) AS leads, sum(qualified_leads) AS qualified_leads, sum(deals) AS deals,
    sum(status_changes) AS status_changes, sum(budget) AS budget,
    sum(clicks) / nullif(sum(impressions), 0)   AS ctr,
    sum(spend) / nullif(sum(leads), 0)          AS cpl,
    sum(spend) / nullif(sum(budget), 0)         AS budget_utilization
FROM marts.campaign_daily
GROUP BY day
ORDER BY day""",
    "marts.project_segments": """
SELECT
    project,
    count(DISTINCT campaign_id)                          AS campaigns,
    count(DISTINCT business_user)                        AS business_users,
    sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
    sum(leads) AS leads, sum(qualified_leads) AS qualified_leads, sum(deals) AS deals,
    sum(clicks) / nullif(sum(impressions), 0)            AS ctr,
    sum(spend) / nullif(sum(leads), 0)                   AS cpl,
    sum(spend) / nullif(sum(qualified_leads), 0)         AS cost_per_qualified_lead,
    sum(qualified_leads) / nullif(sum(leads), 0)         AS qualification_rate
FROM marts.campaign_daily
GROUP BY project
ORDER BY spend DESC NULLS LAST, project""",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return sample_warehouse(tmp_path_factory.mktemp("views"), scale=0.05, seed=3)


@pytest.mark.parametrize("view", list(HAND_WRITTEN))
def test_generated_views_hold_the_numbers_of_the_hand_written_ones(warehouse, view):
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.sql(f"SELECT * FROM {view}").df()
        want = con.sql(HAND_WRITTEN[view]).df()
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) > 0
    key = [c for c in ("campaign_id", "day", "project") if c in got.columns]
    if key:
        got = got.sort_values(key[:1], ignore_index=True)
        want = want.sort_values(key[:1], ignore_index=True)
    for column in got.columns:
        a, b = got[column], want[column]
        if a.dtype.kind in "iufc" or b.dtype.kind in "iufc" or a.dtype == object:
            try:
                pd.testing.assert_series_equal(a.astype(float), b.astype(float),
                                               check_names=False, rtol=1e-12)
                continue
            except (TypeError, ValueError):
                pass
        assert a.tolist() == b.tolist(), column
