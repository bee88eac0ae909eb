"""Daily appends: merge a partial export into the warehouse (`campaign-bi ingest --append`).

The export holds any of the four files. Each is validated exactly as in a full ingest (the same
checks, rejected rows, flags and reconciliation), loaded into a `delta` copy of the landing
tables, with foreign keys checked against the warehouse plus the export, then merged by key:
campaigns by id and leads by id (the export's row replaces the warehouse's: status and other
fields update), status changes by (lead, status, time) (a row already present is a no-op), and
insights by (ad set, day): the export's rows for a key replace all earlier rows for that key
(Meta restates recent days). The derived facts are then refreshed for the campaigns the export
touches only: the same migrations that build them in a full ingest run over the landing rows of
those campaigns into scratch schemas, and their rows replace those campaigns' rows (every
derived fact is per campaign). It runs on a copy of the warehouse that is swapped in when complete
(semantic/ingest/run.py), so a failed or killed append leaves the previous warehouse serving,
and appending the same export twice gives the same data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import duckdb

from semantic import migrations
from semantic.ingest.loader import FileSummary
from semantic.ingest.quality import record_findings

#: landing table -> (its key, how a key already in the warehouse is merged)
MERGE = {
    "campaigns": (("campaign_id",), "replace"),
    "leads": (("lead_id",), "replace"),
    "lead_status_changes": (("lead_id", "status", "changed_at"), "skip"),
    "ad_insights": (("ad_set_id", "day"), "replace"),
}
#: foreign keys of an append point at the warehouse's keys and the export's
KNOWN_KEYS = {"raw.campaigns": "delta.known_campaigns", "raw.leads": "delta.known_leads"}


def append_into(tmp: Path, files, run_id: str, say) -> list[FileSummary]:
    from semantic.ingest.run import checkpoint, finish

    started = dt.datetime.now()
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        # one checkpoint at the end: automatic ones in between rewrote the big tables' changed
        # row groups several times (~2.7 s of an append at scale 100)
        con.execute("SET checkpoint_threshold = '16GB'")
        migrations.apply(con)  # a warehouse of an older version gets the new migrations first
        _create_delta(con)
        summaries = []
        for source in files.sources:
            delta = replace(source, table=source.table.replace("raw.", "delta.", 1))
            summaries.append(files.load(con, delta, run_id, say, known_keys=KNOWN_KEYS))
        say("merging into the warehouse…")
        _affected_campaigns(con)
        _merge(con)
        checkpoint("after-merge")
        say("refreshing the campaign x day facts of the campaigns it touches…")
        _refresh_derived(con)
        record_findings(con, run_id, schema="delta")
        con.execute("DROP SCHEMA delta CASCADE")
        finish(con, run_id, started, files.source_dir, summaries)
    finally:
        con.close()
    return summaries


def _create_delta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA delta")
    for table in MERGE:
        con.execute(f"CREATE TABLE delta.{table} AS SELECT * FROM raw.{table} LIMIT 0")
    con.execute("CREATE VIEW delta.known_campaigns AS SELECT campaign_id FROM raw.campaigns "
                "UNION ALL SELECT campaign_id FROM delta.campaigns")
    con.execute("CREATE VIEW delta.known_leads AS SELECT lead_id FROM raw.leads "
                "UNION ALL SELECT lead_id FROM delta.leads")


def _merge(con: duckdb.DuckDBPyConnection) -> None:
    for table, (key, rule) in MERGE.items():
        columns = ", ".join(key)
        if rule == "replace":
            con.execute(f"DELETE FROM raw.{table} WHERE ({columns}) IN "
                        f"(SELECT ({columns}) FROM delta.{table})")
            con.execute(f"INSERT INTO raw.{table} SELECT * FROM delta.{table}")
        else:
            con.execute(f"INSERT INTO raw.{table} SELECT * FROM delta.{table} d WHERE NOT EXISTS "
                        f"(SELECT 1 FROM raw.{table} r WHERE "
                        + " AND ".join(f"r.{k} = d.{k}" for k in key) + ")")


def _affected_campaigns(con: duckdb.DuckDBPyConnection) -> None:
    """temp.affected: every campaign whose derived facts the merge changes, before and after
    (a lead or an ad set's day that moves to another campaign changes both)."""
    con.execute("""
        CREATE TEMP TABLE affected AS
        SELECT campaign_id FROM delta.campaigns
        UNION SELECT campaign_id FROM delta.ad_insights
        UNION SELECT campaign_id FROM raw.ad_insights
            WHERE (ad_set_id, day) IN (SELECT (ad_set_id, day) FROM delta.ad_insights)
        UNION SELECT campaign_id FROM delta.leads
        UNION SELECT campaign_id FROM raw.leads
            WHERE lead_id IN (SELECT lead_id FROM delta.leads)
        UNION SELECT campaign_id FROM raw.leads
            WHERE lead_id IN (SELECT lead_id FROM delta.lead_status_changes)
        UNION SELECT campaign_id FROM delta.leads
            WHERE lead_id IN (SELECT lead_id FROM delta.lead_status_changes)""")


_SCHEMA_REF = re.compile(r"\b(raw|core|marts)\.")
_SCRATCH = {"raw": "affected.", "core": "scratch_core.", "marts": "scratch_marts."}


def _refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the derived tables' rows of the affected campaigns with the migrations' own
    SQL, reading the landing rows of those campaigns only, and swap them in."""
    con.execute("CREATE SCHEMA affected; CREATE SCHEMA scratch_core; CREATE SCHEMA scratch_marts")
    con.execute("""
        CREATE VIEW affected.campaigns AS
            SELECT * FROM raw.campaigns WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE TABLE affected.leads AS
            SELECT * FROM raw.leads WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE VIEW affected.ad_insights AS
            SELECT * FROM raw.ad_insights WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE VIEW affected.lead_status_changes AS
            SELECT * FROM raw.lead_status_changes
            WHERE lead_id IN (SELECT lead_id FROM affected.leads);
        CREATE VIEW scratch_core.status_stages AS SELECT * FROM core.status_stages""")
    steps = migrations.derived()
    for m in steps:
        con.execute(_SCHEMA_REF.sub(lambda ref: _SCRATCH[ref.group(1)], m.sql))
    for table in migrations.materialized(steps):
        scratch = _SCHEMA_REF.sub(lambda ref: _SCRATCH[ref.group(1)], table)
        con.execute(f"DELETE FROM {table} WHERE campaign_id IN (SELECT campaign_id FROM affected)")
        con.execute(f"INSERT INTO {table} SELECT * FROM {scratch}")
    con.execute("DROP SCHEMA scratch_marts CASCADE; DROP SCHEMA scratch_core CASCADE; "
                "DROP SCHEMA affected CASCADE; DROP TABLE temp.affected")
