"""Compiling by shape (`semantic.compiler.templates`): the SQL of a request built from the
cached SQL of its shape, with each value's literal put in, is exactly the SQL built directly,
in every dialect, for ids, texts with quotes and backslashes, dates, tenants, splits and
grouping sets; and a new value of a known shape does not build an AST again."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from semantic import catalog, compiler
from semantic.compiler import (
    DIALECTS,
    _campaign_rows,
    _compile,
    _set_counts,
    compile_campaign_rows,
    compile_query,
    compile_set_counts,
    make_query,
    templates,
)
from semantic.errors import CampaignBIError

TEXTS = ["Kings Way", "O'Brien; DROP TABLE x; --", "back\\slash", "é漢字 🚀", "a''b", "1001-01-01",
         "7000000000000000000", "x\ue000y", "  padded  ", "QUALIFIED", "%_"]
IDS = [1, 2, 199, 7_000_000, -5, 2**63 - 1, 7_000_000_000_000_000_001]


def random_query(rng: random.Random):
    f: dict = {}
    if rng.random() < 0.5:
        f["business_user"] = rng.sample(IDS, rng.randint(1, 3))
    if rng.random() < 0.3:
        f["project"] = rng.sample(TEXTS, rng.randint(1, 3))
    if rng.random() < 0.2:
        f["campaign"] = rng.sample(IDS, rng.randint(1, 2))
    if rng.random() < 0.2:
        f["lead_status"] = rng.sample(TEXTS, rng.randint(1, 3))
    split = None
    if rng.random() < 0.7:
        start = dt.date(2024, 6, 1) + dt.timedelta(days=rng.randint(0, 500))
        end = start + dt.timedelta(days=rng.choice([0, 1, 30]))
        if rng.random() < 0.8:
            f["date_from"] = start
        if rng.random() < 0.8:
            f["date_to"] = end
        if "date_from" in f and "date_to" in f and end > start and rng.random() < 0.4:
            split = start + dt.timedelta(days=1)
    tenant = rng.choice([None, None, 2, 7_000_000])
    metrics = rng.sample(list(catalog.METRICS), rng.randint(1, 4))
    dims = list(catalog.DIMENSIONS)
    if split is None and rng.random() < 0.2:
        sets = list(dict.fromkeys(tuple(rng.sample(dims, rng.randint(1, 2))) for _ in range(2)))
        limit = rng.choice([None, 5])
        return make_query(metrics, (), f, tenant, [(metrics[0], True)] if limit else (),
                          limit, grouping_sets=sets)
    chosen = rng.sample(dims, rng.randint(0, 2))
    order = [(rng.choice(metrics + chosen), rng.random() < 0.5)] if rng.random() < 0.3 else ()
    return make_query(metrics, chosen, f, tenant, order, rng.choice([None, 10]),
                      split_at=split)


def test_sql_from_the_shape_equals_sql_built_directly():
    rng = random.Random(7)
    compared = 0
    for _ in range(250):
        try:
            query = random_query(rng)
        except CampaignBIError:
            continue
        try:
            _compile(query, "duckdb", False)
        except CampaignBIError:
            continue
        for dialect in DIALECTS:
            direct = _compile(query, dialect, False)
            assert compile_query(query, dialect) == direct, (query, dialect)
            assert compile_query(query, dialect, count=True) == _compile(query, dialect, True)
            compared += 1
        if "campaign" in query.dimensions and not (query.grouping_sets or query.split_at):
            assert compile_campaign_rows(query, True) == _campaign_rows(query, True)
        if query.grouping_sets:
            assert compile_set_counts(query) == _set_counts(query)
    assert compared > 500


def test_a_new_value_of_a_known_shape_builds_no_ast(monkeypatch):
    compiler.cache_clear()
    first = make_query(["spend", "cpl"], ["week"], {"business_user": [5], "project": ["A"],
                                                    "date_from": "2024-07-01"})
    compile_query(first)
    built = []
    monkeypatch.setattr(compiler, "build", lambda p: built.append(p) or pytest.fail("built"))
    second = make_query(["spend", "cpl"], ["week"], {"business_user": [77],
                                                     "project": ["O'Brien"],
                                                     "date_from": "2025-01-31"})
    sql = compile_query(second).sql
    assert "f.business_user = 77" in sql and "'O''Brien'" in sql and "2025-01-31" in sql
    assert "7000000000000000000" not in sql and "\ue000" not in sql and "1001-01" not in sql
    assert built == []
    compiler.cache_clear()


def test_values_are_matched_to_their_sentinels_in_sorted_order():
    query = make_query(["leads"], ["campaign"], {
        "business_user": [30, 10, 20], "campaign": [3, 1], "project": ["b", "a", "c"],
        "lead_status": ["Y", "X"], "date_from": "2024-01-02", "date_to": "2024-03-04"},
        tenant=10)
    shaped, values = templates.shape(query)
    assert values == [("int", 10), ("int", 20), ("int", 30), ("int", 1), ("int", 3),
                      ("int", 10), ("text", "a"), ("text", "b"), ("text", "c"),
                      ("text", "X"), ("text", "Y"), ("date", dt.date(2024, 1, 2)),
                      ("date", dt.date(2024, 3, 4))]
    assert shaped.filters.business_user[0] == templates._INT_BASE
    assert compile_query(query).sql == _compile(query, "duckdb", False).sql
