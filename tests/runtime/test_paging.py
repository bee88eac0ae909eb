"""Ordering and paging inside the database, for large groupings (the campaign table)."""

from __future__ import annotations

import pytest
from factories import build_warehouse, campaign, insight, lead

import semantic
from semantic.errors import InvalidQueryError

SPEND = {1: "50.00", 2: "10.00", 3: "30.00", 4: "0.00", 5: "20.00"}
LEADS = {1: 5, 2: 0, 3: 1, 4: 0, 5: 4}


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    path = tmp_path_factory.mktemp("paging") / "w.duckdb"
    leads, next_id = [], 1
    for cid, n in LEADS.items():
        for _ in range(n):
            leads.append(lead(next_id, cid, "2024-07-01 12:00:00"))
            next_id += 1
    build_warehouse(
        path,
        campaigns=[campaign(cid, user=1 if cid < 4 else 2) for cid in SPEND],
        insights=[insight(cid, "2024-07-01", spend=s, impressions=100, clicks=10)
                  for cid, s in SPEND.items()],
        leads=leads,
    )
    with semantic.connect(path) as layer:
        yield layer


def test_order_by_metric_descending_with_limit_and_offset(layer):
    page1 = layer.query(["spend", "leads"], ["campaign"], order_by=["-spend"], limit=2)
    page2 = layer.query(["spend", "leads"], ["campaign"], order_by=["-spend"], limit=2, offset=2)
    assert page1["campaign"].tolist() == [1, 3]
    assert page2["campaign"].tolist() == [5, 2]
    assert page2["spend"].tolist() == [20.0, 10.0]


def test_null_ratios_sort_last_in_both_directions(layer):
    asc = layer.query(["cpl"], ["campaign"], order_by=[("cpl", False)])
    desc = layer.query(["cpl"], ["campaign"], order_by=[("cpl", True)])
    assert asc["campaign"].tolist() == [5, 1, 3, 2, 4]  # 5.0, 10.0, 30.0, then NULLs by id
    assert desc["campaign"].tolist() == [3, 1, 5, 2, 4]


def test_count_matches_rows_and_respects_tenant(layer):
    assert layer.count(["spend"], ["campaign"]) == 5
    assert layer.count(["spend"], ["campaign"], tenant=2) == 2
    assert layer.count(["spend"], ["campaign"], {"business_user": [1]}, tenant=2) == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"order_by": ["clicks"]}, "cannot order by 'clicks'"),
    ({"limit": -1}, "limit must be a non-negative integer"),
    ({"offset": 1.5}, "offset must be a non-negative integer"),
])
def test_bad_paging_arguments_are_clear_errors(layer, kwargs, message):
    with pytest.raises(InvalidQueryError, match=message):
        layer.query(["spend"], ["campaign"], **kwargs)
