"""Random semantic requests for engine parity, and the comparison of two engines' answers.

Shared by the parity suite (tests/spark/) and the Spark benchmark (tests/bench/spark.py):
`random_requests(rng, options, n)` draws requests over every dimension (cycled, so each one
appears), metrics compatible with them across all facts, every filter kind (values from the
data, and sometimes values the data lacks: empty scopes), tenants (a business user's, or an
unknown id), order, pages and row counts. `assert_same` says whether two frames are the same
answer: columns, dtypes, row order, notes and row counts identical; dimensions and counts
equal; money sums equal to the cent; ratios and medians within a relative 1e-9; NULLs in the
same places.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from semantic import catalog

DIMENSIONS = list(catalog.DIMENSIONS)
#: additive money metrics: sums of DECIMAL(18, 2) values, equal to the cent
MONEY_SUMS = [n for n, m in catalog.METRICS.items()
              if m.unit == "money" and m.measure is not None]


@dataclass
class Options:
    """What the data holds, to draw filter values from."""

    business_users: list[int]
    projects: list[str]
    campaigns: list[int]
    statuses: list[str]
    first_day: dt.date
    last_day: dt.date
    campaigns_of: dict[int, list[int]] = field(default_factory=dict)
    projects_of: dict[int, list[str]] = field(default_factory=dict)
    #: each business user's first and last day with delivery, leads or status changes
    active_of: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)

    @classmethod
    def of(cls, layer) -> Options:
        """From a DuckDB layer over the warehouse."""
        opts = layer.filter_options()
        camps = layer.campaigns()
        days = layer.query(["spend", "leads", "status_changes"], ["business_user", "day"])
        days = days[(days["spend"] > 0) | (days["leads"] > 0) | (days["status_changes"] > 0)]
        spans = days.groupby("business_user")["day"].agg(["min", "max"])
        return cls(business_users=opts["business_users"], projects=opts["projects"],
                   campaigns=sorted(int(c) for c in camps["campaign_id"]),
                   statuses=opts["lead_statuses"], first_day=opts["date_min"],
                   last_day=opts["date_max"],
                   campaigns_of={int(u): sorted(int(c) for c in group["campaign_id"])
                                 for u, group in camps.groupby("business_user")},
                   projects_of={int(u): sorted(set(group["project"]))
                                for u, group in camps.groupby("business_user")},
                   active_of={int(u): (row["min"].date(), row["max"].date())
                              for u, row in spans.iterrows()})


def _some(rng: random.Random, values: list, unknown: object, most: int = 3) -> list:
    """1..most values of `values`, now and then with one the data does not have."""
    chosen = rng.sample(values, min(len(values), rng.randint(1, most))) if values else []
    if rng.random() < 0.1 or not chosen:
        chosen.append(unknown)
    return chosen


def _day(rng: random.Random, options: Options, user: int | None) -> dt.date:
    """A day, mostly one while `user` was active."""
    first, last = options.first_day, options.last_day
    if user in options.active_of and rng.random() < 0.85:
        first, last = options.active_of[user]
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def random_request(rng: random.Random, options: Options, index: int) -> dict:
    """One request; `index` cycles the first dimension through none and every dimension."""
    cycle = [None, *DIMENSIONS]
    dims = [cycle[index % len(cycle)]] if cycle[index % len(cycle)] else []
    if dims and rng.random() < 0.35:
        dims.append(rng.choice([d for d in DIMENSIONS if d not in dims
                                and set(catalog.metrics_for_dimension(d))
                                & set(catalog.metrics_for_dimension(dims[0]))]))
    pool = [m for m in catalog.METRICS
            if all(m in catalog.metrics_for_dimension(d) for d in dims)]
    metrics = rng.sample(pool, rng.randint(1, min(5, len(pool))))
    # filters and tenant are drawn around one business user, so most requests find rows
    filters: dict = {}
    user = rng.choice(options.business_users) if options.business_users else None
    if rng.random() < 0.3 and user is not None:
        filters["business_user"] = [user, *_some(rng, options.business_users, 987_654_321, 1)]
    if rng.random() < 0.2:
        own = options.projects_of.get(user) or options.projects
        filters["project"] = _some(rng, own, "No such project")
    if rng.random() < 0.2 and user is not None:
        own = options.campaigns_of.get(user) or options.campaigns
        filters["campaign"] = _some(rng, own, 987_654_321)
    if rng.random() < 0.2:
        filters["lead_status"] = _some(rng, options.statuses, "NO_SUCH_STATUS", most=5)
    roll = rng.random()
    if roll < 0.45:
        start = _day(rng, options, user)
        filters["date_from"] = start
        filters["date_to"] = start + dt.timedelta(days=rng.choice([0, 6, 30, 90, 365, 365]))
    elif roll < 0.55:
        filters[rng.choice(["date_from", "date_to"])] = _day(rng, options, user)
    elif roll < 0.6:  # after the last day: nothing in scope
        filters["date_from"] = options.last_day + dt.timedelta(days=400)
    tenant = None
    if rng.random() < 0.25:
        tenant = user if rng.random() < 0.8 else 987_654_321
    request = {"metrics": metrics, "dimensions": dims, "filters": filters, "tenant": tenant}
    if rng.random() < 0.3:
        name = rng.choice(metrics + dims)
        request["order_by"] = [("-" if rng.random() < 0.5 else "") + name]
    if dims and rng.random() < 0.3:
        request["limit"] = rng.choice([1, 5, 20])
        if rng.random() < 0.4:
            request["offset"] = rng.choice([1, 3])
    if dims and rng.random() < 0.2:
        request["count"] = True
    return request


def random_requests(rng: random.Random, options: Options, count: int) -> list[dict]:
    return [random_request(rng, options, i) for i in range(count)]


def describe(request: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in request.items() if v not in (None, [], {}))


def assert_same(want: pd.DataFrame, got: pd.DataFrame, request: dict | str = "") -> None:
    """`got` (Spark) is the same answer as `want` (DuckDB)."""
    where = describe(request) if isinstance(request, dict) else request
    assert list(got.columns) == list(want.columns), where
    assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes], where
    assert len(got) == len(want), f"{len(got)} rows, DuckDB has {len(want)}: {where}"
    assert got.attrs == want.attrs, where
    for name in want.columns:
        expected, actual = want[name], got[name]
        if expected.dtype.kind == "M":
            assert (actual.to_numpy() == expected.to_numpy()).all(), f"{name}: {where}"
            continue
        if name not in catalog.METRICS or expected.dtype.kind in "iu":
            assert actual.tolist() == expected.tolist(), f"{name}: {where}"
            continue
        a, e = actual.to_numpy(dtype=float), expected.to_numpy(dtype=float)
        assert (np.isnan(a) == np.isnan(e)).all(), f"{name}: NULLs differ: {where}"
        a, e = a[~np.isnan(e)], e[~np.isnan(e)]
        if name in MONEY_SUMS:
            assert (np.abs(a - e) <= 0.005).all(), f"{name}: not equal to the cent: {where}"
            assert (np.round(a, 2) == np.round(e, 2)).all(), f"{name}: {where}"
        else:
            assert np.allclose(a, e, rtol=1e-9, atol=0), f"{name}: {where}"

