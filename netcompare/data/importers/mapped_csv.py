"""Import any practice-level CSV whose columns the user maps (a council's immunisation
extract, an ICB dashboard export...).

The user says which column holds the practice code, the numerator and the denominator, and
optionally the network, the indicator (or one fixed indicator name), the period (or one fixed
period) and the practice name. Rules (issue 7):

- The period (column or one fixed period) is read by
  :func:`netcompare.data.inputs.parse_period`; each indicator's ``period_type`` is the kind
  of its periods ("2022/23": financial_year, "2022": year, "2022-05": month).
- Numerators or denominators given as decimals (e.g. computed as denominator x published %)
  are rounded half up, with a note.
- Rows with a missing or non-numeric numerator or denominator, a denominator of 0, or a
  numerator above its denominator are left out and listed with their reason, never silently.
- A practice that appears under two networks is kept in one (its network in its latest
  period, else the first listed) and named in a note; a practice listed twice for the same
  indicator and period is counted once when the rows agree and left out when they do not,
  named by practice code. Nothing is double counted.
- The denominator counts every eligible patient; an optional exceptions column says how many
  of them were excepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from netcompare.data.importers.assemble import (
    assign_networks,
    clean_counts,
    drop_duplicate_values,
    finish_tables,
    indicator_period_types,
)
from netcompare.data.importers.expressions import text_format
from netcompare.data.importers.inputs import (
    Source,
    read_csv_input,
    require_user_column,
    slug,
)
from netcompare.data.importers.report import ImportReport, ImportResult
from netcompare.data.inputs import ROW, number_problem, number_value, parse_period, period_columns
from netcompare.errors import UserError
from netcompare.types import POLARITIES

NO_NETWORK = "NO_NETWORK"


@dataclass(frozen=True)
class CsvMapping:
    """Which column of the user's CSV holds what.

    Give exactly one of ``indicator_cols`` (one or more columns whose values, joined, name the
    indicator, e.g. ("Age", "Item")) and ``indicator`` (one fixed name for every row), and
    exactly one of ``period_col`` and ``period``.
    """

    practice_col: str
    numerator_col: str
    denominator_col: str
    network_col: str | None = None
    network_name_col: str | None = None
    indicator_cols: tuple[str, ...] = ()
    indicator: str | None = None
    period_col: str | None = None
    period: str | None = None
    practice_name_col: str | None = None
    exceptions_col: str | None = None
    target: float | None = None
    polarity: str = "high"
    care_package: str = "Imported indicators"

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> CsvMapping:
        """Build from a form's values: blank strings are 'not given'."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise UserError(f"unknown column mapping field(s): {', '.join(unknown)}")
        clean: dict[str, object] = {}
        for key, value in values.items():
            if isinstance(value, str):
                value = value.strip() or None
            if value is None:
                continue
            if key == "indicator_cols":
                value = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
            if key == "target":
                value = parse_target(value)  # type: ignore[arg-type]
            clean[key] = value
        for required in ("practice_col", "numerator_col", "denominator_col"):
            if required not in clean:
                raise UserError(f"choose the {required.replace('_col', '')} column")
        return cls(**clean)  # type: ignore[arg-type]

    def check(self) -> None:
        """Raise UserError for a mapping that cannot work (before reading any file)."""
        if bool(self.indicator_cols) == bool(self.indicator):
            raise UserError(
                "give either the indicator column(s) (--indicator-col) or one indicator name "
                "(--indicator), not both or neither"
            )
        if (self.period_col is None) == (self.period is None):
            raise UserError(
                "give either the period column (--period-col) or one period (--period), not "
                "both or neither"
            )
        if self.period is not None and parse_period(self.period) is None:
            raise UserError(
                f"--period {self.period!r}: not a period (write it like 2022/23, 2022, "
                "2022-05 or 2022-05-01)"
            )
        if self.polarity not in POLARITIES:
            raise UserError(f"polarity must be one of {', '.join(POLARITIES)}")
        if self.target is not None and not 0 <= self.target <= 1:
            raise UserError(f"target {self.target} must be a proportion between 0 and 1")


