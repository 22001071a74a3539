"""Validation of a data set's tables: types, missing values, and the rules of the data model.

Every check reports the file, the row and what is wrong (see :mod:`netcompare.data.problems`).
Hard errors stop the load; soft issues are warnings the app shows. Columns that are not part
of the canonical schema are reported as warnings ("not used"), never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from netcompare.data.inputs import ROW, number_problem, number_value, thousands_note
from netcompare.data.problems import EXAMPLES_PER_RULE, ProblemList
from netcompare.data.schema import DEFAULTS, TABLES
from netcompare.types import PERIOD_TYPES, POLARITIES

# A denominator below this is flagged as a warning: its value is too unstable to compare.
SMALL_DENOMINATOR = 10

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def coerce_table(
    table: str, raw: pl.DataFrame, label: str, problems: ProblemList
) -> pl.DataFrame | None:
    """Cast a raw table to its canonical schema, reporting every cell that does not fit.

    Returns the frame with the canonical columns (in schema order) plus ``__row``, or None when
    a required column is missing (nothing more can be checked in that file).
    """
    columns = TABLES[table]
    known = {c.name for c in columns}
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    if missing:
        problems.error(
            label,
            f"missing column(s): {', '.join(missing)} (the file has: "
            f"{', '.join(c for c in raw.columns if c != ROW) or 'no columns'})",
        )
        return None
    extra = [c for c in raw.columns if c not in known and c != ROW]
    if extra:
        problems.warning(label, f"column(s) not used by netcompare: {', '.join(extra)}")
    if raw.height == 0:
        problems.error(label, "the file has a header but no data rows")
        return None

    exprs = []
    for col in columns:
        if col.name not in raw.columns:
            default = DEFAULTS.get((table, col.name))
            exprs.append(pl.lit(default, dtype=col.dtype).alias(col.name))
            continue
        exprs.append(_cast_expr(raw.schema[col.name], col.dtype, col.name))
    cast = raw.select(pl.col(ROW), *exprs)

    for col in columns:
        if col.name not in raw.columns:
            continue
        original = raw.get_column(col.name)
        if original.dtype == pl.String:
            original_present = original.str.strip_chars().fill_null("") != ""
        else:
            original_present = original.is_not_null()
        converted = cast.get_column(col.name)
        if original.dtype == pl.String and col.dtype in (pl.Int64, pl.Float64):
            # Numbers: each bad cell named (blank, '-', NaN, inf, 12.5 in a count...).
            _report_numbers(raw, col.name, col.dtype == pl.Int64, label, problems)
        elif original.dtype != col.dtype:
            # (Already the right type, as from Parquet or SQL: nothing can fail to convert.)
            bad = original_present & converted.is_null()
            if bad.any():
                rows = raw.get_column(ROW).filter(bad).to_list()
                shown = original.filter(bad).cast(pl.String).to_list()
                problems.rows(
                    label,
                    f"wrong type in column {col.name} (expected {_type_words(col.dtype)})",
                    rows,
                    [repr(v) for v in shown],
                )
        default = DEFAULTS.get((table, col.name))
        if default is not None:
            cast = cast.with_columns(pl.col(col.name).fill_null(pl.lit(default, dtype=col.dtype)))
            continue
        if not col.nullable and original.null_count() + (original.dtype == pl.String) > 0:
            empty = ~original_present
            if empty.any():
                rows = raw.get_column(ROW).filter(empty).to_list()
                problems.rows(
                    label,
                    f"missing value in column {col.name}",
                    rows,
                    ["the cell is empty"] * len(rows),
                )
    return cast


def _report_numbers(
    raw: pl.DataFrame, column: str, whole: bool, label: str, problems: ProblemList
) -> None:
    """Name each cell of a text column that is not a number (blank cells are reported by the
    missing-value rule); warn about numbers written with thousands separators."""
    reasons = raw.select(
        pl.col(ROW), number_problem(column, column, whole=whole, blank_ok=True).alias("reason")
    ).filter(pl.col("reason").is_not_null())
    if reasons.height:
        problems.each(
            label,
            f"column {column} is not a number",
            reasons.get_column(ROW).to_list(),
            reasons.get_column("reason").to_list(),
        )
    note = thousands_note(raw, column, column)
    if note:
        problems.warning(label, note)


def _cast_expr(source: pl.DataType, target: pl.DataType, name: str) -> pl.Expr:
    col = pl.col(name)
    if source == pl.String:
        col = col.str.strip_chars()
        if target == pl.Boolean:
            lower = col.str.to_lowercase()
            return (
                pl.when(lower.is_in(list(_TRUE)))
                .then(True)
                .when(lower.is_in(list(_FALSE)))
                .then(False)
                .otherwise(None)
                .alias(name)
            )
        if target == pl.Date:
            return pl.coalesce(
                col.str.to_date("%Y-%m-%d", strict=False),
                (col + "-01").str.to_date("%Y-%m-%d", strict=False),
            ).alias(name)
        if target == pl.Float64:
            return number_value(col).alias(name)
        if target == pl.Int64:
            value = number_value(col)
            return pl.when(value == value.floor()).then(value.cast(pl.Int64)).alias(name)
        return col.cast(target, strict=False).alias(name)
    if target == pl.Date and source in (pl.Datetime, pl.Datetime("us"), pl.Datetime("ns")):
        return col.dt.date().alias(name)
    if target == pl.Int64 and source.is_float():
        # Whole numbers stored as floats (e.g. from SQL or Parquet) are fine; others are not.
        return pl.when(col == col.round(0)).then(col.cast(pl.Int64, strict=False)).alias(name)
    return col.cast(target, strict=False).alias(name)


def _type_words(dtype: pl.DataType) -> str:
    if dtype == pl.Int64:
        return "a whole number"
    if dtype == pl.Float64:
        return "a number"
    if dtype == pl.Date:
        return "a date like 2024-01-01"
    if dtype == pl.Boolean:
        return "true or false"
    return "text"


def _ids(frame: pl.DataFrame, column: str) -> list[str]:
    return frame.get_column(column).cast(pl.String).to_list()


def check_unique(
    frame: pl.DataFrame, keys: list[str], label: str, problems: ProblemList, what: str
) -> None:
    """Report rows whose key appears more than once."""
    dup = frame.select(keys).is_duplicated()
    if dup.any():
        rows = frame.get_column(ROW).filter(dup).to_list()
        key_rows = frame.filter(dup).select(keys).rows()
        problems.rows(
            label,
            f"duplicate {what}",
            rows,
            [", ".join(str(v) for v in key) for key in key_rows],
        )


def validate_networks(frame: pl.DataFrame, label: str, problems: ProblemList) -> None:
    check_unique(frame, ["network_id"], label, problems, "network_id")


def validate_practices(
    frame: pl.DataFrame, networks: pl.DataFrame | None, label: str, problems: ProblemList
) -> None:
    check_unique(frame, ["practice_id"], label, problems, "practice_id")
    negative = frame.get_column("list_size") < 0
    if negative.fill_null(False).any():
        bad = frame.filter(negative.fill_null(False))
        problems.rows(
            label,
            "list_size < 0",
            bad.get_column(ROW).to_list(),
            [f"{p}: {v}" for p, v in bad.select("practice_id", "list_size").rows()],
        )
    if networks is not None:
        known = networks.get_column("network_id")
        orphan = frame.filter(
            pl.col("network_id").is_not_null() & ~pl.col("network_id").is_in(known.implode())
        )
        if orphan.height:
            problems.rows(
                label,
                "practice in no network (its network_id is not in networks)",
                orphan.get_column(ROW).to_list(),
                [f"{p} -> {n}" for p, n in orphan.select("practice_id", "network_id").rows()],
            )


def validate_indicators(frame: pl.DataFrame, label: str, problems: ProblemList) -> None:
    check_unique(frame, ["indicator_id"], label, problems, "indicator_id")
    bad_polarity = frame.filter(~pl.col("polarity").str.to_lowercase().is_in(list(POLARITIES)))
    if bad_polarity.height:
        problems.rows(
            label,
            "polarity must be high, low or neutral",
            bad_polarity.get_column(ROW).to_list(),
            [f"{i}: {p!r}" for i, p in bad_polarity.select("indicator_id", "polarity").rows()],
        )
    bad_type = frame.filter(~pl.col("period_type").is_in(list(PERIOD_TYPES)))
    if bad_type.height:
        problems.rows(
            label,
            f"period_type must be one of {', '.join(PERIOD_TYPES)} (blank or no column: month)",
            bad_type.get_column(ROW).to_list(),
            [f"{i}: {p!r}" for i, p in bad_type.select("indicator_id", "period_type").rows()],
        )
    for col in ("target", "amber_threshold", "network_target"):
        out = frame.filter((pl.col(col) < 0) | (pl.col(col) > 1))
        if out.height:
            problems.rows(
                label,
                f"{col} must be a proportion between 0 and 1 (e.g. 0.95 for 95%)",
                out.get_column(ROW).to_list(),
                [f"{i}: {v}" for i, v in out.select("indicator_id", col).rows()],
            )
    wrong_side = frame.filter(
        pl.col("target").is_not_null()
        & pl.col("amber_threshold").is_not_null()
        & (
            ((pl.col("polarity") == "high") & (pl.col("amber_threshold") > pl.col("target")))
            | ((pl.col("polarity") == "low") & (pl.col("amber_threshold") < pl.col("target")))
        )
    )
    if wrong_side.height:
        problems.rows(
            label,
            "amber_threshold is on the wrong side of the target for this polarity",
            wrong_side.get_column(ROW).to_list(),
            [
                f"{i}: target {t}, amber {a}, polarity {p}"
                for i, t, a, p in wrong_side.select(
                    "indicator_id", "target", "amber_threshold", "polarity"
                ).rows()
            ],
        )


@dataclass(frozen=True)
class OrderedValues:
    """The values table in (indicator, period, practice) order, and where each run starts."""

    frame: pl.DataFrame
    index: dict[tuple[str, dt.date], tuple[int, int]]


def _defined_ids(frame: pl.DataFrame, column: str) -> pl.Series:
    """The distinct codes of a table's key column, sorted: integer code = rank of the text.

    Sorted, so that integer order is the text order of ``DataSet.values`` (as
    :meth:`DataSet.build` and :func:`write_dataset` sort): a values file written sorted
    needs no reordering on load.
    """
    return frame.get_column(column).drop_nulls().unique().sort()


def _code_expr(column: str, ids: pl.Series, alias: str) -> pl.Expr:
    """Each row's position in ``ids`` (null where the code is not defined).

    An Enum cast hashes each distinct text once per chunk rather than building a mapping
    per row, which makes it the cheapest exact lookup polars offers for millions of rows.
    """
    return pl.col(column).cast(pl.Enum(ids.to_list()), strict=False).to_physical().alias(alias)


def canonical_values(
    raw: pl.DataFrame, practices: pl.DataFrame, indicators: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Fast path for a values table that already is canonical and clean (typically Parquet).

    When every column has its canonical type, no required cell is empty, no column is extra
    and every practice and indicator code is exactly one defined in ``practices`` and
    ``indicators``, nothing :func:`coerce_table` does can change or report anything: a code
    equal to a defined (stripped, non-empty) code needs no stripping. Returns the frame
    :func:`coerce_table` would return and the integer codes (``p``, ``i``) for
    :func:`validate_values`; None when any of this does not hold (then the full checks run
    and report what is wrong).
    """
    columns = TABLES["values"]
    if raw.height == 0 or any(c not in {col.name for col in columns} | {ROW} for c in raw.columns):
        return None
    for col in columns:
        if col.name not in raw.columns:
            if col.required:
                return None
            continue
        if raw.schema[col.name] != col.dtype:
            return None
        if not col.nullable and raw.get_column(col.name).null_count():
            return None
    practice_ids = _defined_ids(practices, "practice_id")
    indicator_ids = _defined_ids(indicators, "indicator_id")
    for ids in (practice_ids, indicator_ids):
        if ids.len() == 0 or (ids.str.strip_chars() != ids).any() or (ids == "").any():
            return None
    codes = raw.select(
        _code_expr("practice_id", practice_ids, "p"),
        _code_expr("indicator_id", indicator_ids, "i"),
    )
    if codes.null_count().sum_horizontal().item():
        return None
    frame = raw.select(
        ROW,
        *(
            pl.col(c.name) if c.name in raw.columns else pl.lit(None, dtype=c.dtype).alias(c.name)
            for c in columns
        ),
    )
    return frame, codes


