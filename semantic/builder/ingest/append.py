"""Daily appends: merge a partial export into the warehouse (`campaign-bi ingest --append`).

The export holds any of the four files. Each is validated exactly as in a full ingest (the same
checks, rejected rows, flags and reconciliation), loaded into a `delta` copy of the landing
tables, with foreign keys checked against the warehouse plus the export, then merged by key:
campaigns by id and leads by id (the export's row replaces the warehouse's: status and other
fields update), status changes by (lead, status, time) (a row already present is a no-op), and
insights by (ad set, day): the export's rows for a key replace all earlier rows for that key
(Meta restates recent days). Only the derived rows the export can change are then recomputed,
by the same migrations that build them in a full ingest run into scratch schemas over filtered
views: the per-lead tables for the leads it touches, the per-campaign tables for the campaigns
it touches, and the campaign x day tables for the campaign days its facts land on (before and
after the merge); those rows replace the warehouse's. It runs on a copy of the warehouse that is swapped in when complete
(semantic/builder/ingest/run.py), so a failed or killed append leaves the previous warehouse serving,
and appending the same export twice gives the same data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import duckdb

from semantic.builder import migrations
from semantic.builder.ingest import record
from semantic.builder.ingest.loader import FileSummary
from semantic.builder.ingest.quality import record_findings
from semantic.builder.ingest.zones import Zones, recorded
from semantic.errors import UnusableInputError

#: landing table -> (its key, how a key already in the warehouse is merged)
MERGE = {
    "campaigns": (("campaign_id",), "replace"),
    "leads": (("lead_id",), "replace"),
    "lead_status_changes": (("lead_id", "status", "changed_at"), "skip"),
    "ad_insights": (("ad_set_id", "day"), "replace"),
}
#: foreign keys of an append point at the warehouse's keys and the export's
KNOWN_KEYS = {"raw.campaigns": "delta.known_campaigns", "raw.leads": "delta.known_leads"}


def append_into(tmp: Path, files, run_id: str, say, explicit: bool = False) -> list[FileSummary]:

    started = dt.datetime.now()
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        # one checkpoint at the end: automatic ones in between rewrote the big tables' changed
        # row groups several times (~2.7 s of an append at scale 100)
        con.execute("SET checkpoint_threshold = '16GB'")
        if migrations.forget_changed_derived(con):
            say("the warehouse was built by another version: recomputing its derived tables…")
        migrations.apply(con)  # a warehouse of an older version gets the new migrations first
        files.zones = _same_zones(con, files.zones, explicit)
        _create_delta(con)
        summaries = []
        for source in files.sources:
            delta = replace(source, table=source.table.replace("raw.", "delta.", 1))
            summaries.append(files.load(con, delta, run_id, say, known_keys=KNOWN_KEYS))
        say("merging into the warehouse…")
        _affected_campaigns(con)
        _merge(con)
        record.checkpoint("after-merge")
        say("recomputing the derived rows it changes…")
        _refresh_derived(con)
        record_findings(con, run_id, schema="delta")
        con.execute("DROP SCHEMA delta CASCADE")
        record.finish(con, run_id, started, files.source_dir, summaries, files.zones)
    finally:
        con.close()
    return summaries


def _same_zones(con: duckdb.DuckDBPyConnection, asked: Zones, explicit: bool) -> Zones:
    """An append converts timestamps as the warehouse's rows were: the zones it recorded."""
    have = recorded(con) or Zones()
    if explicit and (asked.converts or have.converts) and asked != have:
        raise UnusableInputError(
            f"the warehouse stores times converted from {have.export_tz or 'the export'} to "
            f"{have.report_tz or 'the same zone'}; append with the same time zones (or none), "
            f"or re-ingest the whole export to change them")
    return have


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
    """Before the merge: temp.affected, every campaign whose derived facts the merge changes
    (before and after: a lead or an ad set's day may move to another campaign);
    temp.affected_leads, every lead whose core.leads row changes (its own row, its status log,
    or its campaign's attributes); temp.whole_campaigns, the new campaigns and those whose
    attributes change (every one of their days changes); and temp.affected_days, the campaign
    days whose facts change, as far as the warehouse before the merge knows them (the rows the
    merge replaces; `_add_new_days` adds where the merged rows land)."""
    con.execute("""
        CREATE TEMP TABLE whole_campaigns AS
        SELECT d.campaign_id FROM delta.campaigns d LEFT JOIN raw.campaigns r USING (campaign_id)
        WHERE (r.user_id, r.project_name, r.daily_budget, r.start_time, r.stop_time)
              IS DISTINCT FROM
              (d.user_id, d.project_name, d.daily_budget, d.start_time, d.stop_time)""")
    con.execute("""
        CREATE TEMP TABLE affected_leads AS
        SELECT lead_id FROM delta.leads
        UNION SELECT lead_id FROM delta.lead_status_changes
        UNION SELECT lead_id FROM raw.leads
            WHERE campaign_id IN (SELECT campaign_id FROM temp.whole_campaigns)""")
    con.execute("""
        CREATE TEMP TABLE affected AS
        SELECT campaign_id FROM delta.campaigns
        UNION SELECT campaign_id FROM delta.ad_insights
        UNION SELECT campaign_id FROM raw.ad_insights
            WHERE (ad_set_id, day) IN (SELECT (ad_set_id, day) FROM delta.ad_insights)
        UNION SELECT campaign_id FROM delta.leads
        UNION SELECT campaign_id FROM raw.leads
            WHERE lead_id IN (SELECT lead_id FROM temp.affected_leads)""")
    con.execute("""
        CREATE TEMP TABLE affected_days AS
        SELECT campaign_id, day FROM raw.ad_insights
            WHERE (ad_set_id, day) IN (SELECT (ad_set_id, day) FROM delta.ad_insights)
        UNION SELECT campaign_id, day FROM marts.campaign_daily
            WHERE campaign_id IN (SELECT campaign_id FROM temp.whole_campaigns)""")
    _add_lead_days(con)


