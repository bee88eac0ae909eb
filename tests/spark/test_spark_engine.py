"""The Spark engine as a whole: opening it (local, Spark Connect), what it refuses, what the
lake's manifest tells it, a lake exported anew under it, and `campaign-bi query --engine spark`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from connect_server import ConnectServer
from factories import (
    TRAP_CAMPAIGNS,
    TRAP_CHANGES,
    TRAP_INSIGHTS,
    TRAP_LEADS,
    build_warehouse,
    insight,
)

import semantic
from semantic.builder.lake import export_parquet
from semantic.cli.query import query
from semantic.errors import EngineError, InvalidQueryError, LakeError
from semantic.runtime.spark import java_missing

pytestmark = pytest.mark.spark


def test_duckdb_only_methods_say_so(trap_engines):
    spark = trap_engines.spark
    for call in (lambda: spark.campaigns(), lambda: spark.filter_options(),
                 lambda: spark.sql("SELECT 1"), lambda: spark.data_health(),
                 lambda: spark.campaign_leads(1), lambda: spark.fast.query_sets(["spend"], [])):
        with pytest.raises(EngineError, match="DuckDB engine only"):
            call()


def test_what_the_manifest_tells(trap_engines):
    duck, spark = trap_engines.duckdb, trap_engines.spark
    assert spark.time_zone == duck.time_zone
    assert spark.last_ingest() == duck.last_ingest()
    version = duck.data_version.split("@")[0]
    assert spark.data_version.startswith(version + "@lake:")


def test_a_missing_lake_is_one_line_before_spark_starts(tmp_path):
    with pytest.raises(LakeError, match="no lake here .*campaign-bi export-parquet"):
        semantic.connect(engine="spark", lake=tmp_path / "nothing")
    with pytest.raises(InvalidQueryError, match="unknown engine 'oracle'"):
        semantic.connect(engine="oracle")
    with pytest.raises(InvalidQueryError, match="reads a lake"):
        semantic.connect("data/warehouse.duckdb", engine="spark")


def test_java_missing_is_explained(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "openjdk-17-jre-headless" in java_missing()


def test_a_lake_exported_anew_is_read_at_the_next_query(spark, tmp_path):
    """The lake folder is swapped under an open layer: its views are registered again."""
    before = build_warehouse(tmp_path / "a.duckdb", campaigns=TRAP_CAMPAIGNS,
                             insights=TRAP_INSIGHTS, leads=TRAP_LEADS, changes=TRAP_CHANGES,
                             version="v1")
    after = build_warehouse(tmp_path / "b.duckdb", campaigns=TRAP_CAMPAIGNS,
                            insights=[*TRAP_INSIGHTS, insight(2, "2024-07-02", spend="1000.50")],
                            leads=TRAP_LEADS, changes=TRAP_CHANGES, version="v2")
    lake = tmp_path / "lake"
    export_parquet(before, lake)
    with semantic.connect(engine="spark", lake=lake, spark=spark) as layer:
        assert layer.query(["spend"])["spend"].tolist() == [135.0]
        old_version = layer.data_version
        export_parquet(after, lake)
        assert layer.query(["spend"])["spend"].tolist() == [1135.5]
        assert layer.data_version != old_version and layer.data_version.startswith("v2@")


def test_cli_query_on_spark_prints_what_duckdb_prints(trap_engines, spark):
    args = ["-m", "spend,leads,cpl,speed_to_lead_hours", "--by", "week", "--format", "csv",
            "--from", "2024-06-01", "--to", "2024-07-31"]
    runner = CliRunner()
    on_duckdb = runner.invoke(query, [*args, "--db", str(trap_engines.db)])
    on_spark = runner.invoke(query, [*args, "--engine", "spark", "--lake",
                                     str(trap_engines.lake)])
    assert on_duckdb.exit_code == 0 and on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == on_duckdb.stdout
    assert on_spark.stdout.splitlines()[1] == "2024-06-24,60.0,2,30.0,2.0"
    shown = runner.invoke(query, [*args, "--engine", "spark", "--sql"])
    assert shown.exit_code == 0 and "TRUNC(" in shown.stdout  # Spark SQL, nothing run
    missing = runner.invoke(query, ["-m", "spend", "--engine", "spark", "--lake",
                                    str(trap_engines.lake) + "-missing"])
    assert missing.exit_code == 2
    assert "no lake here" in missing.output and "Traceback" not in missing.output


@pytest.fixture(scope="module")
def connect_url(spark, tmp_path_factory):
    server = ConnectServer(tmp_path_factory.mktemp("spark-connect"))
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()


def test_spark_connect_answers_the_same(connect_url, sample_engines):
    """The production path: a cluster's Spark Connect server (here one on this machine, which
    reads the lake's folder as a cluster reads shared storage), asked from a client process."""
    check = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("connect_check.py")),
         str(sample_engines.db), str(sample_engines.lake), connect_url],
        capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr[-3000:]
    assert "same answers: 9 requests" in check.stdout


def test_the_lake_reads_back_as_the_warehouse_holds_it(trap_engines):
    """Naive timestamps stay the warehouse's wall clocks (TIMESTAMP_NTZ, never shifted by a
    zone), money stays DECIMAL(18, 2), the mart's bitmask a signed integer."""
    session = trap_engines.spark.spark
    leads = session.table("core__leads")
    types = {f.name: f.dataType.simpleString() for f in leads.schema.fields}
    assert types["added_at"] == "timestamp_ntz" and types["added_day"] == "date"
    stamps = sorted(r.added_at for r in leads.select("added_at").collect())
    want = trap_engines.duckdb.warehouse.query(
        "SELECT added_at FROM core.leads ORDER BY added_at")["added_at"]
    assert [s.isoformat() for s in stamps] == [t.isoformat() for t in want]
    mart = {f.name: f.dataType.simpleString()
            for f in session.table("marts__campaign_daily").schema.fields}
    assert mart["spend"] == "decimal(18,2)" and mart["facts"] == "smallint"
