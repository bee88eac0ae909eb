"""`campaign-bi export-parquet`: the lake Spark reads (semantic/builder/lake.py), checked with
DuckDB alone: which tables, their rows and values, partitioning, the manifest, and the
atomic replacement of a lake."""

from __future__ import annotations

import json
import os
import threading

import duckdb
import pytest
from click.testing import CliRunner
from factories import trap_warehouse

from semantic import catalog
from semantic.builder import lake
from semantic.builder.lake import MANIFEST, PARTITION_COLUMN, export_parquet, lake_tables
from semantic.cli.lake import export_parquet as export_command
from semantic.errors import LakeError, WarehouseNotFoundError


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return trap_warehouse(tmp_path_factory.mktemp("lake") / "w.duckdb")


@pytest.fixture(scope="module")
def exported(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("lake-out") / "lake"
    return out, export_parquet(warehouse, out)


def test_the_tables_are_those_compiled_queries_read():
    names = {t.name for t in lake_tables()}
    read = {f.table for f in catalog.FACTS.values()} | {
        f.by_day_table for f in catalog.FACTS.values() if f.by_day_table} | {
        catalog.MART.table, catalog.MART.by_day_table, catalog.CAMPAIGNS_TABLE}
    assert read <= names
    assert names - read == set(lake.REFERENCE_TABLES)
    partitioned = {t.name: t.partition_date for t in lake_tables() if t.partition_date}
    assert partitioned == {"core.ad_insights": "day", "core.lead_status_changes": "changed_day",
                           "core.campaign_days": "day", "marts.leads_by_day": "added_day",
                           "marts.campaign_daily_by_day": "day"}


def test_every_table_holds_the_warehouse_rows(warehouse, exported):
    out, manifest = exported
    con = duckdb.connect()
    con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
    for name, table in manifest["tables"].items():
        files = f"'{out / table['path']}/**/*.parquet'"
        columns = ", ".join(f'"{c["name"]}"' for c in table["schema"])
        in_lake = con.execute(f"SELECT {columns} FROM read_parquet({files}, "
                              f"hive_partitioning = false) EXCEPT ALL "
                              f"SELECT {columns} FROM wh.{name}").fetchall()
        in_warehouse = con.execute(f"SELECT {columns} FROM wh.{name} EXCEPT ALL "
                                   f"SELECT {columns} FROM read_parquet({files}, "
                                   f"hive_partitioning = false)").fetchall()
        assert in_lake == [] and in_warehouse == [], name
        count = con.execute(f"SELECT count(*) FROM wh.{name}").fetchall()[0][0]
        assert table["rows"] == count, name


def test_partitions_are_months_of_the_facts_date(exported):
    out, manifest = exported
    table = manifest["tables"]["core.ad_insights"]
    assert table["partitioned_by"] == {"column": PARTITION_COLUMN, "month_of": "day"}
    folders = sorted({f.split("/")[2] for f in table["files"]})
    assert folders == [f"{PARTITION_COLUMN}=2024-06-01", f"{PARTITION_COLUMN}=2024-07-01"]
    con = duckdb.connect()
    wrong = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/core/ad_insights/**/*.parquet', "
        f"hive_partitioning = true) WHERE {PARTITION_COLUMN} <> date_trunc('month', day)"
    ).fetchall()[0][0]
    assert wrong == 0
    assert manifest["tables"]["core.leads"]["files"] == ["core/leads/part-0.parquet"]


def test_manifest(warehouse, exported):
    out, manifest = exported
    assert json.loads((out / MANIFEST).read_text()) == manifest
    assert manifest["data_version"] == "traps-1" and manifest["format"] == lake.FORMAT
    assert manifest["loaded_at"] and manifest["created_at"].endswith("+00:00")
    schema = {c["name"]: c["type"] for c in manifest["tables"]["marts.campaign_daily"]["schema"]}
    assert schema["spend"] == "DECIMAL(18,2)" and schema["day"] == "DATE"
    assert schema["facts"] == "SMALLINT"  # UTINYINT in the warehouse: Spark has no unsigned
    stamps = {c["name"]: c["type"] for c in manifest["tables"]["core.leads"]["schema"]}
    assert stamps["added_at"] == "TIMESTAMP"  # naive wall clock, as in the warehouse


def test_a_new_export_replaces_the_lake_atomically(warehouse, tmp_path, monkeypatch):
    out = tmp_path / "lake"
    first = export_parquet(warehouse, out)
    seen: list[str] = []
    stop = threading.Event()

    def reader():  # the manifest is always whole, and always beside its tables
        while not stop.is_set():
            try:
                text = (out / MANIFEST).read_text()
            except FileNotFoundError:
                seen.append("missing")
                continue
            m = json.loads(text)
            seen.append(m["created_at"])
            assert (out / m["tables"]["core.leads"]["path"]).is_dir()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(3):
            export_parquet(warehouse, out)
    finally:
        stop.set()
        thread.join()
    assert "missing" not in seen and len(seen) > 3
    assert not list(tmp_path.glob("lake.tmp-*")) and not list(tmp_path.glob("lake.old-*"))
    assert json.loads((out / MANIFEST).read_text())["tables"] == first["tables"]

    # a failed export leaves the previous lake as it was, and no temporary folder
    before = (out / MANIFEST).read_text()
    monkeypatch.setattr(lake, "_write", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        export_parquet(warehouse, out)
    assert (out / MANIFEST).read_text() == before
    assert not list(tmp_path.glob("lake.tmp-*"))


def test_refuses_to_replace_a_folder_that_is_not_a_lake(warehouse, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(LakeError, match="not a lake"):
        export_parquet(warehouse, tmp_path / "photos")
    assert (tmp_path / "photos" / "cat.jpg").exists()
    with pytest.raises(WarehouseNotFoundError):
        export_parquet(tmp_path / "missing.duckdb", tmp_path / "lake")


def test_the_warehouse_is_only_read(warehouse, tmp_path):
    stat = os.stat(warehouse)
    export_parquet(warehouse, tmp_path / "lake")
    assert (os.stat(warehouse).st_mtime_ns, os.stat(warehouse).st_size) == (
        stat.st_mtime_ns, stat.st_size)


def test_cli(warehouse, tmp_path):
    runner = CliRunner()
    result = runner.invoke(export_command, [str(tmp_path / "lake"), "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "core.ad_insights" in result.stdout and "month of day" in result.stdout
    assert result.stdout.rstrip().endswith("(data version traps-1)")
    missing = runner.invoke(export_command, [str(tmp_path / "l2"), "--db",
                                             str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no warehouse here" in missing.output
