"""Build warehouses and CSV exports for tests from plain Python rows.

`build_warehouse(path, campaigns=[...], insights=[...], leads=[...], changes=[...])` applies the
landing migrations, inserts the rows into raw.*, then applies the rest (core views, the
materialized core.leads and marts.campaign_daily). Rows are tuples in raw column order, most
easily made with `campaign()`, `insight()`, `lead()`, `change()`.

"""

from __future__ import annotations

from pathlib import Path

import duckdb

from semantic.builder import migrations

_RAW = {
    "campaigns": ("raw.campaigns", 6),
    "insights": ("raw.ad_insights", 7),
    "leads": ("raw.leads", 7),
    "changes": ("raw.lead_status_changes", 3),
}


def campaign(campaign_id, *, user=1, project="P", start="2024-07-01 00:00:00",
             stop="2024-07-01 23:00:00", budget=1200):
    return (campaign_id, budget, start, stop, user, project)


def insight(campaign_id, day, *, ad_set=None, spend="0", impressions=0, clicks=0, reach=0):
    return (ad_set if ad_set is not None else campaign_id * 10, campaign_id, reach, str(spend),
            clicks, impressions, day)


def lead(lead_id, campaign_id, added_at, *, status="NEW_LEAD", name="N", email="e@x",
         phone="1"):
    return (lead_id, campaign_id, name, email, phone, status, added_at)


def change(lead_id, status, at):
    return (lead_id, status, at)


def sample_warehouse(root: Path, *, scale: float, seed: int) -> Path:
    """A generated sample export (semantic.sample, dirt included) ingested into
    root/w.duckdb: realistic data for oracle and property tests."""
    from semantic.builder.ingest import ingest
    from semantic.sample import generate

    generate(root / "csv", scale=scale, seed=seed)
    ingest(root / "csv", root / "w.duckdb")
    return root / "w.duckdb"


def build_warehouse(path: str | Path, *, campaigns=(), insights=(), leads=(), changes=(),
                    version: str = "test-1") -> Path:
    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        migrations.apply(con, through=migrations.LANDING_VERSION)
        for key, rows in (("campaigns", campaigns), ("insights", insights), ("leads", leads),
                          ("changes", changes)):
            table, width = _RAW[key]
            rows = [tuple(r) + (i + 2,) for i, r in enumerate(rows)]  # source_line: header = 1
            if rows:
                marks = ", ".join("?" * (width + 1))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        migrations.apply(con)
        con.execute("INSERT INTO meta.data_version VALUES (?, current_localtimestamp())",
                     [version])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


# -- the hand-computed trap warehouse -------------------------------------------------------
#
# Campaigns (user, project, daily budget, scheduled days):
#   1: user 10, "Alpha",  100/day, Sat 2024-06-29 .. Tue 07-02 (4 days -> 400)
#   2: user 10, "Beta " (trimmed to "Beta"), 50/day, 07-01 (1 day -> 50): delivery, no leads,
#      zero impressions/clicks/reach
#   3: user 20, "Alpha",  200/day, Wed 07-31 .. Thu 08-01 (2 days -> 400): leads, no delivery
#   4: user 10, "Alpha",   10/day, 07-02 (1 day -> 10)
# Delivery: campaign 1 has 3 ad sets x 2 days (Sun 06-30, Mon 07-01) at 10/20/30 spend,
#   1000 impressions, 10 clicks, 900 reach each (spend 120, imp 6000, clicks 60, reach 5400);
#   campaign 2: 5.00 on 07-01 with 0 impressions; campaign 4: 10.00, 100 imp, 5 clicks,
#   50 reach on 07-02.
# Leads (current status; hours to first contact):
#   1 c1 06-30 10:00 QUALIFIED (2h)   2 c1 06-30 22:00 NEW_LEAD (-)
#   3 c1 07-01 09:00 DONE_DEAL (10h)  4 c1 07-01 15:00 NO_ANSWER (6h)
#   5 c3 07-31 23:30 NEW_LEAD (-)     6 c3 08-01 00:10 SPAM (-)
#   7 c4 07-02 08:00 HIGH_INTEREST (4h)
# Status changes: lead 1 x2 on 06-30; lead 3 x2 on 07-01 and x1 on 07-02; lead 4 x1 on 07-01;
#   lead 7 x2 on 07-02 (8 in all).

TRAP_CAMPAIGNS = [
    campaign(1, user=10, project="Alpha", budget=100, start="2024-06-29 08:00:00",
             stop="2024-07-02 20:00:00"),
    campaign(2, user=10, project="Beta ", budget=50, start="2024-07-01 00:00:00",
             stop="2024-07-01 23:00:00"),
    campaign(3, user=20, project="Alpha", budget=200, start="2024-07-31 10:00:00",
             stop="2024-08-01 10:00:00"),
    campaign(4, user=10, project="Alpha", budget=10, start="2024-07-02 00:00:00",
             stop="2024-07-02 23:00:00"),
]
TRAP_INSIGHTS = [
    insight(1, day, ad_set=ad_set, spend=spend, impressions=1000, clicks=10, reach=900)
    for day in ("2024-06-30", "2024-07-01")
    for ad_set, spend in ((101, "10.00"), (102, "20.00"), (103, "30.00"))
] + [
    insight(2, "2024-07-01", ad_set=201, spend="5.00"),
    insight(4, "2024-07-02", ad_set=401, spend="10.00", impressions=100, clicks=5, reach=50),
]
TRAP_LEADS = [
    lead(1, 1, "2024-06-30 10:00:00", status="QUALIFIED"),
    lead(2, 1, "2024-06-30 22:00:00", status="NEW_LEAD"),
    lead(3, 1, "2024-07-01 09:00:00", status="DONE_DEAL"),
    lead(4, 1, "2024-07-01 15:00:00", status="NO_ANSWER"),
    lead(5, 3, "2024-07-31 23:30:00", status="NEW_LEAD"),
    lead(6, 3, "2024-08-01 00:10:00", status="SPAM"),
    lead(7, 4, "2024-07-02 08:00:00", status="HIGH_INTEREST"),
]
TRAP_CHANGES = [
    change(1, "NEW_LEAD", "2024-06-30 10:00:00"), change(1, "QUALIFIED", "2024-06-30 12:00:00"),
    change(3, "NEW_LEAD", "2024-07-01 09:00:00"), change(3, "CALL_AGAIN", "2024-07-01 19:00:00"),
    change(3, "DONE_DEAL", "2024-07-02 09:00:00"),
    change(4, "NO_ANSWER", "2024-07-01 21:00:00"),
    change(7, "NEW_LEAD", "2024-07-02 08:00:00"), change(7, "HIGH_INTEREST", "2024-07-02 12:00:00"),
]


def trap_warehouse(path: str | Path, version: str = "traps-1") -> Path:
    return build_warehouse(path, campaigns=TRAP_CAMPAIGNS, insights=TRAP_INSIGHTS,
                           leads=TRAP_LEADS, changes=TRAP_CHANGES, version=version)
