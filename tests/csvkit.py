"""Write tiny export folders for ingest tests: valid by default, each test spoils one thing;
and read back what an ingest built."""

from __future__ import annotations

from pathlib import Path

import duckdb

HEADERS = {
    "campaigns.csv": "id,daily_budget,start_time,stop_time,user_id,project_name",
    "insights.csv": "ad_set_id,campaign_id,reach,spend,clicks,impressions,created_at",
    "campaign_leads.csv": "id,campaign_id,name,email,phone,lead_status,added_date",
    "lead_status_changes.csv": "lead_id,status,created_at",
}

VALID = {
    "campaigns.csv": [
        '1,1200,2024-06-01 10:00:00,2024-06-03 10:00:00,199,"Kings Way "',
        "2,2000,2024-06-02 00:00:00,2024-06-02 23:00:00,200,Bloomfields",
    ],
    "insights.csv": [
        "10,1,90,100.50,5,100,2024-06-01",
        "11,1,30,20.25,2,40,2024-06-02 00:00:00",
        '12,2,10,0.01,1,20,"2024-06-02"',
    ],
    "campaign_leads.csv": [
        '100,1,"Ahmed ""Bob"" Hassan",a@example.com,+2015628437879,QUALIFIED,"2024-06-01 20:00:00"',
        "101,1,Mona Adel,b@example.com,,NEW_LEAD,2024-06-02 21:00:00",
        "102,2,Omar Ali,c@example.com,310-242-6257,DONE_DEAL,2024-06-02 05:00:00",
    ],
    "lead_status_changes.csv": [
        "100,NEW_LEAD,2024-06-01 20:00:00",
        "100,QUALIFIED,2024-06-02 20:00:00",
    ],
}


def write_exports(
    folder: Path, overrides: dict[str, list[str] | str | bytes] | None = None, newline: str = "\n"
) -> Path:
    """Write the four files; an override replaces a file's data lines (list), or its whole
    content (str/bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    overrides = overrides or {}
    for name, header in HEADERS.items():
        content = overrides.get(name, VALID[name])
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        elif isinstance(content, str):
            (folder / name).write_bytes(content.encode())
        else:
            text = newline.join([header, *content]) + newline
            (folder / name).write_bytes(text.encode())
    return folder


def warehouse_rows(db: Path, sql: str) -> list[tuple]:
    """Rows of a query on a built warehouse, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