def _add_lead_days(con: duckdb.DuckDBPyConnection) -> None:
    """The campaign days on which the affected leads' rows and status changes land (called
    before the merge for where they were, after core.leads is refreshed for where they are)."""
    con.execute("""
        INSERT INTO temp.affected_days
        SELECT campaign_id, added_day FROM core.leads
            WHERE lead_id IN (SELECT lead_id FROM temp.affected_leads)
        UNION SELECT campaign_id, changed_day FROM core.lead_status_changes
            WHERE lead_id IN (SELECT lead_id FROM temp.affected_leads)""")


def _add_new_days(con: duckdb.DuckDBPyConnection) -> None:
    """After the merge and the core.leads refresh: where the merged rows land."""
    _add_lead_days(con)
    con.execute("""
        INSERT INTO temp.affected_days
        SELECT campaign_id, day FROM delta.ad_insights
        UNION SELECT campaign_id, day FROM core.campaign_days
            WHERE campaign_id IN (SELECT campaign_id FROM temp.whole_campaigns)""")


_SCHEMA_REF = re.compile(r"\b(raw|core|marts)\.")


def _rewritten(sql: str, schemas: dict[str, str]) -> str:
    return _SCHEMA_REF.sub(lambda ref: schemas[ref.group(1)] + ".", sql)


def _columns(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, set[str]]:
    """The column names of each table and view in `schema`."""
    return {name: set(columns) for name, columns in con.execute(
        "SELECT table_name, list(column_name) FROM duckdb_columns() WHERE schema_name = ? "
        "GROUP BY table_name", [schema]).fetchall()}


def _keyed_by(con: duckdb.DuckDBPyConnection, steps: list, keys: set[str]) -> list:
    """The migrations whose tables all carry the `keys` columns (`{"lead_id"}`: per lead, their
    rows for the affected leads come from those leads' core rows alone; `{"campaign_id",
    "day"}`: campaign x day rows)."""
    marts = _columns(con, "marts")
    return [m for m in steps if (made := migrations.materialized([m])) and all(
        keys <= marts.get(table.removeprefix("marts."), set()) for table in made)]


