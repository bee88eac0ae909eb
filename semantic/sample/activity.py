"""Activity over the campaigns: daily ad-set insights, lead arrivals, each lead's current status
and its logged status changes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import dirt
from .draw import choose, expand, rng_for, scaled_count
from .profile import (
    ADSETS_PER_CAMPAIGN,
    DAY,
    DST_START_DAY,
    END_DAY,
    END_TS,
    INTERMEDIATE,
    LATE_SHARE,
    LEAD_HOUR_W,
    N_LEAD_CAMPAIGNS,
    N_LEADS,
    START_TS,
    STATUS_CODE,
    STATUS_COUNTS,
)
from .writer import cents_array, ts_array


# ------------------------------------------------------------------------ insights
def insights_block(rng: np.random.Generator, c: dict, lo: int, hi: int, knots: dict):
    """Insight rows of the delivering campaigns among ``c``'s [lo, hi): (columns for
    ``insights.csv``, those campaigns' indices, their total spend). ``knots``: the spend,
    impressions and CTR marginals from ``z_knots``."""
    idx = lo + np.flatnonzero(c["has_ins"][lo:hi])
    d = c["n_days"][idx]
    per = ADSETS_PER_CAMPAIGN * d
    owner, within, _ = expand(per)
    dd = d[owner]
    adset_k = within // dd
    day_k = within % dd
    ci = idx[owner]
    n_in = c["n_in"][ci]
    day = np.where(day_k < n_in, c["start_day"][ci] + day_k, c["stop_day"][ci] + 1 + day_k - n_in)
    keep = (day_k == 0) | (rng.random(len(day)) >= 0.07)  # ad sets skip some days
    owner, adset_k, day, ci = owner[keep], adset_k[keep], day[keep], ci[keep]
    n = len(day)

    # spend: campaign budget + campaign effect + ad set effect + daily noise, mapped to the marginal
    a = rng.standard_normal((len(idx), ADSETS_PER_CAMPAIGN))[owner, adset_k]
    z = (0.35 * c["b_std"][ci] + 0.55 * c["effect"][ci] + 0.35 * a + 0.67 * rng.standard_normal(n)) / 0.998
    cents = np.maximum(np.rint(np.exp(np.interp(z, *knots["spend"])) * 100), 1).astype(np.int64)
    z2 = 0.85 * z + 0.527 * rng.standard_normal(n)
    impr = np.maximum(np.rint(np.exp(np.interp(z2, *knots["impr"]))), 1).astype(np.int64)
    # thin rows click more: fewer zero-click rows than an independent CTR would give
    ctr = np.exp(np.interp(-0.25 * z2 + 0.968 * rng.standard_normal(n), *knots["ctr"]))
    clicks = rng.binomial(impr, ctr)
    ratio = np.clip(1 - np.exp(np.log(0.06) + 0.8 * rng.standard_normal(n)), 0.15, 0.9999)
    reach = np.clip(np.floor(impr * ratio), 1, np.maximum(impr - 1, 1)).astype(np.int64)
    dirt.tiny_spend(rng, cents, impr, clicks, reach)

    # dirt on flagged campaigns: one row each
    rows, kinds = dirt.flagged_rows(rng, owner, c["dirt"][idx])
    dirt.clicks_over(rng, rows[kinds == dirt.CLICKS_OVER], cents, impr, clicks, reach)
    spend_by_campaign = np.bincount(owner, weights=cents, minlength=len(idx)) / 100.0
    src, cents, impr, clicks, reach = dirt.repeat_rows(
        rng, rows[kinds == dirt.DUPLICATE], rows[kinds == dirt.CONFLICT], cents, impr, clicks, reach)
    # file order: by day; copies land next to their original or elsewhere on that day
    tie = np.concatenate([np.arange(n), rng.integers(0, n, len(src) - n)])
    order = np.lexsort((tie, day[src]))
    src = src[order]
    ci_s = ci[src]
    day_s = day[src]
    dstr = pa.array(day_s.astype(np.int32), type=pa.int32()).cast(pa.date32())
    # a day written with a time is local midnight, which the clock skipped on the day
    # daylight-saving time started: the export wrote 01:00:00 there
    stamp = day_s * DAY + np.where(day_s == DST_START_DAY, 3600, 0)
    created = pc.if_else(pa.array(c["tail_fmt"][ci_s]),
                         ts_array(stamp).cast(pa.string()), dstr.cast(pa.string()))
    cols = {
        "ad_set_id": c["adset_ids"][ci_s, adset_k[src]],
        "campaign_id": c["ids"][ci_s],
        "reach": reach[order], "spend": cents_array(cents[order]), "clicks": clicks[order],
        "impressions": impr[order], "created_at": created,
    }
    return cols, idx, spend_by_campaign


# --------------------------------------------------------------------------- leads
def lead_arrivals(seed: int, scale: float, c: dict, spend: np.ndarray):
    """Campaign index and added timestamp of every lead, sorted by time (lead ids follow this order)."""
    rng = rng_for(seed, 3)
    n_leads = scaled_count(N_LEADS, scale)
    k = min(c["n"], scaled_count(N_LEAD_CAMPAIGNS, scale), n_leads)
    ins = np.flatnonzero(c["has_ins"])
    noins = np.flatnonzero(~c["has_ins"])
    k_no = min(len(noins), int(round(k * 0.015)))
    k_in = min(len(ins), k - k_no)
    k_no = min(len(noins), k - k_in)
    s = np.maximum(spend[ins], 0.01)
    key = 0.6 * np.log(s) + rng.gumbel(size=len(ins))  # weighted sampling without replacement
    chosen_in = ins[np.argsort(-key, kind="stable")[:k_in]]
    chosen_no = rng.permutation(noins)[:k_no]
    # half of them only trickle a lead or two; the rest scale with spend
    w_in = (np.maximum(spend[chosen_in], 0.01) ** 0.55 * np.exp(1.25 * rng.standard_normal(k_in))
            * np.where(rng.random(k_in) < 0.5, 0.03, 1.0))
    ref = np.median(w_in) if k_in else 1.0
    w_no = 0.03 * ref * np.exp(1.0 * rng.standard_normal(k_no))
    camps = np.concatenate([chosen_in, chosen_no])
    w = np.concatenate([w_in, w_no])
    counts = 1 + rng.multinomial(n_leads - len(camps), w / w.sum())

    # arrival times, drawn within each campaign's delivery window, a block at a time
    first = c["start_day"][camps]
    last = np.where(c["has_ins"][camps], c["last_day"][camps], np.minimum(c["stop_day"][camps], END_DAY))
    last = np.maximum(np.minimum(last, END_DAY), first)
    start = c["start"][camps]
    owner = np.repeat(np.arange(len(camps), dtype=np.int32), counts)
    ts = np.empty(len(owner), dtype=np.int64)
    for lo in range(0, len(owner), 1_000_000):
        o = owner[lo:lo + 1_000_000]
        n = len(o)
        f, span, st = first[o], last[o] - first[o] + 1, start[o]
        t = (f + (rng.random(n) * span).astype(np.int64)) * DAY
        t += choose(rng, LEAD_HOUR_W, n) * 3600 + rng.integers(0, 3600, n)
        early = t < st  # not before the campaign started
        t[early] = st[early] + (rng.random(early.sum()) * ((st[early] // DAY + 1) * DAY - st[early])).astype(np.int64)
        late = t > END_TS
        t[late] = st[late] + (rng.random(late.sum()) * (END_TS - st[late])).astype(np.int64)
        ts[lo:lo + n] = t
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    owner = owner[order]
    del order
    return camps.astype(np.int64)[owner], ts


# ------------------------------------------------------------------------ statuses
def status_params(ts: np.ndarray):
    """Current status depends on lead age: older leads are more often UNKNOWN, newer NEW_LEAD.
    Returns the mean age m and the base NEW_LEAD share that keep the overall mix on target."""
    total = sum(STATUS_COUNTS.values())
    p_unk = STATUS_COUNTS["UNKNOWN"] / total
    p_new = STATUS_COUNTS["NEW_LEAD"] / total
    if len(ts) == 0:
        return 0.5, p_new / (1 - p_unk)
    step = 1_000_000
    tfs = lambda lo: (ts[lo:lo + step] - START_TS) / float(END_TS - START_TS)  # noqa: E731
    m = sum(float(tfs(lo).sum()) for lo in range(0, len(ts), step)) / len(ts)
    rest_sum = rest_dev = 0.0
    for lo in range(0, len(ts), step):
        tf = tfs(lo)
        rest = 1 - np.clip(p_unk + 0.7 * (m - tf), 0.03, 0.97)
        rest_sum += float(rest.sum())
        rest_dev += float((rest * (tf - m)).sum())
    return m, (p_new * len(ts) - 0.5 * rest_dev) / rest_sum


def current_statuses(rng, tf, m, base):
    n = len(tf)
    others = [s for s in STATUS_COUNTS if s not in ("UNKNOWN", "NEW_LEAD")]
    ow = np.array([STATUS_COUNTS[s] for s in others], dtype=float)
    other_codes = np.array([STATUS_CODE[s] for s in others], dtype=np.int8)
    pu = np.clip(STATUS_COUNTS["UNKNOWN"] / sum(STATUS_COUNTS.values()) + 0.7 * (m - tf), 0.03, 0.97)
    pn = np.clip(base + 0.5 * (tf - m), 0.05, 0.95)
    status = other_codes[choose(rng, ow, n)]
    status[rng.random(n) < pn] = STATUS_CODE["NEW_LEAD"]
    status[rng.random(n) < pu] = STATUS_CODE["UNKNOWN"]
    return status


def status_log(rng, status: np.ndarray, added: np.ndarray, delay_knots):
    """Up to three logged changes per lead: (n, 3) codes, (n, 3) times and the log length."""
    n = len(status)
    new, unk = STATUS_CODE["NEW_LEAD"], STATUS_CODE["UNKNOWN"]
    r = rng.random(n)
    is_new, is_unk = status == new, status == unk
    logged = np.where(is_unk, r < 0.02, r < 0.873)
    # path length for known non-new statuses: 1 = [X], 2 = [NEW_LEAD, X], 3 = [NEW_LEAD, Y, X]
    u = rng.random(n)
    l1, l2 = np.full(n, 0.20), np.full(n, 0.88)
    l1[status == STATUS_CODE["QUALIFIED"]], l2[status == STATUS_CODE["QUALIFIED"]] = 0.12, 0.62
    l1[status == STATUS_CODE["NO_ANSWER"]], l2[status == STATUS_CODE["NO_ANSWER"]] = 0.15, 0.95
    length = np.where(u < l1, 1, np.where(u < l2, 2, 3))
    mid_codes = np.array([STATUS_CODE[s] for s, _ in INTERMEDIATE], dtype=np.int8)
    mid = mid_codes[choose(rng, [w for _, w in INTERMEDIATE], n)]
    mid = np.where(mid == status, np.where(status == STATUS_CODE["NO_ANSWER"], STATUS_CODE["CALL_AGAIN"], STATUS_CODE["NO_ANSWER"]), mid)
    length[is_new] = 1
    # UNKNOWN leads that do have a log (the CRM reset them): [NEW_LEAD] or [NEW_LEAD, X]
    unk_two = is_unk & (rng.random(n) < 0.4)
    length[is_unk] = 1 + unk_two[is_unk]
    target = np.where(is_unk, mid, status)
    # a few logs disagree with the lead's current status: NEW_LEAD leads get a second step,
    # the others a different last step
    dis = logged & ~is_unk & (rng.random(n) < 0.015)
    ext = dis & is_new
    length[ext] = 2
    target[ext] = mid[ext]
    alt = mid_codes[choose(rng, [w for _, w in INTERMEDIATE], n)]
    alt = np.where(alt == status, STATUS_CODE["NOT_QUALIFIED"], alt)
    repl = dis & ~is_new
    target[repl] = alt[repl]
    mid = np.where(mid == target, np.where(target == STATUS_CODE["FOLLOW_UP"], STATUS_CODE["CALL_AGAIN"], STATUS_CODE["FOLLOW_UP"]), mid)
    codes = np.full((n, 3), new, dtype=np.int8)
    one, two, three = length == 1, length == 2, length == 3
    codes[one, 0] = np.where(is_unk[one], new, target[one])
    codes[two, 1] = target[two]
    codes[three, 1] = mid[three]
    codes[three, 2] = target[three]
    length = np.where(logged, length, 0)

    # times: NEW_LEAD at arrival (or seconds after); the next status after a heavy-tailed
    # wait (or, for some, in a later clean-up at any time up to the export); a third soon after
    t = np.empty((n, 3), dtype=np.int64)
    first_is_new = codes[:, 0] == new
    t0 = added + np.where(rng.random(n) < 0.6, 0, rng.integers(1, 45, n))
    base1 = np.where(first_is_new, t0, added)
    body = (np.exp(np.interp(rng.random(n) * delay_knots[0][-1], *delay_knots)) * 3600).astype(np.int64)
    room = np.maximum(END_TS - base1, 0)
    late = rng.random(n) < LATE_SHARE
    t1 = base1 + np.where(late, (rng.uniform(0.35, 1.0, n) * room).astype(np.int64), body)
    d2 = (np.exp(np.interp(rng.random(n) * 0.75, *delay_knots)) * 3600).astype(np.int64)
    t[:, 0] = np.where(first_is_new, t0, t1)
    t[:, 1] = t1
    t[:, 2] = t1 + d2
    for k in range(3):  # nothing after the export: squeeze late steps into what was left
        prev = added if k == 0 else t[:, k - 1]
        late = t[:, k] > END_TS
        if late.any():
            room = np.maximum(END_TS - prev[late], 0)
            t[late, k] = prev[late] + (rng.random(late.sum()) * room).astype(np.int64)
    return codes, t, length
