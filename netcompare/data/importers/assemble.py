"""Steps every importer shares: counts from text, duplicates, one network per practice, and the
canonical tables at the end.

The rules (issue 7): a row without a usable numerator or denominator is left out with its
reason, never silently; decimal counts are rounded half up with a note; a practice listed
twice for the same indicator and period is counted once (identical rows) or left out
(conflicting rows), named by practice code; a practice listed under two networks is kept in
one (its network in the latest period, else the first listed), named in a note.
"""

from __future__ import annotations

import polars as pl

from netcompare.data.importers.expressions import text_format
from netcompare.data.importers.report import ImportReport
from netcompare.data.inputs import ROW, has_thousands, number_problem, number_value
from netcompare.data.schema import DEFAULTS, TABLES
from netcompare.errors import UserError

VALUE_KEY = ("practice_id", "indicator_id", "period")

# How many codes a note lists before summarising the rest as a count.
CODES_IN_NOTE = 12


def codes_text(codes: list[str], limit: int = CODES_IN_NOTE) -> str:
    """'A, B, C' or 'A, B, ... and 9 more'."""
    shown = ", ".join(codes[:limit])
    return shown + (f" and {len(codes) - limit:,} more" if len(codes) > limit else "")


def _half_up(expr: pl.Expr) -> pl.Expr:
    return (expr + 0.5).floor()


def clean_counts(
    frame: pl.DataFrame,
    report: ImportReport,
    *,
    numerator: str,
    denominator: str,
    numerator_label: str = "numerator",
    denominator_label: str = "denominator",
) -> pl.DataFrame:
    """Parse two text columns into Int64 ``numerator`` and ``denominator``, leaving out bad rows.

    ``frame`` must hold ``file``, ``__row`` and ``what`` (how a left-out row is named in the
    report). Left out, with the reason named by :func:`netcompare.data.inputs.number_problem`
    ("numerator is blank", "Count is not a number: 'NaN'", "numerator is infinite: 'inf'",
    "numerator is '-' (suppressed or missing)"): a missing or non-numeric count, a negative
    count, a denominator of 0 (no eligible patients) and a numerator above its denominator.
    Counts written with thousands separators ("1,234") are read, with a note; counts that are
    not whole numbers are rounded half up, with a note (issue 7: published percentages times
    denominators give such counts).
    """
    num_text, den_text = pl.col(numerator), pl.col(denominator)
    num, den = pl.col("_num"), pl.col("_den")
    parsed = frame.with_columns(
        number_value(numerator).alias("_num"),
        number_value(denominator).alias("_den"),
        number_problem(numerator, numerator_label).alias("_num_problem"),
        number_problem(denominator, denominator_label).alias("_den_problem"),
    )
    nl, dl = numerator_label, denominator_label
    reason = (
        pl.when(num_text.is_null() & den_text.is_null())
        .then(pl.lit(f"{nl} and {dl} are blank"))
        .when(pl.col("_num_problem").is_not_null())
        .then(pl.col("_num_problem"))
        .when(pl.col("_den_problem").is_not_null())
        .then(pl.col("_den_problem"))
        .when((num < 0) | (den < 0))
        .then(pl.lit(f"negative {nl} or {dl}"))
        .when(_half_up(den) == 0)
        .then(pl.lit(f"{dl} is 0 (no eligible patients)"))
        .when(_half_up(num) > _half_up(den))
        .then(pl.lit(f"{nl} greater than {dl}"))
        .otherwise(None)
        .alias("reason")
    )
    parsed = parsed.with_columns(reason).drop("_num_problem", "_den_problem")
    bad = parsed.filter(pl.col("reason").is_not_null())
    report.leave_out(
        bad.select(
            "file",
            pl.col(ROW).alias("row"),
            text_format(
                f"{{}} ({nl} '{{}}', {dl} '{{}}')",
                pl.col("what"),
                num_text.fill_null(""),
                den_text.fill_null(""),
            ).alias("what"),
            "reason",
        )
    )
    # (Filtering copies every column: a clean file is kept as it is.)
    good = parsed.filter(pl.col("reason").is_null()) if bad.height else parsed
    for text_col, label in ((numerator, nl), (denominator, dl)):
        marked = good.filter(has_thousands(text_col))
        if marked.height:
            first = marked.row(0, named=True)
            report.note(
                f"{marked.height:,} {label} value(s) have a thousands separator and were read "
                f"as numbers (e.g. {first['file']}, row {first[ROW]}: {label} "
                f"{first[text_col]!r} has a thousands separator: read as "
                f"{first[text_col].replace(',', '')})"
            )
    for col, label in (("_num", nl), ("_den", dl)):
        fractional = good.filter(pl.col(col) != pl.col(col).floor())
        if fractional.height:
            first = fractional.row(0, named=True)
            report.note(
                f"{fractional.height:,} {label} value(s) were not whole numbers and were "
                f"rounded half up (e.g. {first['file']}, row {first[ROW]}: {label} "
                f"{first[col]!r} is not a whole number: rounded to {int(first[col] + 0.5)})"
            )
    return good.with_columns(
        _half_up(num).cast(pl.Int64).alias("numerator"),
        _half_up(den).cast(pl.Int64).alias("denominator"),
    ).drop("_num", "_den", "reason")