def validate_values(
    frame: pl.DataFrame,
    practices: pl.DataFrame | None,
    indicators: pl.DataFrame | None,
    label: str,
    problems: ProblemList,
    *,
    codes: pl.DataFrame | None = None,
) -> OrderedValues | None:
    """The rules of the values table, each reported with its rows.

    Fast path for large tables: the count rules are first checked with six column
    aggregates and only evaluated row by row when one of them could be broken; practice and
    indicator codes become integers (which also finds undefined ones), so duplicates and the
    sort order come from sorting those integer codes instead of the text. ``codes`` (columns
    ``p``, ``i`` from :func:`canonical_values`) skips computing those codes again. Returns
    the values in (indicator, period, practice) order with the start and length of each
    (indicator, period) run, or None when the table could not be ordered.
    """
    key = ("practice_id", "indicator_id", "period")

    def rule(mask: pl.Expr | pl.Series, message: str, detail: str) -> None:
        """Report the rows where ``mask`` holds; ``detail`` is formatted from each row.

        (Formatted in Python for the few listed examples only: cheap, and clear of a
        polars 2.1 panic in ``pl.format`` on some filtered text frames.)
        """
        bad = frame.filter(mask.fill_null(False))
        if bad.height:
            examples = bad.head(EXAMPLES_PER_RULE).rows(named=True)
            where = [", ".join(str(r[k]) for k in key) for r in examples]
            problems.rows(
                label,
                message,
                bad.get_column(ROW).to_list(),
                [detail.format(where=w, **r) for w, r in zip(where, examples, strict=True)],
            )

    num, den, exc = pl.col("numerator"), pl.col("denominator"), pl.col("exceptions")
    count_rules = [
        (num < 0, "numerator < 0", "{where}: numerator {numerator}"),
        (
            den <= 0,
            "denominator <= 0 with a numerator (leave out rows with no eligible patients)",
            "{where}: {numerator} / {denominator}",
        ),
        (
            (num > den) & (den > 0),
            "numerator > denominator",
            "{where}: {numerator} > {denominator}",
        ),
        (exc < 0, "exceptions < 0", "{where}: exceptions {exceptions}"),
        (
            (exc > den) & (den > 0) & (exc >= 0),
            "exceptions > denominator (the denominator must count every eligible patient)",
            "{where}: exceptions {exceptions} > denominator {denominator}",
        ),
        (
            (exc <= den) & (exc >= 0) & (num <= den) & (num > den - exc),
            "numerator > denominator - exceptions (excepted patients cannot be in the numerator)",
            "{where}: {numerator} > {denominator} - {exceptions}",
        ),
    ]
    # Clean data is cleared by four aggregates: with no negative counts and no denominator
    # <= 0, numerator + exceptions <= denominator on every row rules out rules 3, 5 and 6.
    maybe_bad = pl.any_horizontal(
        num.min() < 0,
        den.min() <= 0,
        exc.min() < 0,
        (num + exc.fill_null(0) - den).max() > 0,
    ).fill_null(False)
    if frame.select(maybe_bad).item():
        any_bad = pl.any_horizontal([mask.fill_null(False) for mask, _, _ in count_rules])
        if frame.select(any_bad.any()).item():
            for mask, message, detail in count_rules:
                rule(mask, message, detail)

    if practices is None or indicators is None:
        return None
    if codes is None:
        codes = frame.select(
            _code_expr("practice_id", _defined_ids(practices, "practice_id"), "p"),
            _code_expr("indicator_id", _defined_ids(indicators, "indicator_id"), "i"),
        )
        undefined = False
        for column, message, source in (
            ("p", "practice not defined in practices", "practice_id"),
            ("i", "indicator not defined in indicators", "indicator_id"),
        ):
            missing = codes.get_column(column).is_null()
            if missing.any():
                undefined = True
                rule(missing, message, "{" + source + "}")
        if undefined:
            return None
    # Sorted by the integer codes (their order is the text order, see _defined_ids); an
    # already sorted file (as write_dataset writes it) keeps its rows where they are.
    keyed = pl.DataFrame(
        [
            codes.get_column("i").cast(pl.Int64),
            frame.get_column("period").to_physical().cast(pl.Int64).alias("d"),
            codes.get_column("p").cast(pl.Int64),
        ]
    )
    step_i, step_d, step_p = (pl.col(c).diff() for c in ("i", "d", "p"))
    in_order = (step_i > 0) | ((step_i == 0) & ((step_d > 0) | ((step_d == 0) & (step_p > 0))))
    ordered = frame
    if not keyed.select(in_order.slice(1).all()).item():
        keyed = keyed.with_row_index("row").sort("i", "d", "p", maintain_order=True)
        ordered = frame[keyed.get_column("row")]
    same_run = (keyed.get_column("i").diff() == 0) & (keyed.get_column("d").diff() == 0)
    duplicate = (same_run & (keyed.get_column("p").diff() == 0)).fill_null(False)
    if duplicate.any():
        # Both rows of each duplicated pair, in file order.
        second = duplicate
        first = pl.concat([duplicate.slice(1), pl.Series([False])])
        rows = ordered.filter(first | second).sort(ROW)
        problems.rows(
            label,
            "duplicate (practice, indicator, period)",
            rows.get_column(ROW).to_list(),
            [", ".join(str(v) for v in r) for r in rows.select(list(key)).rows()],
        )
        return None
    starts = (~same_run.fill_null(False)).arg_true().to_numpy()
    lengths = np.diff(np.append(starts, ordered.height))
    heads = ordered.select("indicator_id", "period")[starts]
    index = {
        (ind, per): (int(start), int(n))
        for (ind, per), start, n in zip(
            heads.rows(), starts.tolist(), lengths.tolist(), strict=True
        )
    }
    return OrderedValues(ordered, index)


