"""Seeded generators and the small vectorised drawing helpers every stage uses."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def rng_for(seed: int, stage: int, block: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(stage, block)))


def scaled_count(base: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(base * scale)))


def z_knots(q):
    nd = NormalDist()
    return (np.array([nd.inv_cdf(p) for p, _ in q]), np.log([v for _, v in q]))


def u_knots(q):
    return np.array([p for p, _ in q]), np.log([v for _, v in q])


def stratified_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """n standard-normal draws, one per quantile stratum, in random order."""
    nd = NormalDist()
    u = (rng.permutation(n) + rng.uniform(0.1, 0.9, n)) / n
    return np.array([nd.inv_cdf(float(x)) for x in u])


def choose(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.searchsorted(cdf / cdf[-1], rng.random(n), side="right").astype(np.int64)


def expand(counts: np.ndarray):
    """For counts [2, 3] -> owner [0 0 1 1 1], position-in-owner [0 1 0 1 2], owner starts."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return owner, np.arange(counts.sum(), dtype=np.int64) - starts[owner], starts
