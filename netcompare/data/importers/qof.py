"""Import NHS Digital's Quality and Outcomes Framework (QOF) publication files.

Inputs, as published in each year's "raw data .csv files" zip:

- ``ACHIEVEMENT_<yyyy>.csv`` (one national file, up to 2021-22) or the seven regional
  ``ACHIEVEMENT_<REGION>_<yyyy>.csv`` files (from 2022-23, with REGION_ODS_CODE,
  REGION_ONS_CODE and REGION_NAME first): long rows PRACTICE_CODE, INDICATOR_CODE, MEASURE,
  VALUE. A blank VALUE is missing, never zero.
- ``PREVALENCE_<yyyy>.csv``: PRACTICE_CODE, GROUP_CODE, REGISTER (written "112.0"),
  PATIENT_LIST_TYPE, PRACTICE_LIST_SIZE (the list of that age band).
- ``MAPPING_NHS_GEOGRAPHIES_<yyyy>.csv``: practice -> PCN -> sub-ICB -> ICB -> region; PCN code
  ``U`` means not in a PCN.
- optionally ``MAPPING_INDICATORS_<yyyy>.csv`` for the indicators' wording.

How QOF maps onto netcompare's tables (PRODUCT.md, "Data model"):

- Achievement value = NUMERATOR / (DENOMINATOR + PCAS): QOF's DENOMINATOR already excludes
  personalised care adjustments (PCAs), so the all-patients denominator is DENOMINATOR + PCAS
  and ``exceptions`` = PCAS. This is the base NHS Digital's QOF publications use for the PCA
  rate, PCAS / (DENOMINATOR + PCAS), and the all-patients view PRODUCT.md asks for.
- Prevalence: one indicator per GROUP_CODE, ``PREV_<GROUP>``, numerator REGISTER over the
  row's PRACTICE_LIST_SIZE (NHS Digital's "recorded prevalence" = register / list size of the
  indicator group's age band), polarity neutral, no target.
- Every indicator says who its numerator and denominator count (``numerator_definition``,
  ``denominator_definition``: the QOF measures behind them) and carries the publication's
  licence, the Open Government Licence v3.0, in ``licence``.
- A year "2022-23" is the period 2022-04-01, an annual financial-year period (the indicators'
  ``period_type`` is ``financial_year``); several years stack as several periods. The year
  of a file comes from its name (``..._2223.csv``) or from ``year``.
- Practices join PCNs through the mapping file. Practices in no PCN (code ``U``) are kept, in
  one "Unallocated practices (<sub-ICB>)" network per sub-ICB; practices missing from the
  mapping file are kept in an "Unmapped practices" network.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import polars as pl

from netcompare.data.importers.assemble import (
    assign_networks,
    clean_counts,
    codes_text,
    drop_duplicate_values,
    finish_tables,
)
from netcompare.data.importers.expressions import text_format
from netcompare.data.importers.inputs import (
    InputFile,
    Source,
    find_columns,
    read_csv_input,
    row_examples,
)
from netcompare.data.importers.report import ImportReport, ImportResult
from netcompare.data.inputs import (
    ROW,
    number_problem,
    number_value,
    qof_year,
    year_from_file_name,
)
from netcompare.errors import UserError

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
LICENCE = "Open Government Licence v3.0"

UNMAPPED_NETWORK = "UNMAPPED"
UNALLOCATED_CODE = "U"

ACHIEVEMENT = "QOF ACHIEVEMENT file"
PREVALENCE = "QOF PREVALENCE file"
MAPPING = "QOF MAPPING_NHS_GEOGRAPHIES file"
INDICATOR_MAPPING = "QOF indicator reference (MAPPING_INDICATORS) file"

# MEASURE values of the ACHIEVEMENT files (EXCEPTIONS: the name before PCAs, up to 2018-19).
MEASURES = {
    "NUMERATOR": "NUMERATOR",
    "DENOMINATOR": "DENOMINATOR",
    "PCAS": "PCAS",
    "PCA": "PCAS",
    "EXCEPTIONS": "PCAS",
    "REGISTER": "REGISTER",
    "ACHIEVED_POINTS": "ACHIEVED_POINTS",
}
COUNT_MEASURES = ("NUMERATOR", "DENOMINATOR", "PCAS")

# Short names for the prevalence registers (NHS Digital's group descriptions are long).
PREVALENCE_NAMES = {
    "AF": "Atrial fibrillation",
    "AST": "Asthma",
    "CAN": "Cancer",
    "CHD": "Coronary heart disease",
    "CKD": "Chronic kidney disease",
    "COPD": "COPD",
    "DEM": "Dementia",
    "DEP": "Depression",
    "DM": "Diabetes",
    "EP": "Epilepsy",
    "HF": "Heart failure",
    "HYP": "Hypertension",
    "LD": "Learning disability",
    "MH": "Mental health (SMI)",
    "NDH": "Non-diabetic hyperglycaemia",
    "OB": "Obesity",
    "OST": "Osteoporosis",
    "PAD": "Peripheral arterial disease",
    "PC": "Palliative care",
    "RA": "Rheumatoid arthritis",
    "STIA": "Stroke and TIA",
}

_SPELLING = {
    "High dependancy and other long term conditions": "High dependency and other "
    "long term conditions"
}


# ----------------------------------------------------------------------------------------
# Reference tables (see reference/README.md)


@cache
def indicator_reference() -> pl.DataFrame:
    """Known QOF indicators: indicator_code, group_code, group, higher_group, domain."""
    control = pl.read_csv(
        REFERENCE_DIR / "QOF_INDICATOR_REFERENCE_CONTROL_2324.csv", infer_schema=False
    )
    current = control.select(
        pl.col("INDICATOR_CODE").alias("indicator_code"),
        pl.col("GROUP_CODE").alias("group_code"),
        pl.col("GROUP_DESCRIPTION").str.strip_chars().alias("group"),
        pl.col("HIGHER_GROUP_DESCRIPTION")
        .str.strip_chars()
        .replace(_SPELLING)
        .alias("higher_group"),
        pl.col("DOMAIN_DESCRIPTION").alias("domain"),
    )
    higher = current.select("group_code", "higher_group").unique("group_code")
    previous = (
        pl.read_csv(REFERENCE_DIR / "QOF_INDICATOR_MAPPINGS_2223.csv", infer_schema=False)
        .select(
            pl.col("INDICATOR_CODE").alias("indicator_code"),
            pl.col("INDICATOR_GROUP_CODE").alias("group_code"),
            pl.col("INDICATOR_GROUP_DESCRIPTION").str.strip_chars().alias("group"),
            pl.col("DOMAIN_DESCRIPTION").alias("domain"),
        )
        .join(higher, on="group_code", how="left")
        .with_columns(pl.col("higher_group").fill_null(pl.col("domain")))
        .filter(~pl.col("indicator_code").is_in(current.get_column("indicator_code").implode()))
    )
    return pl.concat([current, previous.select(current.columns)])


@cache
def group_reference() -> pl.DataFrame:
    """Known QOF indicator groups: group_code, group, higher_group, domain."""
    return (
        indicator_reference()
        .unique("group_code", keep="first", maintain_order=True)
        .select("group_code", "group", "higher_group", "domain")
    )


@cache
def successors() -> pl.DataFrame:
    """Indicators with a later successor code: old_code, new_code (see reference/README.md)."""
    return pl.read_csv(REFERENCE_DIR / "QOF_INDICATOR_SUCCESSORS.csv", infer_schema=False).select(
        pl.col("OLD_CODE").alias("old_code"),
        pl.col("NEW_CODE").alias("new_code"),
        pl.col("LAST_YEAR_OLD").alias("last_year_old"),
        pl.col("FIRST_YEAR_NEW").alias("first_year_new"),
    )


# ----------------------------------------------------------------------------------------
# The entry point


def import_qof(
    *,
    mapping: Source,
    achievement: Sequence[Source] = (),
    prevalence: Sequence[Source] | Source | None = None,
    year: str | None = None,
    indicators: Source | None = None,
    name: str | None = None,
    source: str | None = None,
) -> ImportResult:
    """Import QOF ACHIEVEMENT and/or PREVALENCE files into the canonical tables.

    ``mapping`` is the MAPPING_NHS_GEOGRAPHIES file. Each file's year comes from its name
    (``_2223``) or, failing that, from ``year`` ("2022-23"); a name and a ``year`` that
    disagree are an error. ``indicators`` is an optional MAPPING_INDICATORS file for the
    indicators' wording. ``name`` and ``source`` override the data set's metadata.
    """
    if isinstance(prevalence, str | bytes | os.PathLike | InputFile):
        prevalence = [prevalence]
    prevalence = list(prevalence or [])
    achievement = list(achievement)
    if not achievement and not prevalence:
        raise UserError("give at least one ACHIEVEMENT or PREVALENCE file to import")
    if year is not None:
        try:
            qof_year(year)
        except ValueError as exc:
            raise UserError(f"--year: {exc}") from exc
    report = ImportReport("qof")
    practices_map, networks = read_mapping(mapping, report)
    described = read_indicator_mapping(indicators, report) if indicators is not None else None

    parts: list[pl.DataFrame] = []
    indicator_parts: list[pl.DataFrame] = []
    list_sizes = pl.DataFrame(
        schema={"practice_id": pl.String(), "period": pl.Date(), "list_size": pl.Int64()}
    )
    years: set[str] = set()
    if achievement:
        values = read_achievement(achievement, year, report)
        parts.append(values)
        years |= set(values.get_column("year").unique().to_list())
        indicator_parts.append(achievement_indicators(values, described, ", ".join(sorted(years))))
    if prevalence:
        values, sizes, groups = read_prevalence(prevalence, year, report)
        parts.append(values)
        list_sizes = sizes
        prev_years = set(values.get_column("year").unique().to_list())
        years |= prev_years
        indicator_parts.append(prevalence_indicators(groups, ", ".join(sorted(prev_years))))
    values = pl.concat(parts, how="diagonal_relaxed")
    values = drop_duplicate_values(values, report)
    _note_successors(values, report)

    practices = _practices(values, practices_map, list_sizes, report)
    if practices.get_column("network_id").eq(UNMAPPED_NETWORK).any():
        networks = pl.concat(
            [
                networks,
                pl.DataFrame(
                    {
                        "network_id": [UNMAPPED_NETWORK],
                        "network_name": ["Unmapped practices (not in the mapping file)"],
                        "parent_area": [None],
                    },
                    schema=networks.schema,
                ),
            ]
        )
    tables = finish_tables(networks, practices, pl.concat(indicator_parts), values, report)
    year_text = ", ".join(sorted(years))
    kinds = " and ".join(
        k for k, present in (("achievement", achievement), ("prevalence", prevalence)) if present
    )
    file_names = ", ".join(Path(f.name).name for f in report.files)
    metadata = {
        "name": name or f"QOF {year_text} {kinds}",
        "source": source
        or f"NHS Digital, Quality and Outcomes Framework {year_text}: {file_names}",
        "licence": LICENCE,
    }
    return ImportResult(tables, report, metadata)


# ----------------------------------------------------------------------------------------
# Files


def _file_year(name: str, year: str | None) -> tuple[str, dt.date]:
    """The QOF year of a file: from its name, else from ``year``."""
    from_name = year_from_file_name(name)
    if year is not None:
        label, start = qof_year(year)
        if from_name is not None and from_name != label:
            raise UserError(
                f"{name}: the file name says {from_name} but --year says {label}; leave out "
                "--year to take each file's year from its name"
            )
        return label, start
    if from_name is None:
        raise UserError(
            f"{name}: cannot tell which QOF year this file covers (its name has no year such as "
            "_2223); give the year, e.g. --year 2022-23"
        )
    return qof_year(from_name)


def _require_numbers(frame: pl.DataFrame, column: str, file: str, kind: str) -> None:
    """A non-blank cell that is not a number means the file is damaged or of another kind.

    Each example names its row and the problem ("VALUE is not a number: 'NaN'").
    """
    bad = frame.with_columns(
        number_problem(column, column, blank_ok=True).alias("_problem")
    ).filter(pl.col("_problem").is_not_null())
    if bad.height:
        raise UserError(
            f"{file}: {column} must be a number (blank for missing) in a {kind}: "
            + row_examples(bad, file, pl.col("_problem"))
        )


def read_mapping(source: Source, report: ImportReport) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The practice -> network map and the networks of a MAPPING_NHS_GEOGRAPHIES file.

    Returns (practices: practice_id, practice_name, network_id; networks: network_id,
    network_name, parent_area).
    """
    frame, file = read_csv_input(source, report, layout="practice to PCN map")
    parents = (
        ("SUB_ICB_ODS_CODE", "SUB_ICB_NAME"),
        ("SUB_ICB_LOC_ODS_CODE", "SUB_ICB_LOC_NAME"),
        ("CCG_ODS_CODE", "CCG_NAME"),
    )
    cols = find_columns(
        frame,
        ["PRACTICE_CODE", "PCN_ODS_CODE"],
        file.name,
        MAPPING,
        optional=["PRACTICE_NAME", "PCN_NAME", *(c for pair in parents for c in pair)],
    )
    parent_code, parent_name = next(
        ((cols[c], cols[n]) for c, n in parents if c in cols and n in cols), (None, None)
    )

    def text(key: str | None) -> pl.Expr:
        return pl.col(key) if key is not None else pl.lit(None, dtype=pl.String)

    rows = frame.select(
        pl.col(ROW),
        pl.col(cols["PRACTICE_CODE"]).str.to_uppercase().alias("practice_id"),
        text(cols.get("PRACTICE_NAME")).alias("practice_name"),
        pl.col(cols["PCN_ODS_CODE"]).str.to_uppercase().alias("pcn"),
        text(cols.get("PCN_NAME")).alias("pcn_name"),
        text(parent_code).alias("parent_code"),
        text(parent_name).alias("parent_area"),
    )
    no_code = rows.filter(pl.col("practice_id").is_null())
    report.leave_out(
        no_code.select(
            pl.lit(file.name).alias("file"),
            pl.col(ROW).alias("row"),
            pl.lit("mapping row").alias("what"),
        ),
        "no PRACTICE_CODE in the mapping row",
    )
    rows = rows.filter(pl.col("practice_id").is_not_null())
    unallocated = pl.col("pcn").is_null() | (pl.col("pcn") == UNALLOCATED_CODE)
    rows = rows.with_columns(
        pl.when(unallocated)
        .then(pl.concat_str([pl.lit("U-"), pl.col("parent_code")]).fill_null("U"))
        .otherwise(pl.col("pcn"))
        .alias("network_id"),
        pl.when(unallocated)
        .then(
            pl.concat_str(
                [pl.lit("Unallocated practices ("), pl.col("parent_area"), pl.lit(")")]
            ).fill_null("Unallocated practices")
        )
        .otherwise(pl.col("pcn_name").fill_null(pl.col("pcn")))
        .alias("network_name"),
    )
    n_unallocated = rows.filter(unallocated).select("practice_id").n_unique()
    if n_unallocated:
        groups = rows.filter(unallocated).get_column("network_id").n_unique()
        report.note(
            f"{n_unallocated:,} practices are in no PCN (PCN code U in {file.name}): kept, in "
            f"{groups:,} network(s) 'Unallocated practices (<sub-ICB>)', one per sub-ICB"
        )
    chosen = assign_networks(
        rows.select("practice_id", "network_id", pl.lit(None, dtype=pl.Date).alias("period")),
        report,
    )
    practices = (
        rows.unique("practice_id", keep="first", maintain_order=True)
        .select("practice_id", "practice_name")
        .join(chosen, on="practice_id", how="left")
    )
    # A network's parent area: the sub-ICB of most of its practices (a few PCNs span two).
    members = rows.join(chosen, on=["practice_id", "network_id"], how="semi")
    parent_counts = (
        members.filter(pl.col("parent_area").is_not_null())
        .group_by("network_id", "parent_area")
        .len()
        .sort(["network_id", "len", "parent_area"], descending=[False, True, False])
    )
    spanning = parent_counts.group_by("network_id").len().filter(pl.col("len") > 1)
    if spanning.height:
        report.note(
            f"{spanning.height:,} PCN(s) have practices in more than one sub-ICB; each PCN's "
            "parent area is the sub-ICB of most of its practices"
        )
    networks = (
        members.unique("network_id", keep="first", maintain_order=True)
        .select("network_id", "network_name")
        .join(
            parent_counts.unique("network_id", keep="first").select("network_id", "parent_area"),
            on="network_id",
            how="left",
        )
    )
    return practices, networks


