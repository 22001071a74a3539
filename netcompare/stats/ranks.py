"""Quintiles (Fingertips), league-table ranks and rank intervals by seeded simulation.

- Quintiles: Fingertips ``QuintilesCalculator`` / ``ValueCategoriesCalculator`` /
  ``QuintilesComparer`` (ukhsa-collaboration/fingertips-open, PholioVisualisationWS/Analysis).
  Bounds are [min, P20, P40, P60, P80, max], each percentile by R's ``quantile`` type 7
  (``(count - 1) * fraction + 1``, linear between neighbours, rounded to 10 decimals half away
  from zero); a value's category is the first bound it is ``<=`` to (so 1 holds the lowest
  values); fewer than 5 values give no category. netcompare then orients it so quintile 1 is
  the best: for higher-is-better (and for neutral, the same orientation as the rank) quintile
  1 holds the highest values; for lower-is-better the lowest.
- Rank: 1 = best (highest value for polarity high and neutral, lowest for low). Ties share
  the best rank of the tied group and the next rank skips ("competition" ranking, 1-2-2-4),
  so a tie never makes a practice look worse than a rival with the same value.
- Rank intervals (beyond the references; METHODS.md section 5): draw each unit's rate from its
  posterior Beta(x + 0.5, n - x + 0.5) (Jeffreys prior), rank every draw the same way, and take
  the 2.5th and 97.5th percentiles of each unit's simulated ranks (R type 7 positions, rounded
  outwards to whole ranks). The observed rank always lies inside the reported interval: where
  the simulated percentile falls short of it (rare: small n at the extremes, ties) the
  interval is widened to include it. Seeded (numpy PCG64, one independent stream per block of
  250 draws, so results do not depend on the number of threads) and reproducible.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.stats import rankdata

from netcompare.stats.benchmark import check_polarity

DRAW_BLOCK = 250


def _round_half_away(x: float, digits: int = 10) -> float:
    """C# ``Math.Round(x, digits, MidpointRounding.AwayFromZero)``."""
    scale = 10.0**digits
    return float(np.sign(x) * np.floor(abs(x) * scale + 0.5) / scale)


def fingertips_percentile(sorted_values: np.ndarray, fraction: float) -> float:
    """Fingertips ``CalculatePercentile`` on sorted values (R type 7, rounded to 10 d.p.)."""
    count = sorted_values.size
    n = (float(count) - 1) * fraction + 1
    if n == 1.0:
        return float(sorted_values[0])
    if n == count:
        return float(sorted_values[count - 1])
    k = int(n)
    d = n - k
    percentile = sorted_values[k - 1] + d * (sorted_values[k] - sorted_values[k - 1])
    return _round_half_away(float(percentile), 10)


def quintile_bounds(values: object) -> np.ndarray | None:
    """Fingertips quintile bounds [min, P20, P40, P60, P80, max]; None for < 5 values."""
    v = np.asarray(values, dtype=np.float64)
    v = np.sort(v[~np.isnan(v)])
    if v.size < 5:
        return None
    step = 1.0 / 5.0
    bounds = [float(v[0])]
    bounds += [fingertips_percentile(v, step * i) for i in range(1, 5)]
    bounds.append(float(v[-1]))
    return np.array(bounds)


def quintiles(values: object, polarity: str = "high") -> np.ndarray:
    """Quintile 1..5 per unit (1 = best, see module notes); 0 where there is no category.

    No category for missing values, or when fewer than 5 units have values.
    """
    check_polarity(polarity)
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    bounds = quintile_bounds(v)
    out = np.zeros(v.shape, dtype=np.int64)
    if bounds is None:
        return out
    valid = ~np.isnan(v)
    # first category c in 1..5 with value <= bounds[c]
    category = np.searchsorted(bounds[1:], v[valid], side="left") + 1
    if polarity != "low":
        category = 6 - category
    out[valid] = category
    return out


