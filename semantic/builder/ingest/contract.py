"""The CSV export contract (DATA_SPEC.md): file names, columns, and how each column is checked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Column:
    name: str  # name in the CSV header
    target: str  # column of the raw.* landing table
    kind: str  # int | count | money | timestamp | day | text | label
    required: bool = True


@dataclass(frozen=True, kw_only=True)
class SourceFile:
    name: str
    table: str
    columns: tuple[Column, ...]
    #: columns that identify a row; the same key with other values is a conflict
    key: tuple[str, ...] = ()
    #: what to do with a key seen twice with different values: reject later rows, or keep all
    on_conflict: str = "reject"


CAMPAIGNS = SourceFile(
    name="campaigns.csv",
    table="raw.campaigns",
    columns=(
        Column(name="id", target="campaign_id", kind="int"),
        Column(name="daily_budget", target="daily_budget", kind="money"),
        Column(name="start_time", target="start_time", kind="timestamp"),
        Column(name="stop_time", target="stop_time", kind="timestamp"),
        Column(name="user_id", target="user_id", kind="int"),
        Column(name="project_name", target="project_name", kind="label"),
    ),
    key=("campaign_id",),
)

INSIGHTS = SourceFile(
    name="insights.csv",
    table="raw.ad_insights",
    columns=(
        Column(name="ad_set_id", target="ad_set_id", kind="int"),
        Column(name="campaign_id", target="campaign_id", kind="int"),
        Column(name="reach", target="reach", kind="count"),
        Column(name="spend", target="spend", kind="money"),
        Column(name="clicks", target="clicks", kind="count"),
        Column(name="impressions", target="impressions", kind="count"),
        Column(name="created_at", target="day", kind="day"),
    ),
    key=("ad_set_id", "day"),
    on_conflict="keep",
)

LEADS = SourceFile(
    name="campaign_leads.csv",
    table="raw.leads",
    columns=(
        Column(name="id", target="lead_id", kind="int"),
        Column(name="campaign_id", target="campaign_id", kind="int"),
        Column(name="name", target="name", kind="text", required=False),
        Column(name="email", target="email", kind="text", required=False),
        Column(name="phone", target="phone", kind="text", required=False),
        Column(name="lead_status", target="lead_status", kind="label"),
        Column(name="added_date", target="added_at", kind="timestamp"),
    ),
    key=("lead_id",),
)

STATUS_CHANGES = SourceFile(
    name="lead_status_changes.csv",
    table="raw.lead_status_changes",
    columns=(
        Column(name="lead_id", target="lead_id", kind="int"),
        Column(name="status", target="status", kind="label"),
        Column(name="created_at", target="changed_at", kind="timestamp"),
    ),
)

#: In load order: a file's foreign keys point at files loaded before it.
SOURCES = (CAMPAIGNS, INSIGHTS, LEADS, STATUS_CHANGES)