def read_indicator_mapping(source: Source, report: ImportReport) -> pl.DataFrame:
    """indicator_code, description (and group) from a MAPPING_INDICATORS file."""
    frame, file = read_csv_input(source, report, layout="indicator wording")
    cols = find_columns(
        frame,
        ["INDICATOR_CODE"],
        file.name,
        INDICATOR_MAPPING,
        optional=["INDICATOR_DESCRIPTION", "GROUP_DESCRIPTION", "INDICATOR_GROUP_DESCRIPTION"],
    )
    if "INDICATOR_DESCRIPTION" not in cols:
        raise UserError(
            f"{file.name}: no INDICATOR_DESCRIPTION column: give the publication's "
            "MAPPING_INDICATORS_<yyyy>.csv for the indicators' wording"
        )
    return (
        frame.select(
            pl.col(cols["INDICATOR_CODE"]).str.to_uppercase().alias("indicator_code"),
            pl.col(cols["INDICATOR_DESCRIPTION"]).alias("described"),
        )
        .filter(pl.col("indicator_code").is_not_null())
        .unique("indicator_code", keep="first", maintain_order=True)
    )


def _read_achievement_file(source: Source, year: str | None, report: ImportReport) -> pl.DataFrame:
    frame, file = read_csv_input(source, report)
    cols = find_columns(
        frame, ["PRACTICE_CODE", "INDICATOR_CODE", "MEASURE", "VALUE"], file.name, ACHIEVEMENT
    )
    label, start = _file_year(file.name, year)
    regional = [c for c in frame.columns if c.upper().startswith("REGION_")]
    if regional:
        region_col = next((c for c in regional if c.upper() == "REGION_NAME"), regional[0])
        regions = frame.get_column(region_col).drop_nulls().unique(maintain_order=True).to_list()
        layout = f"{label}, regional layout: {', '.join(regions[:3]) or 'region not named'}"
    else:
        layout = f"{label}, national layout"
    report.set_layout(layout)
    _require_numbers(frame, cols["VALUE"], file.name, ACHIEVEMENT)
    rows = frame.select(
        pl.lit(file.name).alias("file"),
        pl.col(ROW),
        pl.col(cols["PRACTICE_CODE"]).str.to_uppercase().alias("practice_id"),
        pl.col(cols["INDICATOR_CODE"]).str.to_uppercase().alias("indicator_id"),
        pl.col(cols["MEASURE"]).str.to_uppercase().alias("raw_measure"),
        number_value(cols["VALUE"]).alias("value"),
        pl.lit(start).alias("period"),
        pl.lit(label).alias("year"),
    ).with_columns(
        pl.col("raw_measure")
        .replace_strict(MEASURES, default=None, return_dtype=pl.String)
        .alias("measure")
    )
    if rows.get_column("measure").is_null().all():
        raise UserError(
            f"{file.name}: no QOF measures in the MEASURE column (expected NUMERATOR, "
            "DENOMINATOR, PCAS, REGISTER or ACHIEVED_POINTS): this is not a QOF ACHIEVEMENT file"
        )
    unknown = rows.filter(pl.col("measure").is_null() & pl.col("raw_measure").is_not_null())
    if unknown.height:
        names = unknown.get_column("raw_measure").unique(maintain_order=True).to_list()
        report.note(
            f"{file.name}: {unknown.height:,} rows with a MEASURE netcompare does not use were "
            f"ignored ({codes_text(names, 5)})"
        )
    no_key = rows.filter(pl.col("practice_id").is_null() | pl.col("indicator_id").is_null())
    report.leave_out(
        no_key.select("file", pl.col(ROW).alias("row"), pl.lit("achievement row").alias("what")),
        "no PRACTICE_CODE or INDICATOR_CODE",
    )
    return rows.filter(pl.col("practice_id").is_not_null() & pl.col("indicator_id").is_not_null())


