"""Versioned migrations: ordered, recorded with checksums, idempotent, edits refused."""

from __future__ import annotations

import duckdb
import pytest

from semantic.builder import migrations
from semantic.errors import MigrationError


def test_all_migrations_apply_in_order_and_are_recorded():
    con = duckdb.connect()
    found = migrations.discover()
    assert [m.version for m in found] == sorted(m.version for m in found)
    applied = migrations.apply(con)
    assert [m.version for m in applied] == [m.version for m in found]
    rows = con.execute(
        "SELECT version, name, checksum FROM meta.schema_migrations ORDER BY version"
    ).fetchall()
    assert rows == [(m.version, m.name, m.checksum) for m in found]


def test_reapplying_is_a_noop():
    con = duckdb.connect()
    migrations.apply(con)
    assert migrations.apply(con) == []
    assert con.execute("SELECT count(*) FROM meta.schema_migrations").fetchall()[0][0] == len(
        migrations.discover()
    )


def test_edited_applied_migration_is_refused():
    con = duckdb.connect()
    found = migrations.discover()
    migrations.apply(con, migrations=found)
    edited = list(found)
    edited[3] = migrations.Migration(
        version=found[3].version, name=found[3].name, sql=found[3].sql + "\n-- edited\n"
    )
    with pytest.raises(
        MigrationError, match=r"004_core_campaigns\.sql was edited after it was applied"
    ):
        migrations.apply(con, migrations=edited)


def test_failing_migration_rolls_back_and_names_the_file():
    con = duckdb.connect()
    bad = [
        *migrations.discover()[:1],
        migrations.Migration(version=2, name="broken", sql="CREATE TABLE meta.x (a INT); SELEC 1"),
    ]
    with pytest.raises(MigrationError, match="migration 002_broken.sql failed"):
        migrations.apply(con, migrations=bad)
    assert con.execute("SELECT max(version) FROM meta.schema_migrations").fetchall() == [(1,)]
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'x'"
    ).fetchall() == [(0,)]


REQUIRED_OBJECTS = [
    "core.campaigns",
    "core.ad_insights",
    "core.leads",
    "core.lead_status_changes",
    "core.status_stages",
    "marts.campaign_daily",
    "marts.kpis",
    "marts.campaign_metrics",
    "marts.daily_trends",
    "marts.project_segments",
    "marts.lead_status_distribution",
    "marts.lead_funnel",
]


def test_every_public_object_exists_and_is_commented():
    con = duckdb.connect()
    migrations.apply(con)
    comments = dict(
        con.execute(
            "SELECT schema_name || '.' || view_name, comment FROM duckdb_views() WHERE NOT internal "
            "UNION ALL SELECT schema_name || '.' || table_name, comment FROM duckdb_tables()"
        ).fetchall()
    )
    for name in REQUIRED_OBJECTS:
        assert name in comments, name
        assert comments[name] and len(comments[name]) > 30, f"{name} has no COMMENT ON"


def test_status_stages_follow_the_catalog():
    con = duckdb.connect()
    migrations.apply(con)
    stages = dict(con.execute("SELECT status, stage FROM core.status_stages").fetchall())
    assert stages["DONE_DEAL"] == "won"
    assert {s for s, st in stages.items() if st == "qualified"} == {
        "QUALIFIED",
        "HIGH_INTEREST",
        "MEETING_DONE",
    }
    assert {s for s, st in stages.items() if st == "working"} == {
        "NO_ANSWER",
        "CALL_AGAIN",
        "FOLLOW_UP",
        "WHATSAPP",
        "SWITCHED_OFF",
    }
    assert {s for s, st in stages.items() if st == "lost"} == {
        "NOT_QUALIFIED",
        "LOW_BUDGET",
        "WRONG_NUMBER",
        "SPAM",
        "ALREADY_BOUGHT",
        "RESALE_REQUEST",
    }
    assert stages["NEW_LEAD"] == "new" and stages["UNKNOWN"] == "unknown"
