"""Data-quality findings: rows that parse but look odd are loaded and listed here, never
rejected (implausible is not invalid, DATA_SPEC.md). One row per kind and file in
meta.data_quality_issues, with the count and the first source lines."""

from __future__ import annotations

import duckdb

#: lines listed in a finding's detail; the count covers them all
SHOWN_LINES = 20
OFF_MIDNIGHT = "day stamped at a time other than midnight (the date part is the day)"

# (file, kind, SQL giving the CSV line of each affected row). Static SQL over loaded tables;
# no values interpolated. {schema} holds the rows of this run (raw; an append's delta), the
# other side of a join is the whole warehouse.
_FINDINGS = (
    (
        "insights.csv",
        "clicks exceed impressions (kept: Meta counts them by different rules)",
        "SELECT source_line FROM {schema}.ad_insights WHERE clicks > impressions",
    ),
    (
        "insights.csv",
        "reach exceeds impressions",
        "SELECT source_line FROM {schema}.ad_insights WHERE reach > impressions",
    ),
    (
        "insights.csv",
        "delivery dated outside the campaign's planned run",
        "SELECT i.source_line FROM {schema}.ad_insights i JOIN raw.campaigns c USING (campaign_id) "
        "WHERE i.day < CAST(c.start_time AS DATE) OR i.day > CAST(c.stop_time AS DATE)",
    ),
    (
        "campaigns.csv",
        "stop time before start time (no scheduled day, so no planned budget)",
        "SELECT source_line FROM {schema}.campaigns WHERE stop_time < start_time",
    ),
    (
        "campaigns.csv",
        "project name with leading/trailing spaces (trimmed)",
        "SELECT source_line FROM {schema}.campaigns WHERE project_name <> trim(project_name)",
    ),
    (
        "campaign_leads.csv",
        "status with no funnel stage (counted as stage other)",
        "SELECT source_line FROM {schema}.leads "
        "WHERE lead_status NOT IN (SELECT status FROM core.status_stages)",
    ),
    (
        "campaign_leads.csv",
        "current status differs from the last logged status",
        "SELECT l.source_line FROM {schema}.leads l JOIN (SELECT lead_id, "
        "arg_max(status, changed_at) AS last FROM raw.lead_status_changes GROUP BY lead_id) x "
        "USING (lead_id) WHERE x.last <> l.lead_status",
    ),
    (
        "lead_status_changes.csv",
        "logged status with no funnel stage",
        "SELECT source_line FROM {schema}.lead_status_changes "
        "WHERE status NOT IN (SELECT status FROM core.status_stages)",
    ),
)


def record_lines(con: duckdb.DuckDBPyConnection, run_id: str, file: str, kind: str,
                 lines_sql: str) -> int:
    """Record one finding from a query of affected lines (`line` or its only column); returns
    how many rows it covers (nothing is recorded for none)."""
    rows, first = con.execute(
        f"SELECT count(*), list(l ORDER BY l)[1:{SHOWN_LINES}] FROM ({lines_sql}) AS t(l)"
    ).fetchall()[0]
    if rows:
        shown = ", ".join(str(line) for line in first)
        more = f" and {rows - len(first):,} more" if rows > len(first) else ""
        con.execute(
            "INSERT INTO meta.data_quality_issues VALUES (?, ?, ?, ?, ?)",
            [run_id, file, kind, f"{rows:,} rows: lines {shown}{more}", rows],
        )
    return rows


def record_findings(con: duckdb.DuckDBPyConnection, run_id: str, schema: str = "raw") -> None:
    for file, kind, lines_sql in _FINDINGS:
        record_lines(con, run_id, file, kind, lines_sql.format(schema=schema))