def read_achievement(
    sources: Sequence[Source], year: str | None, report: ImportReport
) -> pl.DataFrame:
    """Values from ACHIEVEMENT files (either layout, any number of years).

    Returns practice_id, indicator_id, period, year, numerator, denominator (DENOMINATOR +
    PCAS), exceptions (PCAS), file, __row, what.
    """
    rows = pl.concat([_read_achievement_file(s, year, report) for s in sources])
    key = ["practice_id", "indicator_id", "period"]
    with_counts = rows.filter(pl.col("measure").is_in(["NUMERATOR", "DENOMINATOR"]))
    counted_indicators = with_counts.get_column("indicator_id").unique().implode()
    register_only = (
        rows.filter(~pl.col("indicator_id").is_in(counted_indicators))
        .get_column("indicator_id")
        .unique()
        .sort()
        .to_list()
    )
    if register_only:
        report.note(
            f"{len(register_only)} indicator(s) have no NUMERATOR or DENOMINATOR rows (register "
            "and points-only indicators, not percentages): not imported "
            f"({codes_text(register_only)}); registers are compared through the PREVALENCE file"
        )
    counts = rows.filter(pl.col("measure").is_in(COUNT_MEASURES))
    counts = counts.with_columns(
        pl.len().over([*key, "measure"]).alias("_n"),
        pl.col("value").n_unique().over([*key, "measure"]).alias("_versions"),
    )
    repeated = counts.filter((pl.col("_n") > 1) & (pl.col("_versions") == 1))
    if repeated.height:
        extra = repeated.height - repeated.select([*key, "measure"]).n_unique()
        practices = repeated.get_column("practice_id").unique(maintain_order=True).to_list()
        report.note(
            f"{extra:,} repeated ACHIEVEMENT row(s) (same practice, indicator, measure, year and "
            f"value) were counted once (practices: {codes_text(practices)})"
        )

    def measure(name: str) -> pl.Expr:
        return pl.col("value").filter(pl.col("measure") == name).first().alias(name.lower())

    wide = counts.group_by(key, maintain_order=True).agg(
        pl.col("file").first(),
        pl.col(ROW).min(),
        pl.col("year").first(),
        measure("NUMERATOR"),
        measure("DENOMINATOR"),
        measure("PCAS"),
        (pl.col("_versions").max() > 1).alias("conflict"),
    )
    wide = wide.with_columns(
        text_format("{} {} {}", "practice_id", "indicator_id", "year").alias("what")
    )
    num, den, pcas = pl.col("numerator"), pl.col("denominator"), pl.col("pcas")
    reason = (
        pl.when(pl.col("conflict"))
        .then(
            pl.lit(
                "the same practice, indicator and measure is listed more than once with "
                "different values (not counted at all)"
            )
        )
        .when(num.is_null() & den.is_null())
        .then(pl.lit("NUMERATOR and DENOMINATOR blank or absent"))
        .when(num.is_null())
        .then(pl.lit("NUMERATOR blank or absent"))
        .when(den.is_null())
        .then(pl.lit("DENOMINATOR blank or absent"))
        .when((num < 0) | (den < 0) | (pcas < 0))
        .then(pl.lit("negative NUMERATOR, DENOMINATOR or PCAS"))
        .when(den + pcas.fill_null(0) == 0)
        .then(pl.lit("no eligible patients (DENOMINATOR + PCAS = 0)"))
        .when(num > den)
        .then(pl.lit("NUMERATOR greater than DENOMINATOR"))
        .otherwise(None)
        .alias("reason")
    )
    wide = wide.with_columns(reason)
    report.leave_out(
        wide.filter(pl.col("reason").is_not_null()).select(
            "file", pl.col(ROW).alias("row"), "what", "reason"
        )
    )
    good = wide.filter(pl.col("reason").is_null())
    fractional = good.filter(
        pl.any_horizontal(c != c.floor() for c in (num, den, pcas.fill_null(0)))
    )
    if fractional.height:
        report.note(
            f"{fractional.height:,} achievement values had counts that were not whole numbers and "
            "were rounded half up"
        )
    no_pcas = good.filter(pcas.is_null())
    if no_pcas.height:
        report.note(
            f"{no_pcas.height:,} achievement values have no PCAS row or a blank PCAS: their "
            "denominator is the QOF DENOMINATOR alone and their exceptions are unknown"
        )

    def whole(expr: pl.Expr) -> pl.Expr:
        return (expr + 0.5).floor().cast(pl.Int64)

    return good.select(
        "practice_id",
        "indicator_id",
        "period",
        "year",
        whole(num).alias("numerator"),
        (whole(den) + whole(pcas).fill_null(0)).alias("denominator"),
        whole(pcas).alias("exceptions"),
        "file",
        pl.col(ROW),
        "what",
    )


