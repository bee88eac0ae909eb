"""The public Python API: result shape and types, campaigns, filter options, export SQL,
compiled SQL, data version and reconnect after an atomic file swap, concurrent queries."""

from __future__ import annotations

import csv
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest
import sqlglot
from factories import TRAP_CAMPAIGNS, TRAP_INSIGHTS, build_warehouse, insight, trap_warehouse

import semantic
from semantic.compiler import DIALECTS, compile
from semantic.errors import InvalidQueryError, WarehouseNotFoundError


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = trap_warehouse(tmp_path_factory.mktemp("api") / "w.duckdb")
    with semantic.connect(path) as lay:
        yield lay


def test_result_columns_types_and_order(layer):
    df = layer.query(metrics=["cpl", "spend", "leads"], dimensions=["project", "week"])
    assert list(df.columns) == ["project", "week", "cpl", "spend", "leads"]
    assert [str(t) for t in df.dtypes[1:]] == ["datetime64[us]", "float64", "float64", "int64"]
    keys = list(zip(df["project"], df["week"], strict=True))
    assert keys == sorted(keys)
    assert df.attrs["notes"] == []


def test_duplicates_asked_twice_are_answered_once(layer):
    df = layer.query(["spend", "spend", "leads"], ["campaign", "campaign"])
    assert list(df.columns) == ["campaign", "spend", "leads"]


def test_empty_result_keeps_types(layer):
    df = layer.query(["spend", "leads", "cpl"], ["day", "campaign"], {"campaign": [999]})
    assert df.empty
    assert [str(t) for t in df.dtypes] == ["datetime64[us]", "int64", "float64", "int64",
                                           "float64"]


def test_money_is_exact_to_the_cent(tmp_path):
    # 0.1 + 0.2 style sums: exact DECIMAL in the warehouse, exact cents in the frame
    insights = [insight(1, "2024-07-01", ad_set=i, spend="0.10", impressions=1)
                for i in range(1, 31)] + [insight(1, "2024-07-01", ad_set=99, spend="0.20",
                                                  impressions=1)]
    path = build_warehouse(tmp_path / "m.duckdb", campaigns=TRAP_CAMPAIGNS[:1],
                           insights=insights)
    with semantic.connect(path) as lay:
        assert lay.query(["spend"]).iloc[0, 0] == 3.2


def test_compile_transpiles_to_every_dialect(layer):
    for dialect in DIALECTS:
        sql = layer.compile(["spend", "cpl", "speed_to_lead_hours"], ["week", "project"],
                            {"business_user": [10], "date_from": "2024-06-01"}, tenant=10,
                            dialect=dialect)
        assert sql == compile(["spend", "cpl", "speed_to_lead_hours"], ["week", "project"],
                              {"business_user": [10], "date_from": "2024-06-01"}, tenant=10,
                              dialect=dialect)
        assert sqlglot.parse_one(sql, read=dialect) is not None
    with pytest.raises(InvalidQueryError, match="unknown SQL dialect 'oracle'"):
        layer.compile(["spend"], dialect="oracle")


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, [1, 2, 3, 4]),
    ({"business_user": [10], "project": ["Alpha"]}, [1, 4]),
    ({"campaign": ["2"]}, [2]),
    ({"date_from": "2024-07-03", "date_to": "2024-07-30"}, []),
    ({"date_from": "2024-07-02", "date_to": "2024-07-02"}, [1, 4]),
    ({"date_from": "2024-07-31"}, [3]),
    ({"date_to": "2024-06-29"}, [1]),
    ({"lead_status": ["SPAM"]}, [1, 2, 3, 4]),
], ids=["all", "user-project", "campaign", "gap", "one-day", "from", "to", "status-ignored"])
def test_campaigns_in_scope(layer, filters, expected):
    df = layer.campaigns(filters)
    assert list(df.columns) == ["campaign_id", "business_user", "project", "start_time",
                                "stop_time", "daily_budget"]
    assert list(df["campaign_id"]) == expected


def test_campaign_attributes(layer):
    row = layer.campaigns({"campaign": [2]}).iloc[0]
    assert row["project"] == "Beta"  # trimmed
    assert row["daily_budget"] == 50.0
    assert row["start_time"] == pd.Timestamp("2024-07-01 00:00:00")


def test_campaign_with_delivery_outside_its_planned_run(tmp_path):
    late = [insight(4, "2024-07-20", ad_set=402, spend="1.00", impressions=1)]
    path = build_warehouse(tmp_path / "w.duckdb", campaigns=TRAP_CAMPAIGNS,
                           insights=TRAP_INSIGHTS + late)
    with semantic.connect(path) as lay:
        found = lay.campaigns({"date_from": "2024-07-10", "date_to": "2024-07-25"})
    assert list(found["campaign_id"]) == [4]


