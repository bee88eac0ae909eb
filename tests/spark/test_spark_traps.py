"""The classic BI traps of tests/compiler/test_classic_bi_traps.py, answered by Spark.

The same tests, with the same hand-computed numbers, run here against `layer` = the Spark
engine over the lake of the same tiny trap warehouse (fan-out, zero denominators, ratio of
sums, ISO weeks, month and date-range boundaries, scheduled budget days, medians, lead
attributes, typed errors, trimmed project filters). The trap tests that also read DuckDB-only
listings (campaigns, filter options, the leads export through the SQL sandbox) are redone
below with what Spark answers: tenant isolation and hostile filter values.
"""

from __future__ import annotations

import pandas as pd
import pytest
from compiler import test_classic_bi_traps as traps
from spark_requests import assert_same

from semantic.compiler import compile_query, make_query
from semantic.compiler.predicates import inline
from semantic.compiler.render import render

pytestmark = pytest.mark.spark
rows = traps.rows


@pytest.fixture(scope="module")
def layer(trap_engines):
    return trap_engines.spark


# the trap tests, unchanged, on Spark (their `layer` is the fixture above)
test_fan_out_spend_and_leads_do_not_multiply = traps.test_fan_out_spend_and_leads_do_not_multiply
test_totals_every_metric = traps.test_totals_every_metric
test_zero_denominators_give_null = traps.test_zero_denominators_give_null
test_ratio_of_sums_not_mean_of_ratios = traps.test_ratio_of_sums_not_mean_of_ratios
test_iso_weeks_start_on_monday = traps.test_iso_weeks_start_on_monday
test_month_boundaries = traps.test_month_boundaries
test_date_range_is_inclusive_on_each_facts_own_date = \
    traps.test_date_range_is_inclusive_on_each_facts_own_date
test_budget_over_scheduled_days = traps.test_budget_over_scheduled_days
test_lead_status_filter_restricts_lead_facts_only = \
    traps.test_lead_status_filter_restricts_lead_facts_only
test_speed_to_lead_is_a_median_per_group = traps.test_speed_to_lead_is_a_median_per_group
test_lead_attributes = traps.test_lead_attributes
test_bad_requests_raise_typed_errors = traps.test_bad_requests_raise_typed_errors
test_project_filter_values_are_trimmed_like_projects = \
    traps.test_project_filter_values_are_trimmed_like_projects


test_tenant_isolation = traps.test_tenant_isolation


def test_tenant_isolation_by_business_user_and_project(layer):
    assert rows(layer.query(["leads"], ["business_user", "project"], tenant=20)) == [
        (20, "Alpha", 2)]


def test_all_statuses_filter_equals_no_filter(layer, trap_engines):
    everything = trap_engines.duckdb.filter_options()["lead_statuses"]
    metrics = ["leads", "qualified_leads", "contacted_leads", "status_changes", "spend", "cpl"]
    fast = layer.query(metrics, ["week", "project"])
    core = layer.query(metrics, ["week", "project"], {"lead_status": everything})
    pd.testing.assert_frame_equal(fast, core)  # (the notes differ: one names the filter)
    assert_same(trap_engines.duckdb.query(metrics, ["week", "project"]), fast, "all statuses")


@pytest.mark.parametrize("value", traps.HOSTILE, ids=range(len(traps.HOSTILE)))
def test_hostile_filter_values_are_just_values(layer, trap_engines, value):
    """Bound as Spark parameters, and inlined as sqlglot's Spark literals (what `compile`
    prints): either way only a value, the same answer as DuckDB's."""
    requests = [dict(metrics=["spend", "leads"], dimensions=["project"],
                     filters={"project": [value]}),
                dict(metrics=["leads"], dimensions=["lead_status"],
                     filters={"lead_status": [value, "SPAM"]})]
    executor = layer.executor
    for request in requests:
        got = layer.query(**request)
        assert_same(trap_engines.duckdb.query(**request), got, request)
        compiled = compile_query(make_query(**request), "spark")
        text = render(inline(compiled.shape.tree, compiled.values), "spark",
                      tables=executor._views)
        inlined = executor.session.sql(text).toArrow()
        assert inlined.num_rows == len(got)
    assert rows(layer.query(["leads"], ["lead_status"], {"lead_status": [value, "SPAM"]})) == [
        ("SPAM", 1)]
    assert rows(layer.query(["leads"])) == [(7,)]  # nothing was dropped