def read_prevalence(
    sources: Sequence[Source], year: str | None, report: ImportReport
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Values, practice list sizes and indicator groups from PREVALENCE files.

    Returns (values like :func:`read_achievement`'s, list sizes: practice_id, period,
    list_size from the TOTAL list type, groups: indicator_id, group_code, list_type, year).
    """
    parts = []
    for source in sources:
        frame, file = read_csv_input(source, report)
        cols = find_columns(
            frame,
            ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
            file.name,
            PREVALENCE,
        )
        label, start = _file_year(file.name, year)
        report.set_layout(label)
        for column in ("REGISTER", "PRACTICE_LIST_SIZE"):
            _require_numbers(frame, cols[column], file.name, PREVALENCE)
        parts.append(
            frame.select(
                pl.lit(file.name).alias("file"),
                pl.col(ROW),
                pl.col(cols["PRACTICE_CODE"]).str.to_uppercase().alias("practice_id"),
                pl.col(cols["GROUP_CODE"]).str.to_uppercase().alias("group_code"),
                pl.col(cols["PATIENT_LIST_TYPE"]).str.to_uppercase().alias("list_type"),
                pl.col(cols["REGISTER"]).alias("register"),
                pl.col(cols["PRACTICE_LIST_SIZE"]).alias("list_size"),
                pl.lit(start).alias("period"),
                pl.lit(label).alias("year"),
            )
        )
    rows = pl.concat(parts)
    no_key = rows.filter(pl.col("practice_id").is_null() | pl.col("group_code").is_null())
    report.leave_out(
        no_key.select("file", pl.col(ROW).alias("row"), pl.lit("prevalence row").alias("what")),
        "no PRACTICE_CODE or GROUP_CODE",
    )
    rows = rows.filter(pl.col("practice_id").is_not_null() & pl.col("group_code").is_not_null())
    # One indicator per register; a register published for several age bands gets one each.
    bands = pl.col("list_type").fill_null("TOTAL").n_unique().over("group_code")
    rows = rows.with_columns(
        pl.when(bands > 1)
        .then(text_format("PREV_{}_{}", "group_code", pl.col("list_type").fill_null("TOTAL")))
        .otherwise(text_format("PREV_{}", "group_code"))
        .alias("indicator_id")
    ).with_columns(text_format("{} {} {}", "practice_id", "group_code", "year").alias("what"))
    values = clean_counts(
        rows,
        report,
        numerator="register",
        denominator="list_size",
        numerator_label="REGISTER",
        denominator_label="PRACTICE_LIST_SIZE",
    )
    sizes = (
        rows.filter(pl.col("list_type") == "TOTAL")
        .select(
            "practice_id",
            "period",
            number_value("list_size").round(0).cast(pl.Int64),
        )
        .group_by("practice_id", "period")
        .agg(pl.col("list_size").max())
    )
    groups = rows.select("indicator_id", "group_code", "list_type").unique(
        "indicator_id", keep="first", maintain_order=True
    )
    out = values.select(
        "practice_id",
        "indicator_id",
        "period",
        "year",
        "numerator",
        "denominator",
        pl.lit(None, dtype=pl.Int64).alias("exceptions"),
        "file",
        pl.col(ROW),
        "what",
    )
    return out, sizes, groups


# ----------------------------------------------------------------------------------------
# Indicators, practices


def _group_of(code: pl.Expr) -> pl.Expr:
    """The group code in an indicator code: the letters before the digits (DM019 -> DM)."""
    return code.str.extract(r"^([A-Z]+?)\d", 1)


def achievement_indicators(
    values: pl.DataFrame, described: pl.DataFrame | None, years: str
) -> pl.DataFrame:
    """Indicator rows for the achievement codes imported, with group and domain."""
    codes = values.select(pl.col("indicator_id").unique().sort().alias("indicator_code"))
    ref = indicator_reference()
    known = codes.join(ref, on="indicator_code", how="left")
    guessed = (
        known.filter(pl.col("group").is_null())
        .select("indicator_code", _group_of(pl.col("indicator_code")).alias("group_code"))
        .join(group_reference(), on="group_code", how="left")
    )
    rows = pl.concat([known.filter(pl.col("group").is_not_null()), guessed.select(known.columns)])
    succ = successors()
    rows = rows.join(
        succ.select(pl.col("old_code").alias("indicator_code"), "new_code", "first_year_new"),
        on="indicator_code",
        how="left",
    ).join(
        succ.select(pl.col("new_code").alias("indicator_code"), "old_code", "last_year_old"),
        on="indicator_code",
        how="left",
    )
    if described is not None:
        rows = rows.join(described, on="indicator_code", how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("described"))
    group = pl.col("group").fill_null("QOF indicator group not known")
    base = pl.coalesce(
        pl.col("described"),
        text_format("QOF indicator {} ({})", "indicator_code", group),
    )
    context = text_format(
        ". Domain: {}; area: {}. Value = NUMERATOR / (DENOMINATOR + PCAS): all eligible "
        "patients, PCAs counted as exceptions",
        pl.col("domain").fill_null("not known"),
        pl.col("higher_group").fill_null("not known"),
    )
    lineage = pl.concat_str(
        [
            pl.when(pl.col("new_code").is_not_null())
            .then(
                text_format(
                    ". Replaced by {} from {} (definition changed; kept separate)",
                    "new_code",
                    "first_year_new",
                )
            )
            .otherwise(pl.lit("")),
            pl.when(pl.col("old_code").is_not_null())
            .then(
                text_format(
                    ". Replaces {} (to {}; definition changed; kept separate)",
                    "old_code",
                    "last_year_old",
                )
            )
            .otherwise(pl.lit("")),
        ]
    )
    return rows.select(
        pl.col("indicator_code").alias("indicator_id"),
        text_format("{}: {}", "indicator_code", group).alias("name"),
        group.alias("care_package"),
        pl.concat_str([base, context, lineage]).alias("description"),
        pl.lit(
            "Patients in the denominator who meet the indicator's criteria (QOF NUMERATOR)"
        ).alias("numerator_definition"),
        pl.lit(
            "Every patient the indicator applies to (QOF DENOMINATOR + PCAS): those with a "
            "personalised care adjustment (PCAS) are counted here and as exceptions"
        ).alias("denominator_definition"),
        pl.lit("high").alias("polarity"),
        pl.lit(None, dtype=pl.Float64).alias("target"),
        pl.lit(None, dtype=pl.Float64).alias("amber_threshold"),
        pl.lit(None, dtype=pl.Float64).alias("network_target"),
        pl.lit(f"NHS Digital QOF ACHIEVEMENT {years}").alias("source"),
        pl.lit(LICENCE).alias("licence"),
        pl.lit("financial_year").alias("period_type"),
    )


def _list_type_words(list_type: str | None) -> tuple[str, str]:
    """('17+', 'aged 17 or over') for '17OV'; ('all ages', 'of all ages') for TOTAL."""
    if list_type is None or list_type == "TOTAL":
        return "all ages", "of all ages"
    if list_type.endswith("OV") and list_type[:-2].isdigit():
        age = int(list_type[:-2])
        return f"{age}+", f"aged {age} or over"
    return list_type, f"in list {list_type}"


def prevalence_indicators(groups: pl.DataFrame, years: str) -> pl.DataFrame:
    """Indicator rows for the prevalence registers imported (polarity neutral, no target)."""
    ref = group_reference()
    rows = groups.join(ref, on="group_code", how="left").sort("indicator_id")
    out = []
    for ind, code, list_type, group, higher in rows.select(
        "indicator_id", "group_code", "list_type", "group", "higher_group"
    ).rows():
        short, words = _list_type_words(list_type)
        label = PREVALENCE_NAMES.get(code, group or code)
        out.append(
            {
                "indicator_id": ind,
                "name": f"{label} prevalence ({short})",
                "care_package": higher or "QOF registers",
                "description": (
                    f"Patients on the QOF {group or code} register (REGISTER) as a share of "
                    f"registered patients {words} (PRACTICE_LIST_SIZE, PATIENT_LIST_TYPE "
                    f"{list_type or 'TOTAL'}): recorded prevalence, not a measure of quality"
                ),
                "numerator_definition": (
                    f"Patients on the practice's QOF {group or code} register (REGISTER)"
                ),
                "denominator_definition": (
                    f"Registered patients {words} (PRACTICE_LIST_SIZE of "
                    f"PATIENT_LIST_TYPE {list_type or 'TOTAL'}); a register has no exceptions"
                ),
                "polarity": "neutral",
                "target": None,
                "amber_threshold": None,
                "network_target": None,
                "source": f"NHS Digital QOF PREVALENCE {years}",
                "licence": LICENCE,
                "period_type": "financial_year",
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "indicator_id": pl.String(),
            "name": pl.String(),
            "care_package": pl.String(),
            "description": pl.String(),
            "numerator_definition": pl.String(),
            "denominator_definition": pl.String(),
            "polarity": pl.String(),
            "target": pl.Float64(),
            "amber_threshold": pl.Float64(),
            "network_target": pl.Float64(),
            "source": pl.String(),
            "licence": pl.String(),
            "period_type": pl.String(),
        },
    )


def _note_successors(values: pl.DataFrame, report: ImportReport) -> None:
    """Say which renamed indicators appear on both sides of a rename in the stacked years."""
    by_code = values.group_by("indicator_id").agg(pl.col("year").unique().sort())
    years = dict(by_code.rows())
    pairs = [
        f"{old} ({', '.join(years[old])}) -> {new} ({', '.join(years[new])})"
        for old, new in successors().select("old_code", "new_code").rows()
        if old in years and new in years
    ]
    if pairs:
        report.note(
            f"indicators renamed between the years imported: {codes_text(pairs, 20)}; kept as "
            "separate indicators (the definitions changed), each description names the other"
        )


def _practices(
    values: pl.DataFrame,
    practices_map: pl.DataFrame,
    list_sizes: pl.DataFrame,
    report: ImportReport,
) -> pl.DataFrame:
    """Practices with values: names and networks from the mapping, list size from prevalence."""
    ids = values.select(pl.col("practice_id").unique(maintain_order=True))
    latest_size = (
        list_sizes.sort("period", descending=True)
        .unique("practice_id", keep="first")
        .select("practice_id", "list_size")
    )
    practices = ids.join(practices_map, on="practice_id", how="left").join(
        latest_size, on="practice_id", how="left"
    )
    unmapped = practices.filter(pl.col("network_id").is_null()).get_column("practice_id").to_list()
    if unmapped:
        report.note(
            f"{len(unmapped):,} practice(s) with data are not in the mapping file: kept in the "
            f"network 'Unmapped practices', named by code ({codes_text(sorted(unmapped))})"
        )
    spare = practices_map.height - (practices.height - len(unmapped))
    if spare > 0:
        report.note(
            f"{spare:,} practice(s) in the mapping file have no data in the files imported and "
            "are not included"
        )
    return practices.with_columns(
        pl.col("network_id").fill_null(UNMAPPED_NETWORK),
        pl.col("practice_name").fill_null(pl.col("practice_id")),
    )
