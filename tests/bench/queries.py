"""The same answers through the semantic layer and as hand-written DuckDB SQL, for the
layer-overhead benchmark. Hand SQL reads the same marts the layer reads."""

from __future__ import annotations

HAND_SQL = {
    "kpis_user_month": (
        dict(metrics=["spend", "impressions", "clicks", "leads", "ctr", "cpl"], dimensions=[],
             filters={"business_user": ["{user}"], "date_from": "{start}", "date_to": "{end}"}),
        "SELECT sum(spend) spend, sum(impressions) impressions, sum(clicks) clicks, "
        "sum(leads) leads, sum(clicks) / nullif(sum(impressions), 0) ctr, "
        "sum(spend) / nullif(sum(leads), 0) cpl FROM marts.campaign_daily "
        "WHERE business_user = {user} AND day BETWEEN DATE '{start}' AND DATE '{end}'",
    ),
    "by_project_all": (
        dict(metrics=["spend", "leads", "cpl"], dimensions=["project"], filters={}),
        "SELECT project, sum(spend) spend, sum(leads) leads, sum(spend) / nullif(sum(leads), 0) cpl "
        "FROM marts.campaign_daily GROUP BY project ORDER BY project",
    ),
    "daily_trend_user": (
        dict(metrics=["spend", "leads", "status_changes"], dimensions=["day"],
             filters={"business_user": ["{user}"]}),
        "SELECT day, sum(spend) spend, sum(leads) leads, sum(status_changes) status_changes "
        "FROM marts.campaign_daily WHERE business_user = {user} GROUP BY day ORDER BY day",
    ),
    "campaign_table_user": (
        dict(metrics=["spend", "clicks", "impressions", "leads", "cpl", "ctr"],
             dimensions=["campaign"], filters={"business_user": ["{user}"]}),
        "SELECT campaign_id AS campaign, sum(spend) spend, sum(clicks) clicks, "
        "sum(impressions) impressions, sum(leads) leads, sum(spend) / nullif(sum(leads), 0) cpl, "
        "sum(clicks) / nullif(sum(impressions), 0) ctr FROM marts.campaign_daily "
        "WHERE business_user = {user} GROUP BY campaign_id ORDER BY campaign_id",
    ),
    "status_mix_all": (
        dict(metrics=["leads"], dimensions=["lead_status"], filters={}),
        "SELECT lead_status, count(*) leads FROM core.leads GROUP BY lead_status ORDER BY lead_status",
    ),
}


def fill(value, params: dict):
    if isinstance(value, str):
        return value.format(**params)
    if isinstance(value, list):
        return [fill(v, params) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, params) for k, v in value.items()}
    return value
