"""The seed's approach, as the baseline to beat: the four CSVs in pandas DataFrames, loaded once,
then per filter state the filtering, groupbys and merges of a pandas dashboard (KPIs, campaign
table, trends, status pie, project segments)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

QUALIFIED = ["QUALIFIED", "HIGH_INTEREST", "MEETING_DONE", "DONE_DEAL"]


@dataclass
class Frames:
    campaigns: pd.DataFrame
    insights: pd.DataFrame
    leads: pd.DataFrame
    changes: pd.DataFrame


def load(src: Path) -> Frames:
    campaigns = pd.read_csv(src / "campaigns.csv", parse_dates=["start_time", "stop_time"])
    campaigns["project_name"] = campaigns["project_name"].str.strip()
    insights = pd.read_csv(src / "insights.csv")
    insights["day"] = pd.to_datetime(insights["created_at"].str.slice(0, 10))
    leads = pd.read_csv(src / "campaign_leads.csv", parse_dates=["added_date"])
    changes = pd.read_csv(src / "lead_status_changes.csv", parse_dates=["created_at"])
    return Frames(campaigns, insights, leads, changes)


def refresh(f: Frames, users: list[int] | None, projects: list[str] | None,
            date_from: str, date_to: str) -> dict[str, pd.DataFrame]:
    """All views of the pandas dashboard for one filter state."""
    c = f.campaigns
    if users:
        c = c[c["user_id"].isin(users)]
    if projects:
        c = c[c["project_name"].isin(projects)]
    ids = c["id"]
    lo, hi = pd.Timestamp(date_from), pd.Timestamp(date_to) + pd.Timedelta(days=1)
    ins = f.insights[f.insights["campaign_id"].isin(ids) & (f.insights["day"] >= lo)
                     & (f.insights["day"] < hi)]
    leads = f.leads[f.leads["campaign_id"].isin(ids) & (f.leads["added_date"] >= lo)
                    & (f.leads["added_date"] < hi)]
    changes = f.changes[f.changes["lead_id"].isin(leads["id"])]

    spend, clicks, impressions = ins["spend"].sum(), ins["clicks"].sum(), ins["impressions"].sum()
    n_leads = len(leads)
    kpis = pd.DataFrame([{
        "spend": spend, "impressions": impressions, "clicks": clicks, "reach": ins["reach"].sum(),
        "leads": n_leads, "ctr": clicks / impressions if impressions else None,
        "cpl": spend / n_leads if n_leads else None,
        "qualified": leads["lead_status"].isin(QUALIFIED).sum(),
    }])
    per_campaign = ins.groupby("campaign_id")[["spend", "clicks", "impressions", "reach"]].sum()
    lead_counts = leads.groupby("campaign_id").size().rename("leads")
    table = (c.set_index("id").join(per_campaign, how="left").join(lead_counts, how="left")
             .fillna({"spend": 0, "clicks": 0, "impressions": 0, "reach": 0, "leads": 0}))
    table["cpl"] = table["spend"] / table["leads"].where(table["leads"] > 0)
    table["ctr"] = table["clicks"] / table["impressions"].where(table["impressions"] > 0)
    trends = (ins.groupby("day")[["spend"]].sum()
              .join(leads.groupby(leads["added_date"].dt.normalize()).size().rename("leads"),
                    how="outer")
              .join(changes.groupby(changes["created_at"].dt.normalize()).size()
                    .rename("status_changes"), how="outer"))
    pie = leads.groupby("lead_status").size()
    seg = (ins.merge(c[["id", "project_name"]], left_on="campaign_id", right_on="id")
           .groupby("project_name")[["spend", "clicks", "impressions"]].sum()
           .join(leads.merge(c[["id", "project_name"]], left_on="campaign_id", right_on="id")
                 .groupby("project_name").size().rename("leads"), how="outer"))
    seg["cpl"] = seg["spend"] / seg["leads"]
    return {"kpis": kpis, "table": table, "trends": trends, "pie": pie.to_frame(), "segments": seg}
