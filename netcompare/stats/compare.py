"""One call to compare units (practices) with each other: the league table and funnel engine.

:func:`compare_units` validates the counts, then adds to each unit its value, Wilson 95% and
99.8% intervals, funnel limits at its own denominator and outlier flags (FunnelPlotR PR
method, or PHEindicatormethods' inverted Wilson), the two-level comparison with the
benchmark, RAG against a target, Fingertips quintile, rank and simulated rank interval. See
the modules it calls for each method's source.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from netcompare.errors import UserError
from netcompare.stats.benchmark import check_polarity, compare_with_benchmark, rag
from netcompare.stats.funnel import (
    FUNNEL_METHODS,
    LIMIT_COLUMNS,
    FunnelSummary,
    funnel_limits,
)
from netcompare.stats.intervals import wilson_interval
from netcompare.stats.ranks import league_rank, quintiles, rank_intervals
from netcompare.types import FunnelMethod, Polarity

COMPARE_COLUMNS: tuple[str, ...] = (
    "unit",
    "numerator",
    "denominator",
    "value",
    "ci95_lower",
    "ci95_upper",
    "ci998_lower",
    "ci998_upper",
    *LIMIT_COLUMNS,
    "outlier95",
    "outlier998",
    "comparison",
    "rag",
    "quintile",
    "rank",
    "rank_lower",
    "rank_upper",
)

_MAX_LISTED = 5


def _where(frame: pl.DataFrame, unit: str, rows: np.ndarray, line_offset: int | None) -> str:
    """'unit 'A' (line 3), unit 'B' (line 9) and 2 more' for an error message."""
    units = frame.get_column(unit).cast(pl.String).to_list()
    parts = []
    for i in rows[:_MAX_LISTED]:
        where = f"line {i + line_offset}" if line_offset is not None else f"row {i + 1}"
        parts.append(f"unit {units[i]!r} ({where})")
    more = len(rows) - _MAX_LISTED
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def _numeric_column(
    frame: pl.DataFrame, name: str, unit: str, line_offset: int | None
) -> np.ndarray:
    """A column as float64 (NaN = missing), with a clear error for non-numeric text."""
    column = frame.get_column(name)
    if column.dtype == pl.String:
        stripped = column.str.strip_chars()
        parsed = stripped.cast(pl.Float64, strict=False)
        if parsed.null_count() > stripped.null_count() + int((stripped == "").sum()):
            blank = (stripped.is_null() | (stripped == "")).to_numpy()
            bad = ~blank & parsed.is_null().to_numpy()
            rows = np.flatnonzero(bad)
            example = column[int(rows[0])]
            raise UserError(
                f"column {name!r} has values that are not numbers ({example!r}): "
                f"{_where(frame, unit, rows, line_offset)}"
            )
        column = parsed
    elif not column.dtype.is_numeric():
        raise UserError(f"column {name!r} must hold numbers, not {column.dtype}")
    if column.null_count():
        column = column.cast(pl.Float64)  # to_numpy gives NaN for null
    values = np.asarray(column.to_numpy(), dtype=np.float64)
    if np.isinf(values).any():
        rows = np.flatnonzero(np.isinf(values))
        raise UserError(
            f"column {name!r} has infinite values: {_where(frame, unit, rows, line_offset)}"
        )
    return values


def _check_unit_column(frame: pl.DataFrame, unit: str, line_offset: int | None) -> pl.Series:
    units = frame.get_column(unit)
    if units.dtype != pl.String:
        units = units.cast(pl.String)
    if units.null_count() or (units == "").any():
        blank = (units.is_null() | (units.str.strip_chars() == "")).to_numpy()
        rows = np.flatnonzero(blank)
        where = ", ".join(
            (f"line {i + line_offset}" if line_offset is not None else f"row {i + 1}")
            for i in rows[:_MAX_LISTED]
        )
        raise UserError(f"column {unit!r} is empty on {where}: every row needs a unit name")
    if units.n_unique() < units.len():
        rows = np.flatnonzero(units.is_duplicated().to_numpy())
        raise UserError(
            f"units must appear once each, but these repeat: "
            f"{_where(frame, unit, rows, line_offset)} (filter the file to one period "
            "and indicator)"
        )
    return units


def validate_counts(
    frame: pl.DataFrame,
    *,
    unit: str = "unit",
    numerator: str = "numerator",
    denominator: str = "denominator",
    line_offset: int | None = None,
    zero_denominator: str = "error",
) -> tuple[pl.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Check the unit/numerator/denominator columns; return units, counts and usable rows.

    Errors (as :class:`UserError`, naming the rows): missing column, blank or repeated unit,
    non-numeric values, negative counts, numerator above denominator, and a zero denominator
    (reported, never divided by) unless ``zero_denominator="missing"``, which treats such
    units as having no data. Blank counts are kept as missing (NaN). Returns
    ``(units, x, n, usable)`` where ``usable`` marks rows with both counts and n > 0.
    """
    for name, role in ((unit, "unit"), (numerator, "numerator"), (denominator, "denominator")):
        if name not in frame.columns:
            raise UserError(
                f"no {role} column {name!r}; the columns are: {', '.join(frame.columns)}"
            )
    units = _check_unit_column(frame, unit, line_offset)
    x = _numeric_column(frame, numerator, unit, line_offset)
    n = _numeric_column(frame, denominator, unit, line_offset)
    with np.errstate(invalid="ignore"):
        for mask, what in (
            (x < 0, f"negative counts in {numerator!r}"),
            (n < 0, f"negative counts in {denominator!r}"),
        ):
            if mask.any():
                raise UserError(f"{what}: {_where(frame, unit, np.flatnonzero(mask), line_offset)}")
        zero = n == 0
        if zero.any() and zero_denominator != "missing":
            raise UserError(
                f"zero denominators (a proportion needs at least one eligible patient): "
                f"{_where(frame, unit, np.flatnonzero(zero), line_offset)}"
            )
        above = x > n
        if above.any():
            raise UserError(
                f"numerator above denominator: "
                f"{_where(frame, unit, np.flatnonzero(above), line_offset)}"
            )
        usable = ~(np.isnan(x) | np.isnan(n)) & (n > 0)
    return units, x, n, usable