def _refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute, with the migrations' own SQL, the core.leads rows of the affected leads and
    the per-lead marts' rows, then the other marts' rows of the affected campaigns (every
    derived fact is per lead or per campaign), and swap them in."""
    steps = migrations.derived()
    leads_at = next(i for i, m in enumerate(steps) if "core.leads" in migrations.materialized([m]))
    per_lead = _keyed_by(con, steps[leads_at + 1:], {"lead_id"})
    # 1. core.leads: the landing rows of the affected leads (all campaigns: a lead joins its own)
    con.execute("""
        CREATE SCHEMA lead_raw; CREATE SCHEMA lead_core; CREATE SCHEMA lead_marts;
        CREATE VIEW lead_raw.leads AS
            SELECT * FROM raw.leads WHERE lead_id IN (SELECT lead_id FROM temp.affected_leads);
        CREATE VIEW lead_raw.lead_status_changes AS SELECT * FROM raw.lead_status_changes
            WHERE lead_id IN (SELECT lead_id FROM temp.affected_leads);
        CREATE VIEW lead_raw.campaigns AS SELECT * FROM raw.campaigns;
        CREATE VIEW lead_raw.ad_insights AS SELECT * FROM raw.ad_insights""")
    lead_schemas = {"raw": "lead_raw", "core": "lead_core", "marts": "lead_marts"}
    for m in steps[:leads_at + 1] + per_lead:
        con.execute(_rewritten(m.sql, lead_schemas))
    _replace_rows(con, migrations.materialized(steps[leads_at:leads_at + 1] + per_lead),
                  lead_schemas, "lead_id IN (SELECT lead_id FROM temp.affected_leads)")
    con.execute("DROP SCHEMA lead_marts CASCADE; DROP SCHEMA lead_core CASCADE; "
                "DROP SCHEMA lead_raw CASCADE")
    # 2. the campaign-level marts: the rows of the affected campaigns, read through
    # campaign-filtered views of the landing tables and of the (now current) core objects
    con.execute("""
        CREATE SCHEMA camp_raw; CREATE SCHEMA camp_core; CREATE SCHEMA camp_marts;
        CREATE VIEW camp_raw.campaigns AS
            SELECT * FROM raw.campaigns WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE VIEW camp_raw.ad_insights AS
            SELECT * FROM raw.ad_insights WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE VIEW camp_raw.leads AS
            SELECT * FROM raw.leads WHERE campaign_id IN (SELECT campaign_id FROM affected);
        CREATE VIEW camp_raw.lead_status_changes AS SELECT * FROM raw.lead_status_changes
            WHERE lead_id IN (SELECT lead_id FROM camp_raw.leads)""")
    # core objects made before core.leads (and core.leads itself) are read through a filter;
    # the core views made after it are made again over the filtered inputs (the status log view
    # joins every change with core.leads: filtering its result would read both whole)
    later = {name for m in steps[leads_at + 1:] for _, schema, name in migrations.creates(m)
             if schema == "core"}
    for name, columns in _columns(con, "core").items():
        if name in later:
            continue
        scope = " WHERE campaign_id IN (SELECT campaign_id FROM affected)" \
            if "campaign_id" in columns else ""
        con.execute(f"CREATE VIEW camp_core.{name} AS SELECT * FROM core.{name}{scope}")
    camp_schemas = {"raw": "camp_raw", "core": "camp_core", "marts": "camp_marts"}
    # (the marts' views hold no rows: they need no refresh)
    later_steps = [m for m in steps[leads_at + 1:] if m not in per_lead
                   and any(schema == "core" or kind == "TABLE"
                           for kind, schema, _ in migrations.creates(m))]
    day_steps = _keyed_by(con, later_steps, {"campaign_id", "day"})
    campaign_steps = [m for m in later_steps if m not in day_steps]
    for m in campaign_steps:
        con.execute(_rewritten(m.sql, camp_schemas))
    _replace_rows(con, migrations.materialized(campaign_steps), camp_schemas,
                  "campaign_id IN (SELECT campaign_id FROM temp.affected)")
    # 3. the campaign x day marts: only the affected days of those campaigns, read through
    # views that keep the facts landing on those days
    _add_new_days(con)
    day_schemas = {"raw": "day_raw", "core": "day_core", "marts": "day_marts"}
    _day_views(con, camp_schemas, day_schemas)
    for m in day_steps:
        con.execute(_rewritten(m.sql, day_schemas))
    _replace_rows(con, migrations.materialized(day_steps), day_schemas,
                  "(campaign_id, day) IN (SELECT (campaign_id, day) FROM temp.affected_days)")
    for schema in (*day_schemas.values(), *camp_schemas.values()):
        con.execute(f"DROP SCHEMA {schema} CASCADE")
    for table in ("affected", "affected_leads", "affected_days", "whole_campaigns"):
        con.execute(f"DROP TABLE temp.{table}")


#: the column of a fact that says on which day it counts in the campaign x day marts
#: (sql/009: delivery by its day, a lead by its arrival, a status change by its day, budget by
#: its scheduled day)
FACT_DAY_COLUMNS = ("day", "added_day", "changed_day")


def _day_views(con: duckdb.DuckDBPyConnection, source: dict, target: dict) -> None:
    """A view in `target` of every object in `source`'s raw and core schemas: a fact (a
    campaign and a day column) keeps the rows on temp.affected_days, anything else is whole."""
    for layer in ("raw", "core", "marts"):
        con.execute(f"CREATE SCHEMA {target[layer]}")
    for layer in ("raw", "core"):
        for name, columns in _columns(con, source[layer]).items():
            day = next((c for c in FACT_DAY_COLUMNS if c in columns), None)
            scope = (f" WHERE (campaign_id, {day}) IN (SELECT (campaign_id, day) "
                     f"FROM temp.affected_days)" if day and "campaign_id" in columns else "")
            con.execute(f"CREATE VIEW {target[layer]}.{name} AS "
                        f"SELECT * FROM {source[layer]}.{name}{scope}")


def _replace_rows(con: duckdb.DuckDBPyConnection, tables: list[str], schemas: dict,
                  scope: str) -> None:
    """The tables' rows in `scope` replaced by those computed into the scratch schemas."""
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE {scope}")
        con.execute(f"INSERT INTO {table} SELECT * FROM {_rewritten(table, schemas)}")
