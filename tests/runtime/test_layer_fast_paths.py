"""The layer's fast paths give exactly the answers of the plain path, on realistic sample data.

- The day-sorted copies (marts.campaign_daily_by_day, marts.leads_by_day) and marts.campaigns
  hold exactly the rows of what they copy, and every request has the same answer whichever
  copy is read.
- `query_sets` (several groupings from one scan), `count_sets`, `query_split` (a period and
  the one before it from one scan), `count=True` (the row count from the same query) and
  `campaign_rows` (campaign rows with their planned run and daily budget in one query) equal
  the separate queries they replace, frame for frame, dtype for dtype.
- Grouping by a campaign alone (its project and business user read with ANY_VALUE) and the
  shorter ORDER BY give the same rows in the same order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pandas as pd
import pytest
from factories import sample_warehouse

import semantic
from semantic import catalog, compiler
from semantic.compiler import make_query, plan
from semantic.errors import CampaignBIError, InvalidQueryError

METRICS = list(catalog.METRICS)
DIMENSIONS = list(catalog.DIMENSIONS)
TABLE = ["spend", "impressions", "clicks", "reach", "leads", "qualified_leads", "ctr", "cpc",
         "cpl", "budget", "budget_utilization"]


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = sample_warehouse(tmp_path_factory.mktemp("fast"), scale=0.2, seed=5)
    with semantic.connect(path) as opened:
        yield opened


@pytest.fixture(scope="module")
def options(layer):
    return layer.filter_options()


def random_filters(rng: random.Random, options: dict, dated: float = 0.85) -> dict:
    f: dict = {}
    if rng.random() < 0.5:
        f["business_user"] = rng.sample(options["business_users"], rng.choice([1, 1, 3]))
    if rng.random() < 0.1:
        f["project"] = rng.sample(options["projects"], 2)
    if rng.random() < 0.15:
        f["lead_status"] = rng.sample(options["lead_statuses"], 2)
    if rng.random() < dated:
        start = options["date_min"] + dt.timedelta(days=rng.randint(0, 700))
        f["date_from"] = start
        f["date_to"] = start + dt.timedelta(days=rng.choice([0, 6, 30, 90, 365]))
    return f


def answers_to(layer, requests: list) -> list:
    """Each (metrics, dimensions, filters) request's frame, or its error's class name, compiled
    afresh (the compiler cache is cleared before and after)."""
    compiler.cache_clear()
    out = []
    for metrics, dims, f in requests:
        try:
            out.append(layer.query(metrics, dims, f))
        except CampaignBIError as exc:
            out.append(type(exc).__name__)
    compiler.cache_clear()
    return out


def same_answers(first: list, second: list) -> int:
    """Both lists answer alike request by request (equal frames or the same error); returns how
    many frames were compared."""
    compared = 0
    for a, b in zip(first, second, strict=True):
        if isinstance(a, str):
            assert a == b
        else:
            same(a, b)
            compared += 1
    return compared


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs.get("notes") == b.attrs.get("notes")


# -- the copies ------------------------------------------------------------------------------

@pytest.mark.parametrize(("copy", "original", "columns"), [
    ("marts.campaign_daily_by_day", "marts.campaign_daily", "*"),
    ("marts.leads_by_day", "core.leads",
     "campaign_id, business_user, project, lead_status, stage, added_day, lead_hour, "
     "lead_weekday, is_qualified, is_deal, is_contacted, hours_to_first_contact"),
    ("marts.campaigns", "core.campaigns", "*"),
])
def test_copies_hold_exactly_the_rows_they_copy(layer, copy, original, columns):
    counts = layer.sql(f"SELECT (SELECT count(*) FROM {copy}) AS a, "
                       f"(SELECT count(*) FROM {original}) AS b")
    assert counts["a"][0] == counts["b"][0] > 100
    for left, right in ((copy, original), (original, copy)):
        extra = layer.sql(f"SELECT count(*) AS n FROM (SELECT {columns} FROM {left} "
                          f"EXCEPT ALL SELECT {columns} FROM {right})")
        assert extra["n"][0] == 0, (left, right)


def test_copies_are_sorted_for_their_reads(layer):
    for table, column in (("marts.campaign_daily_by_day", "day"),
                          ("marts.leads_by_day", "added_day"),
                          ("marts.campaigns", "business_user")):
        order = layer.sql(f"SELECT count(*) AS n FROM (SELECT {column}, lag({column}) OVER "
                          f"(ORDER BY rowid) AS before FROM {table}) WHERE {column} < before")
        assert order["n"][0] == 0, table


@pytest.mark.parametrize(("filters", "tenant", "tables"), [
    ({"date_from": "2024-07-01", "date_to": "2024-07-31"}, None,
     ["marts.campaign_daily_by_day", "marts.leads_by_day"]),
    ({"date_from": "2024-07-01", "project": ["A"]}, None,
     ["marts.campaign_daily_by_day", "marts.leads_by_day"]),
    ({"date_from": "2024-07-01", "business_user": [3]}, None,
     ["marts.campaign_daily", "core.leads"]),
    ({"date_to": "2024-07-31"}, 3, ["marts.campaign_daily", "core.leads"]),
    ({}, None, ["marts.campaign_daily", "core.leads"]),
])
def test_day_sorted_copies_are_read_for_a_date_range_over_all_business_users(
        filters, tenant, tables):
    p = plan(make_query(["spend", "speed_to_lead_hours"], ["week"], filters, tenant))
    assert [s.table for s in p.sources] == tables


def test_every_request_has_the_same_answer_from_either_copy(layer, options, monkeypatch):
    rng = random.Random(1)
    requests = []
    while len(requests) < 80:
        f = random_filters(rng, options)
        f.pop("business_user", None)  # the requests the day-sorted copies serve
        requests.append((rng.sample(METRICS, rng.randint(1, 4)),
                         rng.sample(DIMENSIONS, rng.randint(0, 2)), f))

    def answers(use_copy: bool) -> list:
        original = catalog.source_table
        monkeypatch.setattr(catalog, "source_table", lambda source, users, tenant, dated:
                            original(source, users, tenant, dated) if use_copy
                            else source.table)
        return answers_to(layer, requests)

    assert same_answers(answers(False), answers(True)) > 40


def test_the_facts_bitmask_says_which_facts_a_mart_row_carries(layer):
    for table in ("marts.campaign_daily", "marts.campaign_daily_by_day"):
        bits = " + ".join(
            f"(CASE WHEN {' OR '.join(f'{c} <> 0' for c in fact.presence)} THEN "
            f"{fact.presence_bit} ELSE 0 END)" for fact in catalog.FACTS.values())
        wrong = layer.sql(f"SELECT count(*) AS n, count(*) FILTER (WHERE facts <> {bits}) AS bad "
                          f"FROM {table}")
        assert wrong["n"][0] > 100 and wrong["bad"][0] == 0, table
    assert sorted(f.presence_bit for f in catalog.FACTS.values()) == [1, 2, 4, 8]


def test_every_request_has_the_same_answer_with_the_bitmask(layer, options, monkeypatch):
    rng = random.Random(2)
    requests = []
    while len(requests) < 60:
        f = random_filters(rng, options)
        requests.append((rng.sample(METRICS, rng.randint(1, 3)),
                         rng.sample(DIMENSIONS, rng.randint(1, 2)), f))

    def answers(column) -> list:
        monkeypatch.setattr(catalog, "MART", replace(catalog.MART, presence_column=column))
        return answers_to(layer, requests)

    assert same_answers(answers(None), answers("facts")) > 20


# -- several answers from one scan -----------------------------------------------------------

def test_query_sets_equal_one_query_per_grouping(layer, options):
    rng = random.Random(2)
    compared = 0
    for _ in range(100):  # many draws are refused (e.g. lead metrics by ad set)
        f = random_filters(rng, options)
        metrics = rng.sample(METRICS, rng.randint(1, 4))
        sets = list(dict.fromkeys(tuple(rng.sample(DIMENSIONS, rng.randint(1, 2)))
                                  for _ in range(rng.randint(1, 3))))
        try:
            parts = layer.fast.query_sets(metrics, sets, f)
        except CampaignBIError:
            continue
        for dims, part in zip(sets, parts, strict=True):
            same(part, layer.query(metrics, list(dims), f))
            compared += 1
    assert compared > 30


def test_top_rows_of_each_set_and_set_counts(layer, options):
    rng = random.Random(3)
    metrics = ["spend", "impressions", "clicks", "leads", "qualified_leads", "cpl", "ctr"]
    keys = [("project",), ("business_user",), ("campaign",)]
    for _ in range(12):
        f = random_filters(rng, options)
        tops = layer.fast.query_sets(metrics, keys, f, order_by=[("spend", True)], limit=7)
        counts = layer.fast.count_sets(["spend"], keys, f)
        for (key,), top, count in zip(keys, tops, counts, strict=True):
            same(top, layer.query(metrics, [key], f, order_by=[("spend", True), (key, False)],
                                  limit=7))
            assert count == layer.count(["spend"], [key], f)


def test_a_period_and_the_one_before_from_one_scan(layer, options):
    rng = random.Random(4)
    for _ in range(40):
        f = random_filters(rng, options, dated=1)
        if f["date_to"] == f["date_from"]:
            continue
        split = f["date_from"] + dt.timedelta(days=max(1, (f["date_to"] - f["date_from"]).days
                                                       // 2))
        metrics = rng.sample(METRICS, rng.randint(1, 5))
        dims = rng.choice([[], [], ["week"], ["project"]])
        try:
            before, after = layer.fast.query_split(metrics, dims, f, split_at=split)
        except CampaignBIError:
            continue
        same(before, layer.query(metrics, dims, {**f, "date_to": split - dt.timedelta(1)}))
        same(after, layer.query(metrics, dims, {**f, "date_from": split}))


def test_a_split_total_over_no_rows_is_zeros_and_nulls(layer):
    f = {"date_from": "2031-01-01", "date_to": "2031-02-28"}
    before, after = layer.fast.query_split(METRICS, [], f, split_at="2031-02-01")
    same(after, layer.query(METRICS, [], {**f, "date_from": "2031-02-01"}))
    same(before, layer.query(METRICS, [], {**f, "date_to": "2031-01-31"}))
    assert before["spend"][0] == 0 and before["leads"][0] == 0
    assert pd.isna(before["cpl"][0]) and pd.isna(before["speed_to_lead_hours"][0])


def test_count_in_the_same_query_equals_count(layer, options):
    rng = random.Random(5)
    for _ in range(25):
        f = random_filters(rng, options)
        metrics = rng.sample(["spend", "leads", "cpl", "budget", "status_changes"], 2)
        dims = rng.choice([["campaign", "project", "business_user"], ["project"], ["week"]])
        df = layer.query(metrics, dims, f, order_by=[(metrics[0], True)], limit=3, count=True)
        assert df.attrs["rows"] == layer.count(metrics, dims, f)
        same(df, layer.query(metrics, dims, f, order_by=[(metrics[0], True)], limit=3))


def test_campaign_rows_are_the_campaign_grouping_with_planned_run_and_budget(layer, options):
    rng = random.Random(6)
    for _ in range(20):
        f = random_filters(rng, options)
        order = [("spend", True), ("campaign", False)]
        rows = layer.fast.campaign_rows(TABLE, f, order_by=order, limit=40, count=True)
        facts = layer.query(TABLE, ["campaign", "project", "business_user"], f,
                            order_by=order, limit=40)
        attrs = layer.campaigns({"campaign": facts["campaign"].tolist()} if len(facts) else
                                {"campaign": [-1]})
        expected = facts.merge(attrs.rename(columns={"campaign_id": "campaign"})[
            ["campaign", "start_time", "stop_time", "daily_budget"]], on="campaign", how="left")
        expected.attrs = facts.attrs
        same(rows, expected)
        assert rows.attrs["rows"] == layer.count(TABLE, ["campaign", "project", "business_user"],
                                                 f)


@pytest.mark.parametrize("order", [[("spend", True)], [("project", False), ("spend", True)],
                                   [("business_user", True), ("campaign", False)]])
def test_campaign_rows_read_project_and_user_from_the_campaigns_or_the_mart(layer, options,
                                                                          order):
    # ordered by spend, project and business user are read from marts.campaigns after the
    # limit; ordered by one of them, from the mart: the same rows either way, tenant or not
    rng = random.Random(7)
    for i in range(8):
        f = random_filters(rng, options)
        tenant = options["business_users"][i] if i % 2 else None
        rows = layer.fast.campaign_rows(TABLE, f, tenant, order_by=order, limit=30, count=True)
        facts = layer.query(TABLE, ["campaign", "project", "business_user"], f, tenant,
                            order_by=order, limit=30, count=True)
        assert rows.attrs["rows"] == facts.attrs["rows"]
        same(rows[list(facts.columns)], facts.assign())
        assert rows.columns[-3:].tolist() == ["start_time", "stop_time", "daily_budget"]


def test_grouping_by_a_campaign_alone_keeps_its_project_and_business_user(layer):
    by_campaign = layer.query(["spend", "leads", "status_changes"],
                              ["campaign", "project", "business_user"])
    attrs = layer.campaigns().set_index("campaign_id")
    assert by_campaign["campaign"].is_unique
    assert (by_campaign["project"].to_numpy()
            == attrs.loc[by_campaign["campaign"], "project"].to_numpy()).all()
    assert (by_campaign["business_user"].to_numpy()
            == attrs.loc[by_campaign["campaign"], "business_user"].to_numpy()).all()
    sql = layer.compile(["spend"], ["campaign", "project", "business_user"])
    assert "GROUP BY 1 " in sql and "ANY_VALUE(f.project)" in sql
    assert sql.rstrip().endswith("ORDER BY campaign")  # project never breaks a tie


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(grouping_sets=[("week",), ("week",)]), "distinct and non-empty"),
    (dict(grouping_sets=[()]), "distinct and non-empty"),
    (dict(grouping_sets=[("week",)], offset=3), "no dimensions or offset"),
    (dict(split_at="2024-07-10"), "split_at needs a date range"),
    (dict(split_at="2024-07-01", filters={"date_from": "2024-07-01",
                                          "date_to": "2024-07-31"}), "split_at needs"),
])
def test_bad_batch_requests_are_clear_errors(kwargs, message):
    with pytest.raises(InvalidQueryError, match=message):
        make_query(["spend"], **kwargs)


def test_option_matches_are_the_first_sorted_matches(layer, options):
    campaigns = layer.campaigns()
    users = sorted(set(campaigns["business_user"]))
    assert layer.option_matches("business_user", limit=5) == users[:5]
    prefix = str(users[len(users) // 2])[:2]
    assert layer.option_matches("business_user", prefix, limit=1000) == \
        [u for u in users if str(u).startswith(prefix)]
    word = options["projects"][0].split()[0].upper()
    projects = sorted(set(campaigns["project"]))
    assert layer.option_matches("project", f"  {word} ", limit=1000) == \
        [p for p in projects if word.casefold() in p.casefold()]
    user = users[0]
    mine = sorted(set(campaigns.loc[campaigns["business_user"] == user, "project"]))
    assert layer.option_matches("project", "", business_user=[user]) == mine[:100]
    assert layer.option_matches("project", "", tenant=user) == mine[:100]
    assert layer.option_matches("business_user", "", tenant=user) == [user]
    assert layer.option_matches("project", "x' OR '1'='1") == []
    with pytest.raises(InvalidQueryError, match="business_user or project"):
        layer.option_matches("campaign", "1")
