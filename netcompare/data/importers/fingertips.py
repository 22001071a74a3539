"""Import an OHID Fingertips CSV export of practice-level (or PCN-level) indicators.

The export's columns (Fingertips "Export data" and the ``all_data/csv`` API; the header is
pinned in ukhsa-collaboration/fingertips-open, ``DataControllerTest.HeaderText``):
Indicator ID, Indicator Name, Parent Code, Parent Name, Area Code, Area Name, Area Type, Sex,
Age, Category Type, Category, Time period, Value, Lower CI 95.0 limit, Upper CI 95.0 limit,
Lower CI 99.8 limit, Upper CI 99.8 limit, Count, Denominator, Value note, Recent Trend,
Compared to England value or percentiles, ..., Time period Sortable, New data, Compared to goal.

How it maps onto the canonical tables:

- Rows whose Area Type is "GPs" are practices. A file with no practice rows but PCN rows
  ("PCNs (v. 26/04/24)" and the like) is PCN-level: each PCN is then a compared unit (a
  "practice" row in the tables) inside its parent area. England, region, ICB and other rows
  are benchmarks, not compared units: left out, with the reason.
- Networks: a practice's Parent Code / Parent Name (the parent area chosen at export, often
  the PCN), or the PCNs of a QOF MAPPING_NHS_GEOGRAPHIES file when one is given.
- Numerator = Count, denominator = Denominator (Fingertips' Value is Count / Denominator as a
  percentage for proportions). A row without both is left out: netcompare needs counts for
  its intervals and funnels. Decimal counts are rounded with a note.
- Breakdowns (rows with a Category Type, e.g. deprivation deciles) are left out.
- One indicator per Indicator ID; an ID exported for several Sex/Age groups gets one indicator
  per group. Fingertips exports carry no polarity: it is ``polarity`` (neutral by default).
- Periods: "2022/23" -> 2022-04-01, "2022" -> 2022-01-01, quarters and months as in
  :func:`netcompare.data.inputs.parse_period`; others are left out and reported. Each
  indicator's ``period_type`` comes from its Time period labels ("2022/23": financial_year,
  "2022": year, "2022/23 Q1": quarter, "May 2022": month).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from netcompare.data.importers.assemble import (
    assign_networks,
    clean_counts,
    codes_text,
    drop_duplicate_values,
    finish_tables,
    indicator_period_types,
)
from netcompare.data.importers.expressions import text_format
from netcompare.data.importers.inputs import Source, find_columns, read_csv_input, slug
from netcompare.data.importers.qof import read_mapping
from netcompare.data.importers.report import ImportReport, ImportResult
from netcompare.data.inputs import ROW, number_problem, number_value, period_columns
from netcompare.errors import UserError
from netcompare.types import POLARITIES

EXPORT = "Fingertips data export"
REQUIRED = (
    "Indicator ID",
    "Indicator Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Time period",
    "Count",
    "Denominator",
)
OPTIONAL = ("Parent Code", "Parent Name", "Sex", "Age", "Category Type", "Category", "Value")
NO_PARENT = "ALL"


def _unit_level(area_type: pl.Expr) -> pl.Expr:
    """'practice', 'pcn' or null from a Fingertips Area Type."""
    lowered = area_type.str.to_lowercase()
    return (
        pl.when(lowered.str.contains(r"^gps?\b|gp practice"))
        .then(pl.lit("practice"))
        .when(lowered.str.contains(r"\bpcns?\b|primary care network"))
        .then(pl.lit("pcn"))
        .otherwise(None)
    )


def import_fingertips(
    data: Source,
    *,
    mapping: Source | None = None,
    polarity: str = "neutral",
    care_package: str = "Fingertips indicators",
    name: str | None = None,
) -> ImportResult:
    """Import a Fingertips CSV export (practice-level, or PCN-level) into the canonical tables.

    ``mapping`` (a QOF MAPPING_NHS_GEOGRAPHIES file) sets the practices' PCNs, taking
    precedence over the export's Parent columns. ``polarity`` applies to every indicator.
    """
    if polarity not in POLARITIES:
        raise UserError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    report = ImportReport("fingertips")
    frame, file = read_csv_input(data, report, default_name="Fingertips export")
    cols = find_columns(frame, REQUIRED, file.name, EXPORT, optional=OPTIONAL)

    def col(key: str) -> pl.Expr:
        return pl.col(cols[key]) if key in cols else pl.lit(None, dtype=pl.String)

    rows = frame.select(
        pl.lit(file.name).alias("file"),
        pl.col(ROW),
        col("Indicator ID").alias("ft_id"),
        col("Indicator Name").alias("ft_name"),
        col("Area Code").str.to_uppercase().alias("area_code"),
        col("Area Name").alias("area_name"),
        col("Area Type").alias("area_type"),
        col("Parent Code").str.to_uppercase().alias("parent_code"),
        col("Parent Name").alias("parent_name"),
        col("Sex").alias("sex"),
        col("Age").alias("age"),
        col("Category Type").alias("category_type"),
        col("Time period").alias("time_period"),
        col("Count").alias("count"),
        col("Denominator").alias("den"),
        col("Value").alias("value"),
    ).with_columns(
        _unit_level(pl.col("area_type")).alias("level"),
        text_format(
            "{} {} {}",
            pl.col("area_code").fill_null("?"),
            pl.col("ft_id").fill_null("?"),
            pl.col("time_period").fill_null("?"),
        ).alias("what"),
    )
    levels = set(rows.get_column("level").drop_nulls().unique().to_list())
    if not levels:
        types = rows.get_column("area_type").drop_nulls().unique().sort().to_list()
        raise UserError(
            f"{file.name}: no GP practice or PCN rows (Area Type is {codes_text(types, 6)}): "
            "export the indicators for 'GPs' (or PCNs) from Fingertips"
        )
    unit = "practice" if "practice" in levels else "pcn"
    report.set_layout("GP practices" if unit == "practice" else "PCNs")
    if unit == "pcn":
        report.note(
            "PCN-level export: each PCN is shown as a compared unit (in the 'practice' tables) "
            "within its parent area"
        )

    # Rows that are not compared units: benchmarks, parent areas, breakdowns.
    other = rows.filter(pl.col("level").is_null() | (pl.col("level") != unit))
    for area_type, part in other.partition_by(
        "area_type", as_dict=True, maintain_order=True
    ).items():
        kind = area_type[0] or "blank"
        why = (
            "PCN rows in a practice-level export (the practices' networks come from Parent "
            "Code / the mapping, not from these rows)"
            if unit == "practice" and kind and "pcn" in kind.lower()
            else f"Area Type {kind!r} is not a compared unit (England and parent areas are "
            "benchmarks)"
        )
        report.leave_out(part.select("file", pl.col(ROW).alias("row"), "what"), why)
    rows = rows.filter(pl.col("level") == unit)
    breakdown = rows.filter(pl.col("category_type").is_not_null())
    report.leave_out(
        breakdown.select("file", pl.col(ROW).alias("row"), "what"),
        "a breakdown row (Category Type set, e.g. deprivation decile), not the area's own value",
    )
    rows = rows.filter(pl.col("category_type").is_null())
    missing_key = rows.filter(pl.col("area_code").is_null() | pl.col("ft_id").is_null())
    report.leave_out(
        missing_key.select("file", pl.col(ROW).alias("row"), "what"),
        "no Area Code or Indicator ID",
    )
    rows = rows.filter(pl.col("area_code").is_not_null() & pl.col("ft_id").is_not_null())

    rows = rows.with_columns(period_columns(rows, "time_period"))
    unparsed = rows.filter(pl.col("period").is_null())
    report.leave_out(
        unparsed.select("file", pl.col(ROW).alias("row"), "what"),
        "Time period not understood (expected e.g. 2022/23, 2022, 2022/23 Q1, May 2022)",
    )
    rows = rows.filter(pl.col("period").is_not_null())

    rows = _indicator_ids(rows)
    values = clean_counts(
        rows,
        report,
        numerator="count",
        denominator="den",
        numerator_label="Count",
        denominator_label="Denominator",
    )
    _check_value_scale(values, report)
    values = values.with_columns(
        pl.col("area_code").alias("practice_id"),
        pl.lit(None, dtype=pl.Int64).alias("exceptions"),
    )
    values = drop_duplicate_values(values, report)

    networks, members = _networks(rows, values, mapping, unit, report)
    practices = (
        rows.unique("area_code", keep="last", maintain_order=True)
        .select(
            pl.col("area_code").alias("practice_id"),
            pl.col("area_name").fill_null(pl.col("area_code")).alias("practice_name"),
        )
        .join(members, on="practice_id", how="left")
    )
    indicators = rows.unique("indicator_id", keep="first", maintain_order=True).select(
        "indicator_id",
        pl.col("indicator_name").alias("name"),
        pl.lit(care_package).alias("care_package"),
        text_format("Fingertips indicator {}: {}", "ft_id", "ft_name").alias("description"),
        pl.lit(polarity).alias("polarity"),
        pl.lit(f"OHID Fingertips export {Path(file.name).name}").alias("source"),
    )
    indicators = indicators.join(
        indicator_period_types(rows, report, file.name), on="indicator_id", how="left"
    )
    tables = finish_tables(networks, practices, indicators, values, report)
    metadata = {
        "name": name or f"Fingertips export ({Path(file.name).name})",
        "source": f"OHID Fingertips (fingertips.phe.org.uk) export: {file.name}",
        "licence": "Open Government Licence v3.0",
    }
    return ImportResult(tables, report, metadata)


def _indicator_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """indicator_id / indicator_name: the Indicator ID, split by Sex and Age where it varies."""
    groups = pl.struct(pl.col("sex").fill_null(""), pl.col("age").fill_null(""))
    several = groups.n_unique().over("ft_id") > 1
    label = pl.concat_str([pl.col("sex"), pl.col("age")], separator=", ", ignore_nulls=True)
    rows = rows.with_columns(several.alias("_several"), label.alias("_label"))
    lookup = {
        (ft_id, lab): f"{ft_id}_{slug(lab)}" if multi else str(ft_id)
        for ft_id, lab, multi in rows.select("ft_id", "_label", "_several").unique().rows()
    }
    ids = [lookup[(i, lab)] for i, lab in rows.select("ft_id", "_label").rows()]
    return rows.with_columns(
        pl.Series("indicator_id", ids, dtype=pl.String),
        pl.when(pl.col("_several") & (pl.col("_label") != ""))
        .then(text_format("{} ({})", pl.col("ft_name").fill_null(pl.col("ft_id")), "_label"))
        .otherwise(pl.col("ft_name").fill_null(pl.col("ft_id")))
        .alias("indicator_name"),
    ).drop("_several", "_label")


def _check_value_scale(values: pl.DataFrame, report: ImportReport) -> None:
    """Say so when Fingertips' Value is not Count / Denominator as a percentage or proportion.

    Value is not imported (Count / Denominator is), but a Value that is not a number is named.
    """
    bad = values.select(
        "file", pl.col(ROW), number_problem("value", "Value", blank_ok=True).alias("p")
    ).filter(pl.col("p").is_not_null())
    if bad.height:
        first = bad.row(0, named=True)
        report.note(
            f"{bad.height:,} row(s) have a Value that is not a number (e.g. {first['file']}, "
            f"row {first[ROW]}: {first['p']}); netcompare uses Count / Denominator, not Value"
        )
    ratio = values.select(
        (number_value("value") / (pl.col("numerator") / pl.col("denominator"))).alias("k")
    ).filter(pl.col("k").is_finite())
    if ratio.height == 0:
        return
    k = ratio.get_column("k").median()
    if k is not None and abs(k - 100) > 1 and abs(k - 1) > 0.01:
        report.note(
            f"the export's Value is about Count / Denominator x {k:,.4g} (a rate, not a "
            "percentage): netcompare shows Count / Denominator as a proportion"
        )


def _networks(
    rows: pl.DataFrame,
    values: pl.DataFrame,
    mapping: Source | None,
    unit: str,
    report: ImportReport,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(networks, practice_id -> network_id) from the mapping file or the Parent columns."""
    used = values.select(pl.col("practice_id").unique())
    if mapping is not None and unit == "practice":
        mapped, networks = read_mapping(mapping, report)
        members = used.join(
            mapped.select("practice_id", "network_id"), on="practice_id", how="left"
        )
        unmapped = members.filter(pl.col("network_id").is_null()).get_column("practice_id")
        if unmapped.len():
            report.note(
                f"{unmapped.len():,} practice(s) are not in the mapping file: kept in the "
                f"network 'Unmapped practices' ({codes_text(sorted(unmapped.to_list()))})"
            )
            networks = pl.concat(
                [
                    networks,
                    pl.DataFrame(
                        {
                            "network_id": ["UNMAPPED"],
                            "network_name": ["Unmapped practices"],
                            "parent_area": [None],
                        },
                        schema=networks.schema,
                    ),
                ]
            )
        return networks, members.with_columns(pl.col("network_id").fill_null("UNMAPPED"))
    if mapping is not None:
        report.note("the mapping file was not used: this is a PCN-level export")
    has_parent = rows.get_column("parent_code").is_not_null().any()
    if not has_parent:
        report.note(
            "the export has no Parent Code: every area is put in one network 'All areas in the "
            "file' (give a MAPPING_NHS_GEOGRAPHIES file to group practices by PCN)"
        )
    memberships = rows.select(
        pl.col("area_code").alias("practice_id"),
        pl.col("parent_code").fill_null(NO_PARENT).alias("network_id"),
        "period",
    ).join(used, on="practice_id", how="semi")
    members = assign_networks(memberships, report, unit="area" if unit == "pcn" else "practice")
    networks = rows.select(
        pl.col("parent_code").fill_null(NO_PARENT).alias("network_id"),
        pl.when(pl.col("parent_code").is_null())
        .then(pl.lit("All areas in the file"))
        .otherwise(pl.col("parent_name").fill_null(pl.col("parent_code")))
        .alias("network_name"),
        pl.lit(None, dtype=pl.String).alias("parent_area"),
    ).unique("network_id", keep="first", maintain_order=True)
    return networks, members
