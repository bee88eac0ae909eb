"""Data health: what the last ingest read, loaded, refused and flagged, from the warehouse's
meta tables. For admins only: refused rows quote source values, personal data included.

Static SQL over meta.* (no values interpolated); a warehouse built before reconciliation was
recorded (sql/020) shows none rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from semantic.builder.migrations import LATEST_RUN

#: refused rows in a page (DataHealth.rejects is the first; the count covers them all)
REJECTS_PAGE = 50

_FILE_ORDER = ("CASE file WHEN 'campaigns.csv' THEN 1 WHEN 'insights.csv' THEN 2 "
               "WHEN 'campaign_leads.csv' THEN 3 ELSE 4 END")


@dataclass(frozen=True)
class DataHealth:
    version: str | None
    loaded_at: pd.Timestamp | None
    source_dir: str | None
    files: pd.DataFrame  # file, read, loaded, duplicates, rejected, warnings
    reconciliation: pd.DataFrame  # file, measure, in_file, loaded, duplicates, rejected, unreadable
    issues: pd.DataFrame  # file, kind, detail, rows
    rejects: pd.DataFrame  # file, line, column, value, reason (the first REJECTS_PAGE)
    reject_count: int


def rejected_rows(warehouse, offset: int = 0, limit: int = REJECTS_PAGE) -> pd.DataFrame:
    """The last ingest's refused rows in file order and line order, one page."""
    return warehouse.query(
        'SELECT file, line, "column", value, reason FROM meta.rejected_rows '
        f"WHERE run_id = {LATEST_RUN} ORDER BY {_FILE_ORDER}, line LIMIT ? OFFSET ?",
        [int(limit), int(offset)])


def last_ingest(warehouse) -> pd.Timestamp | None:
    """When the data the warehouse holds was loaded (the newest ingest or append finishing,
    on the ingesting machine's clock); None for a warehouse without that record."""
    rows = warehouse.query(
        f"SELECT loaded_at FROM meta.data_version WHERE version = {LATEST_RUN}")
    return None if rows.empty or pd.isna(rows["loaded_at"].iloc[0]) else \
        pd.Timestamp(rows["loaded_at"].iloc[0])


def data_health(warehouse) -> DataHealth:
    version = warehouse.query(
        f"SELECT version, loaded_at FROM meta.data_version WHERE version = {LATEST_RUN}")
    files = warehouse.query(
        "SELECT file_name AS file, rows_read AS read, rows_loaded AS loaded, duplicates, "
        "rejected, warnings, source_dir FROM meta.ingest_runs "
        f"WHERE starts_with(run_id, {LATEST_RUN} || ':') "
        f"ORDER BY {_FILE_ORDER.replace('file', 'file_name')}")
    has_reconciliation = not warehouse.query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = 'meta' "
        "AND table_name = 'reconciliation'").empty
    reconciliation = warehouse.query(
        "SELECT file, measure, in_file, loaded, duplicates, rejected, unreadable "
        f"FROM meta.reconciliation WHERE run_id = {LATEST_RUN} ORDER BY {_FILE_ORDER}, "
        "measure <> 'rows', measure") if has_reconciliation else pd.DataFrame(
        columns=["file", "measure", "in_file", "loaded", "duplicates", "rejected", "unreadable"])
    issues = warehouse.query(
        "SELECT file, kind, detail, rows FROM meta.data_quality_issues "
        f"WHERE run_id = {LATEST_RUN} ORDER BY {_FILE_ORDER}, rows DESC, kind")
    rejects = rejected_rows(warehouse)
    count = warehouse.query(
        f"SELECT count(*) AS n FROM meta.rejected_rows WHERE run_id = {LATEST_RUN}")["n"].iloc[0]
    first = version.iloc[0] if len(version) else None
    return DataHealth(
        version=None if first is None else str(first["version"]),
        loaded_at=None if first is None else first["loaded_at"],
        source_dir=str(files["source_dir"].iloc[0]) if len(files) else None,
        files=files.drop(columns="source_dir"), reconciliation=reconciliation, issues=issues,
        rejects=rejects, reject_count=int(count))

