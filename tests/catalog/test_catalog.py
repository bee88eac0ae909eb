"""The catalog matches METRICS.md, is internally consistent, matches the warehouse schema,
and a new metric needs a catalog entry only."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import duckdb
import pytest
from factories import trap_warehouse

import semantic
from semantic import catalog
from semantic.compiler import cache_clear

METRIC_NAMES = [
    "spend", "impressions", "clicks", "reach", "frequency", "ctr", "cpc", "cpm", "leads",
    "click_to_lead_rate", "cpl", "qualified_leads", "qualification_rate",
    "cost_per_qualified_lead", "deals", "cost_per_deal", "contacted_leads", "contact_rate",
    "speed_to_lead_hours", "status_changes", "budget", "budget_utilization",
]
DIMENSION_NAMES = ["day", "week", "month", "business_user", "project", "campaign", "ad_set",
                   "lead_status", "stage", "lead_hour", "lead_weekday"]
FILTER_NAMES = ["business_user", "project", "campaign", "lead_status", "date_from", "date_to"]
METRICS_MD = Path(__file__).resolve().parents[3] / "shared" / "METRICS.md"


def test_names_are_the_public_api():
    assert list(catalog.METRICS) == METRIC_NAMES
    assert list(catalog.DIMENSIONS) == DIMENSION_NAMES
    assert list(catalog.FILTERS) == FILTER_NAMES


@pytest.mark.skipif(not METRICS_MD.exists(), reason="shared/METRICS.md not beside the repo")
def test_metrics_md_table_matches_the_catalog():
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", METRICS_MD.read_text(), flags=re.M)
    assert [name for name, _ in rows] == METRIC_NAMES
    for name, label in rows:
        assert catalog.METRICS[name].label == label.strip(), name


def test_reach_is_labelled_as_a_sum_of_daily_values():
    reach = catalog.METRICS["reach"]
    assert reach.label == "Reach (sum of daily)"
    assert reach.additivity == "non_additive" and reach.note
    assert catalog.METRICS["frequency"].note == reach.note
    assert catalog.METRICS["speed_to_lead_hours"].additivity == "median"


def test_definitions_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.METRICS["cpl"].label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalog.METRICS["x"] = catalog.METRICS["cpl"]  # type: ignore[index]


@pytest.mark.parametrize("name", METRIC_NAMES)
def test_metric_is_well_formed(name):
    m = catalog.METRICS[name]
    assert m.label and m.description and m.formula
    assert m.unit in catalog.DECIMALS
    if m.additivity == "ratio":
        assert m.measure is None and m.numerator and m.denominator
        for part in (m.numerator, m.denominator):
            assert catalog.MEASURES[part].agg != "median"
    else:
        assert m.measure in catalog.MEASURES and m.numerator is None
    for fact in m.facts:
        assert fact in catalog.FACTS


def test_ratio_formulas_match_their_parts():
    assert catalog.METRICS["cpm"].scale == 1000
    pairs = {n: (m.numerator, m.denominator) for n, m in catalog.METRICS.items()
             if m.additivity == "ratio"}
    assert pairs["cpl"] == ("spend", "leads")
    assert pairs["ctr"] == ("clicks", "impressions")
    assert pairs["budget_utilization"] == ("spend", "budget")
    assert pairs["frequency"] == ("impressions", "reach")


def test_lead_dimensions_only_for_lead_metrics():
    lead_based = ["leads", "qualified_leads", "qualification_rate", "deals", "contacted_leads",
                  "contact_rate", "speed_to_lead_hours", "status_changes"]
    for dim in ("lead_status", "stage", "lead_hour", "lead_weekday"):
        assert catalog.DIMENSIONS[dim].kind == "lead_attribute"
        assert catalog.metrics_for_dimension(dim) == lead_based
    assert catalog.metrics_for_dimension("project") == METRIC_NAMES


def test_every_catalog_column_exists_in_the_warehouse(tmp_path):
    path = trap_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    try:
        def columns(table: str) -> set[str]:
            schema, name = table.split(".")
            return {r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                "AND table_name = ?", [schema, name]).fetchall()}

        mart = columns(catalog.MART.table)
        assert {catalog.MART.date_column, *catalog.MART.columns.values()} <= mart
        for fact in catalog.FACTS.values():
            own = columns(fact.table)
            lookups = {lk.alias: columns(lk.table) for lk in fact.lookups}
            assert fact.date_column in own
            for ref in fact.columns.values():
                alias, _, col = ref.rpartition(".")
                assert col in (lookups[alias] if alias else own), (fact.name, ref)
            assert set(fact.presence) <= mart
        for m in catalog.MEASURES.values():
            if m.column:
                assert m.column in columns(catalog.FACTS[m.fact].table), m.name
            if m.mart_column:
                assert m.mart_column in mart, m.name
    finally:
        con.close()


def test_a_new_metric_needs_only_a_catalog_entry(tmp_path, monkeypatch):
    new = catalog.Metric(name="cost_per_contacted_lead", label="Cost per contacted lead",
                         description="Spend per contacted lead.", unit="money",
                         formula="Σ spend / contacted_leads", additivity="ratio",
                         numerator="spend", denominator="contacted_leads")
    monkeypatch.setattr(catalog, "METRICS",
                        MappingProxyType({**catalog.METRICS, new.name: new}))
    cache_clear()
    try:
        with semantic.connect(trap_warehouse(tmp_path / "w.duckdb")) as layer:
            df = layer.query(["cost_per_contacted_lead"], ["campaign"])
        # contacted: campaign 1 has leads 1, 3, 4 (spend 120); campaign 4 has lead 7 (10)
        assert list(df["campaign"]) == [1, 2, 3, 4]
        values = df["cost_per_contacted_lead"]
        assert values.isna().tolist() == [False, True, True, False]
        assert (values[0], values[3]) == (40.0, 10.0)
    finally:
        cache_clear()


def test_docs_cover_the_public_api():
    from semantic.compiler import DIALECTS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "SEMANTIC_LAYER.md").read_text()
    public = [n for n in dir(semantic.SemanticLayer) if not n.startswith("_")]
    for name in [*public, *FILTER_NAMES, *DIALECTS, "UPDATE_GOLDEN"]:
        assert name in docs, name


def test_docs_catalog_is_generated_from_the_catalog():
    from semantic.catalog.doc import render_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "CATALOG.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "docs/CATALOG.md is stale: run `campaign-bi catalog --format markdown > docs/CATALOG.md`"
    )
    for name in [*METRIC_NAMES, *DIMENSION_NAMES]:
        assert f"| `{name}` |" in doc.read_text(encoding="utf-8")