def _check_proportion(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    if not 0 <= value <= 1:
        hint = " (give proportions on a 0-1 scale, e.g. 0.95 not 95)" if value > 1 else ""
        raise UserError(f"{what} must be between 0 and 1, got {value:g}{hint}")
    return value


def _count_series(name: str, values: np.ndarray) -> pl.Series:
    """Counts as integers when every present value is whole, else as floats."""
    series = pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)
    present = values[~np.isnan(values)]
    if present.size and np.all(present == np.floor(present)) and np.all(present < 2**53):
        return series.cast(pl.Int64)
    return series


def _float_series(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)


def _int_series(name: str, values: np.ndarray) -> pl.Series:
    """Positive integers with 0 meaning missing."""
    if (values == 0).any():
        floats = np.where(values == 0, np.nan, values.astype(np.float64))
        return pl.Series(name, floats, nan_to_null=True).cast(pl.Int64)
    return pl.Series(name, values, dtype=pl.Int64)


def _label_series(name: str, labels: np.ndarray) -> pl.Series:
    # via a list: polars cannot cast a numpy object array that starts with None
    return pl.Series(name, labels.tolist(), dtype=pl.String)


def compare_units(
    frame: pl.DataFrame,
    *,
    unit: str = "unit",
    numerator: str = "numerator",
    denominator: str = "denominator",
    method: FunnelMethod = "arcsine-od",
    benchmark: float | None = None,
    polarity: Polarity = "high",
    target: float | None = None,
    amber: float | None = None,
    seed: int = 1,
    draws: int = 1000,
    ranks: bool = True,
    rag_use_ci: bool = False,
    zero_denominator: str = "error",
    line_offset: int | None = None,
) -> tuple[pl.DataFrame, FunnelSummary]:
    """Compare every unit with the benchmark and with each other.

    Returns a frame with exactly :data:`COMPARE_COLUMNS`, the first named as ``unit`` says (a
    caller keeps its own key: "practice_id" stays "practice_id"; units in input order;
    proportions on a 0-1 scale; missing as null) and the :class:`FunnelSummary`.
    ``benchmark`` None uses the pooled value ``sum(x)/sum(n)`` of the units with data; a
    float centres the funnel and the comparisons on that target. ``ranks=False`` skips the
    rank-interval simulation (the rank itself is always given). Raises :class:`UserError`
    for bad input (see :func:`validate_counts`) or fewer than 2 units with data.
    """
    if method not in FUNNEL_METHODS:
        raise UserError(f"unknown method {method!r}: use one of {', '.join(FUNNEL_METHODS)}")
    check_polarity(polarity)
    benchmark = _check_proportion(benchmark, "the benchmark")
    target = _check_proportion(target, "the target")
    amber = _check_proportion(amber, "the amber threshold")
    if amber is not None and target is None:
        raise UserError("an amber threshold needs a target")
    if draws < 1:
        raise UserError(f"draws must be at least 1, got {draws}")

    units, x_given, n_given, valid = validate_counts(
        frame,
        unit=unit,
        numerator=numerator,
        denominator=denominator,
        line_offset=line_offset,
        zero_denominator=zero_denominator,
    )
    x = np.where(valid, x_given, np.nan)
    n = np.where(valid, n_given, np.nan)
    if valid.sum() < 2:
        raise UserError(
            f"a funnel plot needs at least 2 units with a numerator and denominator, "
            f"got {int(valid.sum())}"
        )
    size = x.size
    complete = bool(valid.all())
    x_valid = x if complete else x[valid]
    n_valid = n if complete else n[valid]

    def spread(values: np.ndarray, missing: object = np.nan) -> np.ndarray:
        """Results for the usable rows, placed back among all rows (missing elsewhere)."""
        if complete:
            return values
        out = np.full(size, missing, dtype=values.dtype)
        out[valid] = values
        return out

    value = spread(x_valid / n_valid)
    ci = {
        level: tuple(spread(bound) for bound in wilson_interval(x_valid, n_valid, conf))
        for level, conf in (("95", 0.95), ("998", 0.998))
    }
    funnel = funnel_limits(x_valid, n_valid, method=method, benchmark=benchmark)
    limits = {name: spread(funnel.limits[name]) for name in LIMIT_COLUMNS}
    out95 = spread(funnel.outlier95, None)
    out998 = spread(funnel.outlier998, None)

    centre = funnel.summary.benchmark
    comparison = compare_with_benchmark(
        value, centre, ci["95"][0], ci["95"][1], ci["998"][0], ci["998"][1], polarity=polarity
    )
    rag_labels = rag(
        value,
        target,
        amber,
        polarity=polarity,
        lower95=ci["95"][0],
        upper95=ci["95"][1],
        use_ci=rag_use_ci,
    )
    quintile = quintiles(value, polarity)
    rank = league_rank(value, polarity)
    if ranks:
        rank_lo, rank_up = rank_intervals(x, n, polarity, seed=seed, draws=draws, ranks=rank)
    else:
        rank_lo = rank_up = np.zeros(size, dtype=np.int64)

    result = pl.DataFrame(
        [
            units.alias(unit),
            _count_series("numerator", x_given),
            _count_series("denominator", n_given),
            _float_series("value", value),
            _float_series("ci95_lower", ci["95"][0]),
            _float_series("ci95_upper", ci["95"][1]),
            _float_series("ci998_lower", ci["998"][0]),
            _float_series("ci998_upper", ci["998"][1]),
            *(_float_series(name, limits[name]) for name in LIMIT_COLUMNS),
            _label_series("outlier95", out95),
            _label_series("outlier998", out998),
            _label_series("comparison", comparison),
            _label_series("rag", rag_labels),
            _int_series("quintile", quintile),
            _int_series("rank", rank),
            _int_series("rank_lower", rank_lo),
            _int_series("rank_upper", rank_up),
        ]
    )
    return result, funnel.summary
