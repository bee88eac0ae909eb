"""Dirt injected on purpose, in realistic amounts (see the package docstring for the counts).

Every function here draws from the generator it is given, at the point of the stage where the
original single-module generator drew, so moving the code here did not change any output byte.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .draw import rng_for, scaled_count
from .profile import (
    N_CHANGE_DUPS,
    N_CLICKS_OVER,
    N_INSIGHT_CONFLICTS,
    N_INSIGHT_DUPS,
    N_TRIMMED_NAMES,
)

# per-campaign insight dirt flag: each flagged campaign gets one dirty row of that kind
DUPLICATE, CONFLICT, CLICKS_OVER = 1, 2, 3


# ----------------------------------------------------------------------- campaigns
def pick_campaigns(rng: np.random.Generator, has_ins: np.ndarray, scale: float):
    """Which campaigns carry dirt: indices whose project name gets stray spaces, and an int8
    flag per campaign (0, DUPLICATE, CONFLICT or CLICKS_OVER) on disjoint delivering campaigns."""
    n_c = len(has_ins)
    trimmed = rng.permutation(n_c)[: min(n_c, scaled_count(N_TRIMMED_NAMES, scale))]
    ins_idx = np.flatnonzero(has_ins)
    k_dup, k_conf, k_over = (scaled_count(x, scale) for x in (N_INSIGHT_DUPS, N_INSIGHT_CONFLICTS, N_CLICKS_OVER))
    pick = rng.permutation(ins_idx)[: k_dup + k_conf + k_over]
    dirt = np.zeros(n_c, dtype=np.int8)
    dirt[pick[:k_dup]] = DUPLICATE
    dirt[pick[k_dup:k_dup + k_conf]] = CONFLICT
    dirt[pick[k_dup + k_conf:]] = CLICKS_OVER
    return trimmed, dirt


def pad_names(name: pa.Array, trimmed: np.ndarray, pad: np.ndarray) -> pa.Array:
    """Stray spaces around the project names of the ``trimmed`` rows (``pad``: a 0..9 draw each):
    mostly trailing, some leading, a few both."""
    kind = np.full(len(name), -1, dtype=np.int8)
    kind[trimmed] = np.where(pad < 2, 0, np.where(pad < 3, 1, 2))
    j = pc.binary_join_element_wise
    sp = pa.scalar(" ")
    return pc.case_when(
        pc.make_struct(pa.array(kind == 0), pa.array(kind == 1), pa.array(kind == 2), field_names=list("abc")),
        j(sp, name, ""), j(sp, name, sp, ""), j(name, sp, ""), name)


# ------------------------------------------------------------------------ insights
def tiny_spend(rng: np.random.Generator, cents, impr, clicks, reach) -> None:
    """Almost nothing delivered: ~0.05% of rows spend 0.01 (arrays changed in place)."""
    tiny = rng.random(len(cents)) < 0.0005
    cents[tiny] = 1
    impr[tiny] = rng.integers(1, 6, tiny.sum())
    clicks[tiny] = 0
    reach[tiny] = np.maximum(impr[tiny] - 1, 1)


def flagged_rows(rng: np.random.Generator, owner: np.ndarray, flag: np.ndarray):
    """One random row of each flagged campaign: (row positions, their flags).
    ``owner``: the block's campaign of every row (sorted); ``flag``: each campaign's dirt flag."""
    n = len(owner)
    starts = np.searchsorted(owner, np.arange(len(flag)))
    ends = np.append(starts[1:], n)
    fpos = np.flatnonzero(flag)
    rows = starts[fpos] + (rng.random(len(fpos)) * (ends[fpos] - starts[fpos])).astype(np.int64)
    return rows, flag[fpos]


def clicks_over(rng: np.random.Generator, over: np.ndarray, cents, impr, clicks, reach) -> None:
    """Rows ``over`` report more clicks than impressions (arrays changed in place)."""
    impr[over] = rng.integers(1, 9, len(over))
    clicks[over] = impr[over] + rng.integers(1, 4, len(over))
    reach[over] = np.maximum(impr[over] - 1, 1)
    cents[over] = rng.integers(1, 500, len(over))


def repeat_rows(rng: np.random.Generator, dup: np.ndarray, conf: np.ndarray, cents, impr, clicks, reach):
    """Append exact copies of rows ``dup``, then copies of rows ``conf`` with other numbers (a later
    re-sync reported other values for the same ad set and day).
    Returns (src, cents, impr, clicks, reach): src[i] is the original row output row i copies."""
    n = len(cents)
    extra = np.concatenate([dup, conf])
    src = np.concatenate([np.arange(n), extra])
    cents, impr, clicks, reach = (np.concatenate([v, v[extra]]) for v in (cents, impr, clicks, reach))
    m = len(conf)
    if m:
        sl = slice(n + len(dup), n + len(dup) + m)
        old = cents[sl]
        new = np.maximum(np.rint(old * rng.uniform(0.5, 1.6, m)), 1).astype(np.int64)
        cents[sl] = np.where(new == old, new + 1, new)
        impr[sl] = np.maximum(np.rint(impr[sl] * rng.uniform(0.6, 1.5, m)), 2).astype(np.int64)
        clicks[sl] = rng.binomial(impr[sl], 0.03)
        reach[sl] = np.clip(np.floor(impr[sl] * 0.9), 1, impr[sl] - 1).astype(np.int64)
    return src, cents, impr, clicks, reach


# ------------------------------------------------------------------ status changes
def change_dups_per_block(seed: int, scale: float, sizes: np.ndarray) -> np.ndarray:
    """How many status-change rows to write twice in each block of leads (``sizes``: leads per block)."""
    return rng_for(seed, 4).multinomial(scaled_count(N_CHANGE_DUPS, scale), sizes / sizes.sum())


def repeat_changes(rng: np.random.Generator, k: int, who, ccode, ctime):
    """Append ``k`` random rows of the block's status changes again (exact duplicates)."""
    if k and len(who):
        again = rng.integers(0, len(who), k)
        who, ccode, ctime = (np.concatenate([v, v[again]]) for v in (who, ccode, ctime))
    return who, ccode, ctime
