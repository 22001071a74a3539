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
  100 draws - one block in all for small problems - so results do not depend on the number
  of threads) and reproducible.
- Beta variates: Cheng (1978) algorithm BB ("Generating beta variates with nonintegral shape
  parameters", Commun. ACM 21(4):317-322, doi:10.1145/359460.359482; the algorithm R's
  ``rbeta`` uses) when both shapes exceed 1, vectorised over a block of draws; numpy's
  ``Generator.beta`` otherwise (a unit with x = 0 or x = n). BB is an exact rejection sampler;
  here its uniforms and arithmetic are single precision (an error of order 1e-4 in the
  acceptance test for shapes in the tens of thousands, see :func:`_cheng_bb_propose`; far
  below what a rank interval from 1,000 draws can show). Each draw is then ranked by one sort
  of 64-bit keys (the draw's bits with the unit's index in the lowest bits), which also breaks
  exact ties by unit order, mirrored for the opposite polarity.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from netcompare.stats.benchmark import check_polarity
from netcompare.types import Polarity

DRAW_BLOCK = 100


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


def quintiles(values: object, polarity: Polarity = "high") -> np.ndarray:
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


def league_rank(values: object, polarity: Polarity = "high") -> np.ndarray:
    """Rank 1 = best; ties share the best rank ("min"); missing values get 0."""
    check_polarity(polarity)
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    out = np.zeros(v.shape, dtype=np.int64)
    valid = ~np.isnan(v)
    if not valid.any():
        return out
    key = v[valid] if polarity == "low" else -v[valid]
    out[valid] = _min_ranks(key)
    return out