def drop_duplicate_values(
    values: pl.DataFrame,
    report: ImportReport,
    *,
    compare: tuple[str, ...] = ("numerator", "denominator", "exceptions"),
) -> pl.DataFrame:
    """Count each (practice, indicator, period) once.

    Rows repeating the same numbers are kept once (note, naming the practices); rows that
    disagree are all left out (reason, naming the practice). ``values`` holds ``file``,
    ``__row`` and ``what`` besides the value columns.
    """
    key = list(VALUE_KEY)
    # The usual case (no key twice) is found from one 64-bit hash per row, without the
    # window functions below (which cost several copies of a large file); a hash collision
    # only means the exact check runs.
    if not values.select(key).hash_rows(seed=0).is_duplicated().any():
        return values
    compare = tuple(c for c in compare if c in values.columns)
    counted = values.with_columns(
        pl.len().over(key).alias("_n"),
        pl.struct(list(compare)).n_unique().over(key).alias("_versions"),
    )
    conflicting = counted.filter(pl.col("_versions") > 1)
    if conflicting.height:
        report.leave_out(
            conflicting.select("file", pl.col(ROW).alias("row"), "what"),
            "the same practice, indicator and period is listed more than once with different "
            "numbers (not counted at all: fix the file)",
        )
    repeated = counted.filter((pl.col("_n") > 1) & (pl.col("_versions") == 1))
    if repeated.height:
        practices = repeated.get_column("practice_id").unique(maintain_order=True).to_list()
        extra = repeated.height - repeated.select(key).n_unique()
        report.note(
            f"{extra:,} repeated row(s) with the same practice, indicator, period and numbers "
            f"were counted once (practices: {codes_text(practices)})"
        )
    kept = counted.filter(pl.col("_versions") == 1).unique(key, keep="first", maintain_order=True)
    return kept.drop("_n", "_versions")


