"""Compile once per shape, bind values: a request's values never enter the SQL that runs, the
statement with its bound values answers exactly like the SQL with the values inlined (what
`--sql` prints), and a new value of a known shape reuses the compiled shape (the cache's
statistics say so)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from factories import sample_warehouse

import semantic
from semantic import catalog, compiler
from semantic.compiler import (
    DIALECTS,
    compile_campaign_rows,
    compile_query,
    compile_set_counts,
    make_query,
)
from semantic.errors import CampaignBIError

TEXTS = ["Kings Way", "O'Brien; DROP TABLE x; --", "back\\slash", "é漢字 🚀", "a''b", "$tenant",
         "?", "QUALIFIED", "%_"]
IDS = [1, 2, 199, 7_000_000, -5, 2**63 - 1]


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = sample_warehouse(tmp_path_factory.mktemp("bound"), scale=0.05, seed=11)
    with semantic.connect(path) as opened:
        yield opened


def random_query(rng: random.Random, ids: list, texts: list, statuses: list,
                 start: dt.date):
    f: dict = {}
    if rng.random() < 0.5:
        f["business_user"] = rng.sample(ids, rng.randint(1, 3))
    if rng.random() < 0.3:
        f["project"] = rng.sample(texts, rng.randint(1, 3))
    if rng.random() < 0.2:
        f["lead_status"] = rng.sample(statuses, rng.randint(1, 2))
    split = None
    if rng.random() < 0.7:
        first = start + dt.timedelta(days=rng.randint(0, 300))
        last = first + dt.timedelta(days=rng.choice([0, 1, 30, 90]))
        if rng.random() < 0.8:
            f["date_from"] = first
        if rng.random() < 0.8:
            f["date_to"] = last
        if "date_from" in f and "date_to" in f and last > first and rng.random() < 0.4:
            split = first + dt.timedelta(days=1)
    tenant = rng.choice([None, None, rng.choice(ids)])
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


def queries(rng, count, **values):
    out = []
    while len(out) < count:
        try:
            out.append(random_query(rng, **values))
        except CampaignBIError:
            continue
    return out


def compiled_forms(query):
    yield compile_query(query)
    yield compile_query(query, count=True)
    if "campaign" in query.dimensions and not (query.grouping_sets or query.split_at):
        yield compile_campaign_rows(query, True)
    if query.grouping_sets:
        yield compile_set_counts(query)


def test_values_never_enter_the_statement_and_every_placeholder_is_bound():
    rng = random.Random(7)
    checked = 0
    for query in queries(rng, 200, ids=IDS, texts=TEXTS, statuses=TEXTS,
                         start=dt.date(2024, 6, 1)):
        try:
            forms = list(compiled_forms(query))
        except CampaignBIError:
            continue
        for compiled in forms:
            names = {name for name, _ in compiled.params}
            assert names == set(compiled.shape.names)
            assert all(f"${name}" in compiled.statement for name in names)
            for value in compiled.values.values():
                if isinstance(value, str):
                    assert f"'{value}'" not in compiled.statement
                    assert value.replace("'", "''") in compiled.sql  # inlined, escaped
            for tenant_or_id in (*query.filters.business_user, query.tenant):
                if tenant_or_id is not None and tenant_or_id > 1_000:
                    assert str(tenant_or_id) not in compiled.statement
                    assert str(tenant_or_id) in compiled.sql
            checked += 1
    assert checked > 200


def test_a_bound_statement_answers_exactly_like_the_sql_with_values_inlined(layer):
    options = layer.filter_options()
    rng = random.Random(3)
    con = layer.warehouse
    rows_seen = 0
    for query in queries(rng, 120, ids=options["business_users"], texts=options["projects"],
                         statuses=options["lead_statuses"], start=options["date_min"]):
        try:
            forms = list(compiled_forms(query))
        except CampaignBIError:
            continue
        for compiled in forms:
            bound = con.query(compiled.statement, compiled.values)
            inlined = con.query(compiled.sql)
            assert bound.equals(inlined), (query, compiled.statement)
            rows_seen += len(bound)
    assert rows_seen > 1_000


def test_inlined_sql_in_every_dialect_holds_the_escaped_values():
    query = make_query(["spend", "cpl"], ["week"], {
        "business_user": [77], "project": ["O'Brien"], "date_from": "2025-01-31"}, tenant=77)
    for dialect in DIALECTS:
        sql = compile_query(query, dialect).sql
        assert "O''Brien" in sql or "O\\'Brien" in sql, dialect
        assert "2025-01-31" in sql and "77" in sql and "$" not in sql, dialect


def test_a_new_value_of_a_known_shape_reuses_the_compiled_shape(monkeypatch):
    compiler.cache_clear()
    first = make_query(["spend", "cpl"], ["week"], {"business_user": [5], "project": ["A"],
                                                    "date_from": "2024-07-01"})
    shape = compile_query(first).shape
    assert compiler.cache_info()[:3] == (0, 1, 1)  # hits, misses, size
    monkeypatch.setattr(compiler, "build", lambda p: pytest.fail("built again"))
    second = make_query(["spend", "cpl"], ["week"], {"business_user": [77],
                                                     "project": ["O'Brien"],
                                                     "date_from": "2025-01-31"})
    compiled = compile_query(second)
    assert compiled.shape is shape
    assert compiled.values == {"business_user_0": 77, "project_0": "O'Brien",
                               "date_from": dt.date(2025, 1, 31)}
    assert "f.business_user = 77" in compiled.sql and "'O''Brien'" in compiled.sql
    assert compiler.cache_info()[:3] == (1, 1, 1)
    compiler.cache_clear()
    assert compiler.cache_info()[:3] == (0, 0, 0)


def test_list_values_are_bound_in_sorted_order_by_filter_name():
    query = make_query(["leads"], ["campaign"], {
        "business_user": [30, 10, 20], "campaign": [3, 1], "project": ["b", "a"],
        "lead_status": ["Y", "X"], "date_from": "2024-01-02", "date_to": "2024-03-04"},
        tenant=10)
    values = compile_query(query).values
    assert values == {
        "tenant": 10, "business_user_0": 10, "business_user_1": 20, "business_user_2": 30,
        "project_0": "a", "project_1": "b", "campaign_0": 1, "campaign_1": 3,
        "lead_status_0": "X", "lead_status_1": "Y", "date_from": dt.date(2024, 1, 2),
        "date_to": dt.date(2024, 3, 4)}