def data_warnings(
    ordered: OrderedValues,
    practices: pl.DataFrame,
    indicators: pl.DataFrame,
    label: str,
    problems: ProblemList,
) -> None:
    """Soft issues worth showing: gaps in the latest period, tiny denominators, unused rows."""
    values = ordered.frame
    if values.height == 0:
        return
    latest = max(period for _, period in ordered.index)
    parts = [
        values.slice(start, n).get_column("practice_id")
        for (_, period), (start, n) in ordered.index.items()
        if period == latest
    ]
    with_latest = pl.concat(parts).unique()
    absent = practices.filter(~pl.col("practice_id").is_in(with_latest.implode()))
    for pid, name in absent.select("practice_id", "practice_name").rows()[:20]:
        problems.warning(
            label, f"practice {pid} ({name}) has no data in the latest period {latest}"
        )
    if absent.height > 20:
        problems.warning(
            label, f"{absent.height - 20:,} more practices have no data in the latest period"
        )
    small_mask = values.get_column("denominator") < SMALL_DENOMINATOR
    n_small = int(small_mask.sum())
    if n_small:
        first = values.row(int(small_mask.arg_true().min()), named=True)
        problems.warning(
            label,
            f"{n_small:,} rows have a denominator below {SMALL_DENOMINATOR}: their values "
            f"are shown but flagged as unstable (e.g. row {first[ROW]}: {first['practice_id']}, "
            f"{first['indicator_id']}, {first['period']}, "
            f"{first['numerator']}/{first['denominator']})",
        )
    used = {indicator for indicator, _ in ordered.index}
    unused = [i for i in indicators.get_column("indicator_id").to_list() if i not in used]
    if unused:
        problems.warning(
            label, "indicator(s) defined but with no values: " + ", ".join(unused[:20])
        )