def _min_ranks(key: np.ndarray) -> np.ndarray:
    """Competition ranks of ``key`` (ascending, ties share the lowest), as ``rankdata(key,
    method="min")`` gives them, from one sort: each value's rank is 1 + the position where
    its run of equal values starts in the sorted order."""
    order = np.argsort(key)
    ordered = key[order]
    starts = np.empty(key.size, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    position = np.where(starts, np.arange(key.size), 0)
    np.maximum.accumulate(position, out=position)
    ranks = np.empty(key.size, dtype=np.int64)
    ranks[order] = position + 1
    return ranks


# Cheng's BB by hand: compare_ranks_ms 165 ms, 348 ms with Generator.beta (budget 200 ms).
# Draws computed together: about this many unit-draws, so the arrays stay in the CPU cache.
CHUNK_SIZE = 65_536
# Below this many unit-draws in all, the draws are one block (one stream, one thread).
THREADED_SIZE = 500_000
_F32 = np.float32
_LN4 = _F32(np.log(4.0))
# Half the spacing of numpy's single-precision uniforms: moves them to (0, 1), open.
_HALF_ULP = _F32(2.0**-25)
# |logit| of a double in (0, 1) is below this; numpy's Beta draws are clipped to it.
_LOGIT_LIMIT = 745.0


@dataclass(frozen=True)
class _BetaSetup:
    """Per-unit constants of Cheng's algorithm BB, and how each unit's v becomes a score."""

    cheng: np.ndarray  # units drawn by Cheng's BB (both shapes > 1)
    params: tuple[np.ndarray, ...]  # gamma, alpha, beta, a'/alpha (float32, per unit)
    sign: np.ndarray  # +1, or -1 where a > b (Cheng swaps the shapes)
    offset: np.ndarray  # score = offset + sign * v (float64)
    other_a: np.ndarray  # shapes of the other units (numpy's Beta draws)
    other_b: np.ndarray
    shift: float  # added to every logit so that scores are positive


def _beta_setup(a: np.ndarray, b: np.ndarray) -> _BetaSetup:
    cheng = (a > 1) & (b > 1)
    ca, cb = a[cheng], b[cheng]
    swap = ca > cb
    lo = np.where(swap, cb, ca)
    hi = np.where(swap, ca, cb)
    alpha = lo + hi
    beta = np.sqrt((alpha - 2) / (2 * lo * hi - alpha))
    # logit(w / (b' + w)) = ln(a' / b') + v; the swapped unit delivers b' / (b' + w): -(...)
    sign = np.where(swap, -1.0, 1.0)
    logit0 = sign * np.log(lo / hi)
    # |v| = beta |logit(u1)| <= beta ln(2**25) < 18 beta for our uniforms in [2**-25, 1 - 2**-25]
    bound = float(np.max(np.abs(logit0) + 18 * beta, initial=0.0))
    if not cheng.all():
        bound = max(bound, _LOGIT_LIMIT)
    shift = bound + 1.0
    return _BetaSetup(
        cheng=cheng,
        params=tuple(p.astype(_F32) for p in (lo + 1 / beta, alpha, beta, lo / alpha)),
        sign=sign.astype(_F32),
        offset=logit0 + shift,
        other_a=a[~cheng],
        other_b=b[~cheng],
        shift=shift,
    )


class _Workspace:
    """Arrays reused by every chunk of draws: no page faults from fresh large arrays."""

    def __init__(self, rows: int, m: int, ranks_dtype: type = np.int16) -> None:
        self.u1, self.u2, self.e = (np.empty((rows, m), dtype=_F32) for _ in range(3))
        self.rejected = np.empty((rows, m), dtype=bool)
        self.scores = np.empty((rows, m))
        self.rank_values = np.tile(np.arange(1, m + 1, dtype=ranks_dtype), rows)
        self.row_starts = np.arange(rows, dtype=np.int64)[:, None] * m


def _cheng_bb_propose(
    rng: np.random.Generator,
    params: tuple[np.ndarray, ...],
    v: np.ndarray,
    work: _Workspace | None,
) -> np.ndarray:
    """One proposal of Cheng's algorithm BB for every cell of ``v`` (written into it); returns
    the flat positions of ``v`` whose proposal was rejected.

    Cheng (1978) algorithm BB, for shapes a, b > 1: with a' = min(a, b), b' = max(a, b),
    alpha = a' + b', beta = sqrt((alpha - 2) / (2 a' b' - alpha)), gamma = a' + 1/beta: draw
    u1, u2; v = beta ln(u1 / (1 - u1)), w = a' e^v; accept when
    ``gamma v - ln 4 + alpha ln(alpha / (b' + w)) >= ln(u1^2 u2)``, else draw again; the
    variate is w / (b' + w) (b' / (b' + w) when a > b). Cheng's two quick acceptance tests only
    save work in a scalar loop, so the exact test is applied to every proposal at once, as
    ``gamma v - alpha ln(1 + q) - ln 4`` with q = a' (e^v - 1) / alpha (the same quantity:
    b' + w = alpha + a' (e^v - 1)). In single precision its two large terms (about a' v each)
    leave an error of about 1e-7 a' |v|, where |v| is a few times beta: about 1e-4 in
    the log-density for shapes near 100,000 (practice list sizes), a change in acceptance far
    below anything a rank interval can show.
    ``params`` (gamma, alpha, beta, a'/alpha) broadcast against ``v``.
    """
    if work is None:
        u1, u2, e = (np.empty(v.shape, dtype=_F32) for _ in range(3))
        rejected = np.empty(v.shape, dtype=bool)
    else:
        rows = v.shape[0]
        u1, u2, e = (x[:rows] for x in (work.u1, work.u2, work.e))
        rejected = work.rejected[:rows]
    gamma, alpha, beta, a_share = params
    rng.random(out=u1, dtype=_F32)
    rng.random(out=u2, dtype=_F32)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        u1 += _HALF_ULP
        np.subtract(1, u1, out=v)
        np.divide(u1, v, out=v)
        np.log(v, out=v)
        v *= beta
        u2 *= u1
        u2 *= u1
        np.log(u2, out=u2)
        u2 += _LN4  # right side: ln(u1^2 u2) + ln 4
        np.expm1(v, out=e)
        e *= a_share  # q
        np.log1p(e, out=e)
        e *= alpha
        np.multiply(gamma, v, out=u1)
        u1 -= e  # left side: gamma v - alpha ln(1 + q)
        np.less(u1, u2, out=rejected)
    return np.flatnonzero(rejected)


def _cheng_bb_v(
    rng: np.random.Generator,
    params: tuple[np.ndarray, ...],
    draws: int,
    work: _Workspace | None = None,
) -> np.ndarray:
    """Cheng's algorithm BB (:func:`_cheng_bb_propose`) until every draw is accepted: the
    accepted v, ``(draws, units)``. Proposals go in chunks of ``work``'s rows (cache-sized);
    the rejected ones (about one in ten) are drawn again all together, until none is left."""
    m = params[0].size
    v = np.empty((draws, m), dtype=_F32)
    chunk = draws if work is None else work.u1.shape[0]
    rejected = []
    for first in range(0, draws, chunk):
        rows = v[first : first + chunk]
        rejected.append(_cheng_bb_propose(rng, params, rows, work) + first * m)
    todo = np.concatenate(rejected)
    while todo.size:
        columns = todo % m
        again = np.empty(todo.size, dtype=_F32)
        retry = _cheng_bb_propose(rng, tuple(p[columns] for p in params), again, None)
        v.ravel()[todo] = again
        todo = todo[retry]
    return v


def _other_logits(rng: np.random.Generator, setup: _BetaSetup, draws: int) -> np.ndarray:
    """``logit + shift`` of numpy's Beta draws for the units Cheng's BB does not cover."""
    theta = rng.beta(setup.other_a, setup.other_b, size=(draws, setup.other_a.size))
    with np.errstate(divide="ignore"):
        logit = np.log(theta) - np.log1p(-theta)
    return np.clip(logit, -_LOGIT_LIMIT, _LOGIT_LIMIT) + setup.shift


class _BlockScores:
    """The Beta draws of one block, handed out as scores chunk by chunk.

    A score is ``logit(theta) + setup.shift`` (positive, increasing in theta): ranking needs
    only the order of the draws, and for Cheng's units the logit is ``ln(a'/b') + v``
    (negated when swapped), so no division is needed.
    """

    def __init__(
        self, rng: np.random.Generator, setup: _BetaSetup, draws: int, work: _Workspace | None
    ) -> None:
        self.setup = setup
        self.all_cheng = bool(setup.cheng.all())
        cheng_units = int(setup.cheng.sum())
        if work is not None and not self.all_cheng:
            work = _Workspace(work.u1.shape[0], cheng_units)  # Cheng's units only
        self.v = (
            _cheng_bb_v(rng, setup.params, draws, work)
            if cheng_units
            else np.empty((draws, 0), dtype=_F32)
        )
        self.other = None if self.all_cheng else _other_logits(rng, setup, draws)

    def chunk(self, first: int, last: int, out: np.ndarray) -> np.ndarray:
        """Scores of draws ``first:last`` written into ``out`` (rows x units)."""
        setup = self.setup
        v = self.v[first:last]
        v *= setup.sign
        if self.all_cheng:
            np.add(setup.offset, v, out=out)
        else:
            out[:, setup.cheng] = setup.offset + v
            out[:, ~setup.cheng] = self.other[first:last]  # type: ignore[index]
        return out


def beta_variates(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, draws: int) -> np.ndarray:
    """``draws`` Beta(a_j, b_j) variates for each unit j, as a ``(draws, units)`` array.

    Cheng's algorithm BB for the units with both shapes above 1, numpy's ``Generator.beta``
    for the others (see the module notes); the same draws :func:`rank_intervals` ranks.
    Only tests call it: it is how the hand-written sampler's draws are checked against
    scipy's Beta distribution (tests/stats/test_beta_variates.py).
    """
    a = np.atleast_1d(np.asarray(a, dtype=np.float64))
    b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    setup = _beta_setup(a, b)
    scores = _BlockScores(rng, setup, draws, None).chunk(0, draws, np.empty((draws, a.size)))
    return expit(scores - setup.shift)


def _draw_ranks(
    scores: np.ndarray, descending: bool, work: _Workspace, out: np.ndarray
) -> np.ndarray:
    """Each draw's rank of every unit (1 = first in the ordering), written into ``out``.

    ``scores`` (overwritten) are positive doubles, whose bit patterns order like their values,
    so one sort of 64-bit keys (the score's bits with the unit's index in the lowest bits, a
    relative change below 2**-39) orders each draw and says which unit is where; exact ties
    go by unit index, reversed for the descending order so that the two polarities mirror
    each other.
    """
    draws, m = scores.shape
    bits = max(1, (m - 1).bit_length())
    if bits > 24:  # millions of units: keep the scores' precision, sort indices instead
        order = np.argsort(-scores if descending else scores, axis=1)
    else:
        mask = np.uint64((1 << bits) - 1)
        key = scores.view(np.uint64)
        key &= ~mask
        key |= np.arange(m, dtype=np.uint64)
        if descending:
            np.invert(key, out=key)
        key.sort(axis=1)
        if descending:
            np.invert(key, out=key)
        key &= mask
        order = key.view(np.int64)  # the unit indices, small non-negative integers
    order += work.row_starts[:draws]
    out.ravel()[order.ravel()] = work.rank_values[: draws * m]
    return out


def _block_ranks(
    seed_seq: np.random.SeedSequence,
    setup: _BetaSetup,
    draws: int,
    descending: bool,
    out: np.ndarray,
) -> None:
    """One block of draws from its own stream, ranked; written into ``out`` (units x draws)."""
    rng = np.random.default_rng(seed_seq)
    m = out.shape[0]
    chunk = min(draws, max(1, CHUNK_SIZE // m))
    work = _Workspace(chunk, m, out.dtype.type)
    block = _BlockScores(rng, setup, draws, work)
    ranks = np.empty((draws, m), dtype=out.dtype)
    for first in range(0, draws, chunk):
        last = min(draws, first + chunk)
        scores = block.chunk(first, last, work.scores[: last - first])
        _draw_ranks(scores, descending, work, ranks[first:last])
    out[...] = ranks.T


def rank_intervals(
    numerator: object,
    denominator: object,
    polarity: Polarity = "high",
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
    setup = _beta_setup(a, b)
    m = a.size
    # One stream per block of draws; a small problem is one block (threads would cost more).
    per_block = DRAW_BLOCK if m * draws >= THREADED_SIZE else draws
    blocks = [per_block] * (draws // per_block)
    if draws % per_block:
        blocks.append(draws % per_block)
    starts = np.concatenate(([0], np.cumsum(blocks)))
    seeds = np.random.SeedSequence(seed).spawn(len(blocks))
    workers = max(1, threads or min(len(blocks), os.cpu_count() or 1))
    alpha = (1 - level) / 2
    # R type 7 positions of the tail percentiles, rounded outwards to whole draws
    lo_pos = int(np.floor(alpha * (draws - 1)))
    hi_pos = int(np.ceil((1 - alpha) * (draws - 1)))
    dtype = np.int16 if m < np.iinfo(np.int16).max else np.int32
    sim = np.empty((m, draws), dtype=dtype)  # sim[unit, draw] = rank in that draw
    edges = np.linspace(0, m, workers + 1).astype(int)

    def sort_rows(k: int) -> None:
        sim[edges[k] : edges[k + 1]].sort(axis=1)

    def block(k: int) -> None:
        _block_ranks(seeds[k], setup, blocks[k], descending, sim[:, starts[k] : starts[k + 1]])

    if workers == 1:
        for k in range(len(blocks)):
            block(k)
        sort_rows(0)
    else:
        # numpy releases the GIL in its loops, sorts and random draws: threads use every core
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(block, range(len(blocks))))
            list(pool.map(sort_rows, range(workers)))
    sim_lo = sim[:, lo_pos]
    sim_hi = sim[:, hi_pos]
    observed = ranks[valid]
    lower[valid] = np.minimum(sim_lo, observed)
    upper[valid] = np.maximum(sim_hi, observed)
    return lower, upper