def test_filter_options(layer):
    assert layer.filter_options() == {
        "business_users": [10, 20], "projects": ["Alpha", "Beta"],
        "lead_statuses": ["DONE_DEAL", "HIGH_INTEREST", "NEW_LEAD", "NO_ANSWER", "QUALIFIED",
                          "SPAM"],
        "date_min": dt.date(2024, 6, 29), "date_max": dt.date(2024, 8, 1),
    }
    narrowed = layer.filter_options(business_user=[20])
    assert narrowed["projects"] == ["Alpha"] and narrowed["business_users"] == [10, 20]
    assert (narrowed["date_min"], narrowed["date_max"]) == (dt.date(2024, 7, 31),
                                                            dt.date(2024, 8, 1))
    nobody = layer.filter_options(tenant=99)
    assert nobody == {"business_users": [], "projects": [], "lead_statuses": [],
                      "date_min": None, "date_max": None}


def test_leads_export_sql(tmp_path):
    path = trap_warehouse(tmp_path / "w.duckdb")
    with semantic.connect(path) as lay:
        sql = lay.leads_export_sql({"business_user": [10], "date_from": "2024-06-30",
                                    "date_to": "2024-07-01", "lead_status": ["QUALIFIED",
                                                                             "NO_ANSWER"]})
        in_sandbox = lay.sql(sql)
    assert list(in_sandbox.columns) == ["id", "campaign", "project", "business_user", "name",
                                        "email", "phone", "status", "stage", "added_date"]
    assert list(in_sandbox["id"]) == [1, 4]
    out = tmp_path / "leads.csv"
    con = duckdb.connect(str(path), read_only=True)  # the layer is closed: a plain reader
    try:
        con.execute(f"COPY ({sql}) TO '{out}' (HEADER)")
    finally:
        con.close()
    with out.open() as fh:
        exported = list(csv.DictReader(fh))
    assert [(r["id"], r["status"], r["stage"], r["added_date"]) for r in exported] == [
        ("1", "QUALIFIED", "qualified", "2024-06-30 10:00:00"),
        ("4", "NO_ANSWER", "working", "2024-07-01 15:00:00")]


def test_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseNotFoundError, match="no warehouse file here"):
        semantic.connect(tmp_path / "nope.duckdb")


def test_reconnects_after_an_atomic_swap(tmp_path):
    live = trap_warehouse(tmp_path / "w.duckdb", version="v1")
    with semantic.connect(live) as lay:
        before = lay.data_version
        assert before.startswith("v1@")
        assert lay.query(["spend"]).iloc[0, 0] == 135.0
        new = build_warehouse(tmp_path / "next.duckdb", campaigns=TRAP_CAMPAIGNS,
                              insights=TRAP_INSIGHTS[:1], version="v2")
        os.replace(new, live)
        after = lay.data_version
        assert after.startswith("v2@") and after != before
        assert lay.query(["spend"]).iloc[0, 0] == 10.0
        assert lay.warehouse.reconnects == 1


def test_swap_is_seen_even_with_other_connections_to_the_file_open(tmp_path):
    # DuckDB's instance cache would serve the old file to a new connect() while any other
    # connection to the path is open; the warehouse has an instance of its own
    live = trap_warehouse(tmp_path / "w.duckdb", version="v1")
    bystander = duckdb.connect(str(live), read_only=True)
    try:
        with semantic.connect(live) as lay, semantic.connect(live) as other:
            assert other.query(["leads"]).iloc[0, 0] == 7
            new = build_warehouse(tmp_path / "next.duckdb", campaigns=TRAP_CAMPAIGNS,
                                  insights=TRAP_INSIGHTS[:1], version="v2")
            os.replace(new, live)
            assert lay.query(["spend", "leads"]).values.tolist() == [[10.0, 0]]
            assert other.query(["spend", "leads"]).values.tolist() == [[10.0, 0]]
            assert lay.data_version.startswith("v2@")
        # the sandbox settings stayed inside the layer's own instance
        assert bystander.execute("SELECT current_setting('enable_external_access')"
                                 ).fetchall() == [(True,)]
    finally:
        bystander.close()


def test_concurrent_queries_survive_a_swap(tmp_path):
    live = trap_warehouse(tmp_path / "w.duckdb", version="v1")
    new = build_warehouse(tmp_path / "next.duckdb", campaigns=TRAP_CAMPAIGNS,
                          insights=TRAP_INSIGHTS[:1], version="v2")
    swapped = threading.Event()
    with semantic.connect(live) as lay:
        def work(i: int) -> float:
            if i == 40:
                os.replace(new, live)
                swapped.set()
            df = lay.query(["spend", "leads", "cpl"], ["week"] if i % 2 else [])
            return float(df["spend"].sum())

        with ThreadPoolExecutor(max_workers=8) as pool:
            totals = list(pool.map(work, range(120)))
        assert swapped.is_set()
        assert set(totals) <= {135.0, 10.0}
        assert totals.count(10.0) > 0 and lay.query(["spend"]).iloc[0, 0] == 10.0