def assign_networks(
    memberships: pl.DataFrame, report: ImportReport, unit: str = "practice"
) -> pl.DataFrame:
    """One network per practice: its network in its latest period, else the first listed.

    ``memberships`` has practice_id, network_id and (nullable) period, in file order.
    Returns practice_id, network_id. Practices listed under several networks are named in a
    note: they are kept in one network and never counted twice.
    """
    ordered = memberships.with_row_index("_order")
    latest = pl.col("period").max()
    # One row per (practice, network) first: a large file has millions of memberships but
    # only thousands of pairs. Each pair: its latest period, the first row in that period
    # (or its first row when no period is known), and where it first appears.
    pairs = ordered.group_by("practice_id", "network_id").agg(
        latest.alias("period"),
        pl.when(latest.is_null())
        .then(pl.col("_order").min())
        .otherwise(pl.col("_order").filter(pl.col("period") == latest).min())
        .alias("_order"),
        pl.col("_order").min().alias("_first"),
    )
    chosen = (
        pairs.sort(
            [pl.col("period"), pl.col("_order")],
            descending=[True, False],
            nulls_last=True,
        )
        .unique("practice_id", keep="first", maintain_order=True)
        .sort("_order")
        .select("practice_id", "network_id")
    )
    several = (
        pairs.sort("_first")
        .group_by("practice_id", maintain_order=True)
        .agg(pl.col("network_id").alias("networks"))
        .filter(pl.col("networks").list.len() > 1)
        .join(chosen, on="practice_id")
    )
    if several.height:
        examples = [
            f"{p} ({', '.join(ns)}: kept in {n})"
            for p, ns, n in several.select("practice_id", "networks", "network_id").rows()
        ]
        report.note(
            f"{several.height:,} {unit}(s) are listed under more than one network; each is kept "
            "in one network (its network in the latest period, else the first listed) and "
            f"counted once: {codes_text(examples, 6)}"
        )
    return chosen


def indicator_period_types(rows: pl.DataFrame, report: ImportReport, file: str) -> pl.DataFrame:
    """indicator_id, period_type: the kind of period of each indicator's rows (its most common
    one, with a note naming the indicators whose rows mix kinds)."""
    counts = (
        rows.group_by("indicator_id", "period_type")
        .len()
        .sort(["indicator_id", "len", "period_type"], descending=[False, True, False])
    )
    mixed = counts.group_by("indicator_id").len().filter(pl.col("len") > 1)
    if mixed.height:
        report.note(
            f"{file}: {mixed.height:,} indicator(s) mix kinds of period (e.g. years and "
            f"months): each is labelled with its most common kind "
            f"({codes_text(sorted(mixed.get_column('indicator_id').to_list()))})"
        )
    return counts.unique("indicator_id", keep="first", maintain_order=True).select(
        "indicator_id", "period_type"
    )


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A frame with exactly the canonical columns of ``table``, in order, with their dtypes."""
    exprs = []
    for col in TABLES[table]:
        if col.name in frame.columns:
            exprs.append(pl.col(col.name).cast(col.dtype))
        else:
            default = DEFAULTS.get((table, col.name))
            exprs.append(pl.lit(default, dtype=col.dtype).alias(col.name))
    return frame.select(exprs)


def finish_tables(
    networks: pl.DataFrame,
    practices: pl.DataFrame,
    indicators: pl.DataFrame,
    values: pl.DataFrame,
    report: ImportReport,
) -> dict[str, pl.DataFrame]:
    """The four canonical tables, keeping only practices, networks and indicators with values.

    Values are sorted by (indicator, period, practice), the order :mod:`netcompare.data.load`
    indexes on.
    """
    values = conform("values", values).sort(["indicator_id", "period", "practice_id"])
    if values.height == 0:
        left = report.left_out_by_reason()
        why = "; ".join(f"{n:,} x {r}" for r, n, _ in left.head(3).rows()) or "no data rows"
        raise UserError(f"nothing to import: no row had a usable numerator and denominator ({why})")
    used_practices = values.get_column("practice_id").unique().implode()
    practices = conform("practices", practices).filter(pl.col("practice_id").is_in(used_practices))
    used_networks = practices.get_column("network_id").unique().implode()
    networks = conform("networks", networks).filter(pl.col("network_id").is_in(used_networks))
    used_indicators = values.get_column("indicator_id").unique().implode()
    indicators = conform("indicators", indicators).filter(
        pl.col("indicator_id").is_in(used_indicators)
    )
    tables = {
        "networks": networks.sort("network_id"),
        "practices": practices.sort("practice_id"),
        "indicators": indicators.sort("indicator_id"),
        "values": values,
    }
    report.finish(tables)
    return tables
