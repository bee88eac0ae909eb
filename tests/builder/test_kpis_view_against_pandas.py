"""marts.kpis against an independent pandas computation on the same generated CSVs.

The oracle reads the CSVs with pandas (not through the warehouse) and applies the ingest's
documented cleaning rules: exact duplicate rows dropped, insight rows with an unknown campaign
rejected, those with clicks > impressions kept, conflicting same-key insight rows kept.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from semantic.builder.ingest import ingest
from semantic.sample import generate

QUALIFIED = {"QUALIFIED", "HIGH_INTEREST", "MEETING_DONE", "DONE_DEAL"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("sample")
    generate(src, scale=0.3, seed=11)
    db = src / "w.duckdb"
    summaries = {s.file: s for s in ingest(src, db)}
    return src, db, summaries


def oracle(src) -> dict:
    campaigns = pd.read_csv(src / "campaigns.csv", dtype=str).drop_duplicates()
    insights = pd.read_csv(src / "insights.csv", dtype=str)
    insights["created_at"] = insights["created_at"].str.slice(0, 10)
    insights = insights.drop_duplicates()
    leads = pd.read_csv(src / "campaign_leads.csv", dtype=str, keep_default_na=False).drop_duplicates()
    changes = pd.read_csv(src / "lead_status_changes.csv", dtype=str).drop_duplicates()

    for col in ("reach", "clicks", "impressions", "campaign_id"):
        insights[col] = insights[col].astype("int64")
    insights = insights[insights["campaign_id"].isin(campaigns["id"].astype("int64"))]
    spend_cents = insights["spend"].map(lambda s: int(Decimal(s) * 100)).sum()

    leads = leads[leads["campaign_id"].isin(campaigns["id"])]
    changes = changes[changes["lead_id"].isin(leads["id"])]
    added = pd.to_datetime(leads.set_index("id")["added_date"])
    contact = changes[changes["status"] != "NEW_LEAD"].copy()
    contact["at"] = pd.to_datetime(contact["created_at"])
    first_contact = contact.groupby("lead_id")["at"].min()
    hours = (first_contact - added.reindex(first_contact.index)).dt.total_seconds() / 3600
    contacted = changes[~changes["status"].isin({"NEW_LEAD", "UNKNOWN"})]["lead_id"].nunique()

    start = pd.to_datetime(campaigns["start_time"]).dt.normalize()
    stop = pd.to_datetime(campaigns["stop_time"]).dt.normalize()
    days = ((stop - start).dt.days + 1).clip(lower=0)
    budget = (campaigns["daily_budget"].astype("int64") * days).sum()
    return {
        "spend": Decimal(int(spend_cents)) / 100,
        "impressions": insights["impressions"].sum(),
        "clicks": insights["clicks"].sum(),
        "reach": insights["reach"].sum(),
        "leads": len(leads),
        "qualified_leads": leads["lead_status"].isin(QUALIFIED).sum(),
        "deals": (leads["lead_status"] == "DONE_DEAL").sum(),
        "contacted_leads": contacted,
        "status_changes": len(changes),
        "budget": Decimal(int(budget)),
        "speed_to_lead_hours": hours.median(),
        "rejected_insights": 0,  # the sample's insight dirt is all interpretable
    }


def test_kpis_equal_pandas_oracle(built):
    src, db, summaries = built
    want = oracle(src)
    con = duckdb.connect(str(db), read_only=True)
    got = con.sql("SELECT * FROM marts.kpis").df().iloc[0]
    for additive in ("impressions", "clicks", "reach", "leads", "qualified_leads", "deals",
                     "contacted_leads", "status_changes"):
        assert int(got[additive]) == int(want[additive]), additive
    exact = con.execute("SELECT sum(spend), sum(budget) FROM marts.campaign_daily").fetchall()[0]
    assert exact == (want["spend"], want["budget"])
    assert got["spend"] == pytest.approx(float(want["spend"]), abs=0.005)
    assert got["speed_to_lead_hours"] == pytest.approx(want["speed_to_lead_hours"], rel=1e-9)
    # Ratios are ratios of the sums above.
    assert got["cpl"] == pytest.approx(float(want["spend"]) / want["leads"], rel=1e-12)
    assert got["ctr"] == pytest.approx(want["clicks"] / want["impressions"], rel=1e-12)
    assert got["cpm"] == pytest.approx(1000 * float(want["spend"]) / want["impressions"], rel=1e-12)
    assert got["qualification_rate"] == pytest.approx(want["qualified_leads"] / want["leads"])
    assert got["budget_utilization"] == pytest.approx(float(want["spend"] / want["budget"]))
    assert summaries["insights.csv"].rejected == want["rejected_insights"]


def test_generated_sample_ingests_with_expected_counts(built):
    src, db, summaries = built
    for name, s in summaries.items():
        lines = sum(1 for _ in open(src / name, encoding="utf-8")) - 1
        assert s.read == lines, name
        assert s.loaded + s.duplicates + s.rejected == s.read, name
    # The sample carries only interpretable dirt: nothing is rejected, the odd rows are flagged.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT file, reason FROM meta.rejected_rows").fetchall() == []
    assert con.execute(
        "SELECT rows FROM meta.data_quality_issues WHERE kind LIKE 'clicks exceed impressions%'"
    ).fetchall()[0][0] > 0
    assert summaries["insights.csv"].duplicates > 0
    assert con.execute(
        "SELECT count(*) FROM meta.data_quality_issues WHERE kind = 'same key, different values'"
    ).fetchall()[0][0] > 0
