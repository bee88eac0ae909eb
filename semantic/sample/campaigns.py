"""Campaigns: business users, their projects, planned runs, budgets, delivery days and ad sets;
and writing ``campaigns.csv``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from . import dirt
from .draw import choose, expand, rng_for, scaled_count, stratified_normal
from .names import project_names
from .profile import (
    ADSETS_PER_CAMPAIGN,
    BUDGETS,
    DAY,
    DURATIONS,
    END_DAY,
    END_TS,
    LONG_TAIL,
    N_CAMPAIGNS,
    N_INSIGHT_CAMPAIGNS,
    N_PROJECTS,
    N_USERS,
    START_DAY,
    START_HOUR_W,
    START_TS,
)
from .writer import CsvOut, open_csv, ts_array


def plan_campaigns(seed: int, scale: float) -> dict:
    """Every campaign's columns plus what the later stages need (delivery days, ad sets,
    effects, dirt flags), as a dict of numpy arrays indexed by campaign (in id order)."""
    rng = rng_for(seed, 1)
    n_c = scaled_count(N_CAMPAIGNS, scale)
    n_u = min(n_c, scaled_count(N_USERS, scale))
    n_p = min(n_c, scaled_count(N_PROJECTS, scale))

    # business users: heavy-tailed number of campaigns, an active window each
    user_ids = 100 + np.cumsum(rng.integers(1, 9, n_u))
    uz = stratified_normal(rng, n_u)
    uw = np.exp(1.5 * uz)
    per_user = 1 + rng.multinomial(n_c - n_u, uw / uw.sum())
    pct = (np.argsort(np.argsort(uz)) + 0.5) / n_u
    span = END_TS - START_TS
    join = np.where(rng.random(n_u) < 0.25 + 0.6 * pct, START_TS,
                    START_TS + (rng.random(n_u) * (span - 45 * DAY)).astype(np.int64))
    stay = rng.random(n_u) < 0.55 + 0.4 * pct
    leave = np.where(stay, END_TS,
                     join + 30 * DAY + (rng.random(n_u) * (END_TS - join - 30 * DAY)).astype(np.int64))
    c_user, c_rank, _ = expand(per_user)  # campaign -> user, n-th campaign of that user

    # projects: each user works on a few, the first one most
    names = project_names(rng, n_p)
    pw = np.exp(1.4 * stratified_normal(rng, n_p))
    k_u = 1 + np.minimum(rng.poisson(0.3 + 0.45 * np.log(per_user)), 7)
    slot_owner, slot_pos, slot_start = expand(k_u)
    slot_proj = choose(rng, pw, len(slot_owner))
    cover = rng.permutation(n_u)[: min(n_u, n_p)]  # every project is some user's first
    slot_proj[slot_start[cover]] = rng.permutation(n_p)[: len(cover)]
    slot = np.minimum(rng.geometric(0.5, n_c) - 1, k_u[c_user] - 1)
    slot[c_rank == 0] = 0
    c_proj = slot_proj[slot_start[c_user] + slot]

    # planned run
    t = join[c_user] + (rng.random(n_c) * (leave - join)[c_user]).astype(np.int64)
    day = np.clip(t // DAY, START_DAY, END_DAY)
    friday = ((day + 3) % 7 == 4) & (rng.random(n_c) < 0.6)  # fewer launches on Fridays
    day = np.clip(day + friday * rng.choice(np.array([-1, 1]), n_c), START_DAY, END_DAY)
    start = day * DAY + choose(rng, START_HOUR_W, n_c) * 3600 + rng.integers(0, 3600, n_c)
    dur_vals = np.array(list(DURATIONS))
    dur_p = np.array(list(DURATIONS.values()))
    days = dur_vals[choose(rng, dur_p, n_c)]
    tail = rng.random(n_c) < LONG_TAIL
    days = np.where(tail, rng.integers(91, 377, n_c), days)
    if n_c >= 1000:  # the longest real campaign ran 376 days
        days[rng.integers(0, n_c)] = 376
    jitter = np.where(rng.random(n_c) < 0.25, rng.integers(-6 * 3600, 6 * 3600, n_c), 0)
    stop = start + np.maximum(days * DAY + jitter, 3600)

    # daily budget: 1,200 for most, a few round amounts, a long tail up to 100,000
    kind = choose(rng, [p for _, p in BUDGETS] + [0.095, 0.01], n_c)
    fixed = np.array([b for b, _ in BUDGETS] + [0, 0])
    mid = np.clip(np.round(np.exp(rng.normal(np.log(2200), 0.5, n_c)) / 50) * 50, 1250, 9500)
    big = np.round(np.exp(rng.normal(np.log(12000), 0.8, n_c)) / 1000) * 1000
    budget = np.where(kind < len(BUDGETS), fixed[np.minimum(kind, len(fixed) - 1)],
                      np.where(kind == len(BUDGETS), mid, np.clip(big, 7000, 100000)))
    if n_c >= 1000:
        budget[rng.integers(0, n_c)] = 100000
    budget = budget.astype(np.int64)

    # campaign ids grow with creation time
    order = np.argsort(start, kind="stable")
    c_user, c_proj, start, stop, budget = (a[order] for a in (c_user, c_proj, start, stop, budget))
    ids = 1000 + np.cumsum(1 + (rng.random(n_c) < 0.04) * rng.integers(1, 4, n_c))

    # which campaigns delivered (got insights), and for how many days
    n_ins = min(n_c, scaled_count(N_INSIGHT_CAMPAIGNS, scale))
    has_ins = np.zeros(n_c, dtype=bool)
    has_ins[rng.permutation(n_c)[:n_ins]] = True
    start_day = start // DAY
    stop_day = stop // DAY
    cal = stop_day - start_day + 1
    n_in = 1 + rng.binomial(cal - 1, 0.49)
    full = n_in == cal
    n_after = np.where(full & (rng.random(n_c) < 0.26), rng.geometric(0.4, n_c), 0)
    n_in = np.minimum(n_in, END_DAY - start_day + 1)
    n_after = np.clip(np.minimum(n_after, END_DAY - stop_day), 0, None)
    n_days = np.where(has_ins, n_in + n_after, 0)
    last_day = np.where(n_after > 0, stop_day + n_after, start_day + n_in - 1)

    # ad sets: Facebook-style 18-digit ids, unique and growing
    adset_base = 120210000000000000 + np.cumsum(rng.integers(10**8, 10**10, n_c))
    adset_off = np.cumsum(rng.integers(1, 2000, (n_c, ADSETS_PER_CAMPAIGN)), axis=1)
    adset_ids = adset_base[:, None] + adset_off

    lb = np.log(budget / 1200.0)
    b_std = (lb - lb.mean()) / (lb.std() or 1.0)
    # dirt: project names with stray spaces; insight dirt on disjoint delivering campaigns
    trimmed, flags = dirt.pick_campaigns(rng, has_ins, scale)

    return dict(
        n=n_c, ids=ids, user_ids=user_ids[c_user], proj=c_proj, names=names, start=start,
        stop=stop, budget=budget, has_ins=has_ins, start_day=start_day, stop_day=stop_day,
        n_in=n_in, n_days=n_days, last_day=last_day, adset_ids=adset_ids, b_std=b_std,
        effect=rng.standard_normal(n_c), tail_fmt=rng.random(n_c) < 0.30, dirt=flags,
        trimmed=trimmed, pad=rng.integers(0, 10, len(trimmed)),
    )


def write_campaigns(out: Path, c: dict) -> CsvOut:
    """Write ``campaigns.csv`` (closed, not yet committed) from ``plan_campaigns``' output."""
    name = pa.array(c["names"], type=pa.string()).take(pa.array(c["proj"]))
    name = dirt.pad_names(name, c["trimmed"], c["pad"])
    f = open_csv(out, "campaigns.csv")
    f.write({"id": c["ids"], "daily_budget": c["budget"],
             "start_time": ts_array(c["start"]).cast(pa.string()),
             "stop_time": ts_array(c["stop"]).cast(pa.string()),
             "user_id": c["user_ids"], "project_name": name})
    f.close()
    return f