def league_rank(values: object, polarity: str = "high") -> np.ndarray:
    """Rank 1 = best; ties share the best rank ("min"); missing values get 0."""
    check_polarity(polarity)
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    out = np.zeros(v.shape, dtype=np.int64)
    valid = ~np.isnan(v)
    if not valid.any():
        return out
    key = v[valid] if polarity == "low" else -v[valid]
    out[valid] = rankdata(key, method="min").astype(np.int64)
    return out


def _block_ranks(
    seed_seq: np.random.SeedSequence, a: np.ndarray, b: np.ndarray, draws: int, descending: bool
) -> np.ndarray:
    """One block: Beta draws (draws x units) and each draw's rank of every unit (1 = best)."""
    rng = np.random.default_rng(seed_seq)
    theta = rng.beta(a, b, size=(draws, a.size))
    if descending:
        theta = -theta
    order = np.argsort(theta, axis=1)
    dtype = np.int16 if a.size < np.iinfo(np.int16).max else np.int32
    ranks = np.empty((a.size, draws), dtype=dtype)
    # ranks[unit, draw] = position of the unit in that draw's ordering (+1)
    ranks[order.T, np.arange(draws)[None, :]] = np.arange(1, a.size + 1, dtype=dtype)[:, None]
    return ranks


def _tail_ranks(sim: np.ndarray, lo_pos: int, hi_pos: int) -> tuple[np.ndarray, np.ndarray]:
    part = np.partition(sim, (lo_pos, hi_pos), axis=1)
    return part[:, lo_pos], part[:, hi_pos]


def rank_intervals(
    numerator: object,
    denominator: object,
    polarity: str = "high",
    *,
    seed: int = 1,
    draws: int = 1000,
    level: float = 0.95,
    ranks: np.ndarray | None = None,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated ``level`` interval of each unit's league rank (see module notes).

    Units with a missing numerator/denominator get 0 (no interval) and take no part in the
    ranking. ``ranks`` (the observed ranks) defaults to :func:`league_rank` of x/n; the
    interval is widened to contain it.
    """
    check_polarity(polarity)
    x = np.atleast_1d(np.asarray(numerator, dtype=np.float64))
    n = np.atleast_1d(np.asarray(denominator, dtype=np.float64))
    valid = ~(np.isnan(x) | np.isnan(n))
    lower = np.zeros(x.shape, dtype=np.int64)
    upper = np.zeros(x.shape, dtype=np.int64)
    if not valid.any() or draws < 1:
        return lower, upper
    if ranks is None:
        ranks = league_rank(np.where(valid, x / np.where(valid, n, 1.0), np.nan), polarity)
    a = x[valid] + 0.5
    b = n[valid] - x[valid] + 0.5
    descending = polarity != "low"
    blocks = [DRAW_BLOCK] * (draws // DRAW_BLOCK)
    if draws % DRAW_BLOCK:
        blocks.append(draws % DRAW_BLOCK)
    seeds = np.random.SeedSequence(seed).spawn(len(blocks))
    workers = threads or min(len(blocks), os.cpu_count() or 1)
    alpha = (1 - level) / 2
    # R type 7 positions of the tail percentiles, rounded outwards to whole draws
    lo_pos = int(np.floor(alpha * (draws - 1)))
    hi_pos = int(np.ceil((1 - alpha) * (draws - 1)))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        parts = list(
            pool.map(
                lambda k: _block_ranks(seeds[k], a, b, blocks[k], descending),
                range(len(blocks)),
            )
        )
        sim = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        del parts
        edges = np.linspace(0, sim.shape[0], max(1, workers) + 1).astype(int)
        tails = list(
            pool.map(
                lambda k: _tail_ranks(sim[edges[k] : edges[k + 1]], lo_pos, hi_pos),
                range(edges.size - 1),
            )
        )
    sim_lo = np.concatenate([t[0] for t in tails])
    sim_hi = np.concatenate([t[1] for t in tails])
    observed = ranks[valid]
    lower[valid] = np.minimum(sim_lo, observed)
    upper[valid] = np.maximum(sim_hi, observed)
    return lower, upper
