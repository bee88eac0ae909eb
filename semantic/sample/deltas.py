"""Split a full export into a base export and one partial export per day, as the platform's
daily exports arrive (`campaign-bi sample --deltas N`, and the test that a full ingest equals
the base plus every daily append).

A row goes to the day it first existed: a campaign on the earliest of its start, its first
delivery and its first lead; delivery on its day; a lead when it arrived; a status change when it
was logged; never before what it points at (a lead not before its campaign, a change not before
its lead). Each file keeps its rows in the original order; a day with no rows of a file gets no
such file (a partial export).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

_COLUMNS = {
    "campaigns.csv": "id,daily_budget,start_time,stop_time,user_id,project_name",
    "insights.csv": "ad_set_id,campaign_id,reach,spend,clicks,impressions,created_at",
    "campaign_leads.csv": "id,campaign_id,name,email,phone,lead_status,added_date",
    "lead_status_changes.csv": "lead_id,status,created_at",
}
_TABLE = {"campaigns.csv": "c", "insights.csv": "i", "campaign_leads.csv": "l",
          "lead_status_changes.csv": "s"}


def split_by_day(src: Path, out: Path, days: int) -> tuple[Path, list[Path]]:
    """Write out/base and out/<day> for each of the last `days` days with any row; returns
    (base folder, day folders in order)."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        for name, table in _TABLE.items():
            columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in _COLUMNS[name].split(",")) + "}"
            con.execute(f"CREATE TABLE {table}_raw AS SELECT row_number() OVER () AS rn, * "
                        f"FROM read_csv(?, header = true, columns = {columns}, "
                        f"auto_detect = false, quote = '\"', escape = '\"')",
                        [str(src / name)])
        con.execute("""
            CREATE TABLE c AS
            WITH first AS (
                SELECT campaign_id AS id, min(CAST(left(trim(created_at), 10) AS DATE)) AS d
                FROM i_raw GROUP BY 1
                UNION ALL
                SELECT campaign_id, min(CAST(left(trim(added_date), 10) AS DATE)) FROM l_raw
                GROUP BY 1
                UNION ALL
                SELECT id, CAST(left(trim(start_time), 10) AS DATE) FROM c_raw)
            SELECT c_raw.*, (SELECT min(d) FROM first WHERE first.id = c_raw.id) AS day
            FROM c_raw""")
        con.execute("""
            CREATE TABLE campaign_day AS SELECT id, min(day) AS day FROM c GROUP BY id;
            CREATE TABLE i AS SELECT i_raw.*, greatest(CAST(left(trim(created_at), 10) AS DATE),
                coalesce(cd.day, DATE '0001-01-01')) AS day
                FROM i_raw LEFT JOIN campaign_day cd ON cd.id = i_raw.campaign_id;
            CREATE TABLE l AS SELECT l_raw.*, greatest(CAST(left(trim(added_date), 10) AS DATE),
                coalesce(cd.day, DATE '0001-01-01')) AS day
                FROM l_raw LEFT JOIN campaign_day cd ON cd.id = l_raw.campaign_id;
            CREATE TABLE lead_day AS SELECT id, min(day) AS day FROM l GROUP BY id;
            CREATE TABLE s AS SELECT s_raw.*, greatest(CAST(left(trim(created_at), 10) AS DATE),
                coalesce(ld.day, DATE '0001-01-01')) AS day
                FROM s_raw LEFT JOIN lead_day ld ON ld.id = s_raw.lead_id;
        """)
        last = [d for (d,) in con.execute(
            "SELECT DISTINCT day FROM (SELECT day FROM c UNION ALL SELECT day FROM i "
            "UNION ALL SELECT day FROM l UNION ALL SELECT day FROM s) ORDER BY day DESC "
            "LIMIT ?", [days]).fetchall()][::-1]
        base = out / "base"
        folders = [(base, "day < ?", [last[0]] if last else [dt.date.max])]
        folders += [(out / d.isoformat(), "day = ?", [d]) for d in last]
        for folder, where, params in folders:
            folder.mkdir(parents=True, exist_ok=True)
            for name, table in _TABLE.items():
                if folder != base and not con.execute(
                        f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0][0]:
                    continue
                con.execute(
                    f"COPY (SELECT {_COLUMNS[name]} FROM {table} WHERE {where} ORDER BY rn) "
                    f"TO '{_quoted(folder / name)}' (HEADER, DELIMITER ',', QUOTE '\"')", params)
        return base, [folder for folder, _, _ in folders[1:]]
    finally:
        con.close()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