def parse_target(text: object) -> float:
    """A target written as 0.95 or 95%."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError as exc:
        raise UserError(
            f"target {raw!r}: write it as a proportion (0.95) or a percentage (95%)"
        ) from exc
    if not 0 <= value <= 1:
        raise UserError(f"target {raw!r}: must be between 0 and 1 (or 0% and 100%)")
    return value


def csv_columns(data: Source) -> list[str]:
    """The column names of a CSV input (for a column-mapping form)."""
    frame, _ = read_csv_input(data, ImportReport("columns"))
    return [c for c in frame.columns if c != ROW]


def import_mapped_csv(
    data: Source, mapping: CsvMapping, *, name: str | None = None
) -> ImportResult:
    """Import a practice-level CSV using ``mapping`` to find its columns."""
    mapping.check()
    report = ImportReport("csv")
    frame, file = read_csv_input(data, report, default_name="uploaded CSV")

    def column(name: str | None, option: str) -> str | None:
        return None if name is None else require_user_column(frame, name, file.name, option)

    practice = column(mapping.practice_col, "--practice-col")
    numerator = column(mapping.numerator_col, "--numerator-col")
    denominator = column(mapping.denominator_col, "--denominator-col")
    network = column(mapping.network_col, "--network-col")
    network_name = column(mapping.network_name_col, "--network-name-col")
    period_col = column(mapping.period_col, "--period-col")
    practice_name = column(mapping.practice_name_col, "--practice-name-col")
    exceptions = column(mapping.exceptions_col, "--exceptions-col")
    indicator_cols = [column(c, "--indicator-col") for c in mapping.indicator_cols]
    report.set_layout(f"{len(frame.columns) - 1} columns")

    def text(col: str | None) -> pl.Expr:
        return pl.col(col) if col is not None else pl.lit(None, dtype=pl.String)

    if indicator_cols:
        indicator_name = pl.concat_str(
            [pl.col(c) for c in indicator_cols if c is not None],
            separator=" - ",
            ignore_nulls=True,
        ).replace("", None)
    else:
        indicator_name = pl.lit(mapping.indicator)
    rows = frame.select(
        pl.lit(file.name).alias("file"),
        pl.col(ROW),
        text(practice).alias("practice_id"),
        text(practice_name).alias("practice_name"),
        text(network).alias("network_id"),
        text(network_name).alias("network_name"),
        indicator_name.alias("indicator_name"),
        text(period_col).alias("period_label")
        if period_col
        else pl.lit(mapping.period).alias("period_label"),
        text(numerator).alias("num_text"),
        text(denominator).alias("den_text"),
        text(exceptions).alias("exc_text"),
    ).with_columns(
        text_format(
            "practice {}, {}, {}",
            pl.col("practice_id").fill_null("?"),
            pl.col("indicator_name").fill_null("?"),
            pl.col("period_label").fill_null("?"),
        ).alias("what")
    )
    frame = frame.clear()  # frees the columns not mapped (often most of a large file)
    no_practice = rows.filter(pl.col("practice_id").is_null())
    report.leave_out(
        no_practice.select("file", pl.col(ROW).alias("row"), "what"),
        f"no practice code (column {practice!r} is blank)",
    )
    if no_practice.height:  # (filtering copies every column: only when needed)
        rows = rows.filter(pl.col("practice_id").is_not_null())
    no_indicator = rows.filter(pl.col("indicator_name").is_null())
    report.leave_out(
        no_indicator.select("file", pl.col(ROW).alias("row"), "what"),
        "no indicator (the indicator column(s) are blank)",
    )
    if no_indicator.height:  # (filtering copies every column: only when needed)
        rows = rows.filter(pl.col("indicator_name").is_not_null())
    rows = rows.with_columns(period_columns(rows, "period_label"))
    no_period = rows.filter(pl.col("period").is_null())
    report.leave_out(
        no_period.select("file", pl.col(ROW).alias("row"), "what"),
        "period not understood (expected e.g. 2022/23, 2022, 2022-05, 2022-05-01, May 2022)",
    )
    if no_period.height:  # (filtering copies every column: only when needed)
        rows = rows.filter(pl.col("period").is_not_null())
    rows = _with_indicator_ids(rows)

    needed = ["file", ROW, "what", "practice_id", "network_id", "indicator_id", "period"]
    values = clean_counts(
        rows.select(*needed, "num_text", "den_text", "exc_text"),
        report,
        numerator="num_text",
        denominator="den_text",
    )
    if exceptions is not None:
        values = _exceptions(values, report)
    else:
        values = values.with_columns(pl.lit(None, dtype=pl.Int64).alias("exceptions"))

    if network is None:
        report.note("no network column: every practice is put in one network 'All practices'")
    values = values.with_columns(pl.col("network_id").fill_null(NO_NETWORK))
    missing_network = values.filter(pl.col("network_id") == NO_NETWORK).get_column("practice_id")
    if network is not None and missing_network.len():
        report.note(
            f"{missing_network.n_unique():,} practice(s) have rows with a blank network: those "
            "rows are in the network 'No network given'"
        )
    members = assign_networks(values.select("practice_id", "network_id", "period"), report)
    values = drop_duplicate_values(values, report)

    networks = (
        rows.select(pl.col("network_id").fill_null(NO_NETWORK), "network_name")
        .select(
            "network_id",
            pl.when(pl.col("network_id") == NO_NETWORK)
            .then(pl.lit("All practices" if network is None else "No network given"))
            .otherwise(pl.col("network_name").fill_null(pl.col("network_id")))
            .alias("network_name"),
        )
        .unique("network_id", keep="first", maintain_order=True)
    )
    practices = (
        rows.select("practice_id", "practice_name", "period")
        .sort("period", descending=True, maintain_order=True)
        .group_by("practice_id", maintain_order=True)
        .agg(pl.col("practice_name").drop_nulls().first())
        .with_columns(pl.col("practice_name").fill_null(pl.col("practice_id")))
        .join(members, on="practice_id", how="left")
    )
    indicators = rows.unique("indicator_id", keep="first", maintain_order=True).select(
        "indicator_id",
        pl.col("indicator_name").alias("name"),
        pl.lit(mapping.care_package).alias("care_package"),
        pl.lit(
            f"Imported from {Path(file.name).name}: numerator {numerator!r}, denominator "
            f"{denominator!r}"
        ).alias("description"),
        pl.lit(mapping.polarity).alias("polarity"),
        pl.lit(mapping.target, dtype=pl.Float64).alias("target"),
        pl.lit(Path(file.name).name).alias("source"),
    )
    indicators = indicators.join(
        indicator_period_types(rows, report, file.name), on="indicator_id", how="left"
    )
    tables = finish_tables(networks, practices, indicators, values, report)
    metadata = {
        "name": name or f"Imported from {Path(file.name).name}",
        "source": f"{file.name} (columns mapped by the user)",
        "licence": "as stated by the file's publisher",
    }
    return ImportResult(tables, report, metadata)


def _with_indicator_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """An id per indicator name: its slug, made unique if two names share one."""
    names = rows.get_column("indicator_name").unique(maintain_order=True).to_list()
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for n in names:
        base = slug(n)
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        ids[n] = candidate
    return rows.with_columns(
        pl.col("indicator_name").replace_strict(ids, return_dtype=pl.String).alias("indicator_id")
    )


def _exceptions(values: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
    """Parse the exceptions column; leave out rows whose exceptions contradict the counts."""
    parsed = values.with_columns(
        number_value("exc_text").alias("_exc"),
        number_problem("exc_text", "exceptions", blank_ok=True).alias("_exc_problem"),
    )
    exc, num, den = pl.col("_exc"), pl.col("numerator"), pl.col("denominator")
    reason = (
        pl.when(pl.col("_exc_problem").is_not_null())
        .then(pl.col("_exc_problem"))
        .when(exc < 0)
        .then(pl.lit("negative exceptions"))
        .when(exc > den)
        .then(
            pl.lit(
                "exceptions greater than the denominator (the denominator must count "
                "every eligible patient, exceptions included)"
            )
        )
        .when(num > den - exc)
        .then(pl.lit("numerator greater than denominator - exceptions"))
        .otherwise(None)
        .alias("reason")
    )
    parsed = parsed.with_columns(reason)
    report.leave_out(
        parsed.filter(pl.col("reason").is_not_null()).select(
            "file", pl.col(ROW).alias("row"), "what", "reason"
        )
    )
    if parsed.get_column("reason").null_count() < parsed.height:
        parsed = parsed.filter(pl.col("reason").is_null())
    return parsed.with_columns((exc + 0.5).floor().cast(pl.Int64).alias("exceptions")).drop(
        "_exc", "_exc_problem", "reason"
    )
