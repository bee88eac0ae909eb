"""Data-quality findings that keep the rows but deserve a look, recorded after loading."""

from __future__ import annotations

import duckdb

# (file, kind, SQL counting affected rows). Static SQL over loaded tables; no values interpolated.
_FINDINGS = (
    (
        "campaign_leads.csv",
        "status with no funnel stage (counted as stage other)",
        "SELECT count(*) FROM raw.leads WHERE lead_status NOT IN (SELECT status FROM core.status_stages)",
    ),
    (
        "lead_status_changes.csv",
        "logged status with no funnel stage",
        "SELECT count(*) FROM raw.lead_status_changes "
        "WHERE status NOT IN (SELECT status FROM core.status_stages)",
    ),
    (
        "insights.csv",
        "delivery dated outside the campaign's planned run",
        "SELECT count(*) FROM raw.ad_insights i JOIN raw.campaigns c USING (campaign_id) "
        "WHERE i.day < CAST(c.start_time AS DATE) OR i.day > CAST(c.stop_time AS DATE)",
    ),
    (
        "campaign_leads.csv",
        "current status differs from the last logged status",
        "SELECT count(*) FROM raw.leads l JOIN (SELECT lead_id, arg_max(status, changed_at) AS last "
        "FROM raw.lead_status_changes GROUP BY lead_id) x USING (lead_id) WHERE x.last <> l.lead_status",
    ),
    (
        "campaigns.csv",
        "project name with leading/trailing spaces (trimmed)",
        "SELECT count(*) FROM raw.campaigns WHERE project_name <> trim(project_name)",
    ),
)


def record_findings(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    for file, kind, count_sql in _FINDINGS:
        rows = con.execute(count_sql).fetchall()[0][0]
        if rows:
            con.execute(
                "INSERT INTO meta.data_quality_issues VALUES (?, ?, ?, ?, ?)",
                [run_id, file, kind, f"{rows} rows", rows],
            )
