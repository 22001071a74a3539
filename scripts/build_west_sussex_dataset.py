"""Build the built-in "West Sussex childhood immunisations 2019/20–2021/22" data set.

    python scripts/build_west_sussex_dataset.py \
        [--cover tests/importers/data/COVER_GP_immunisations_WestSussex_2019-2022.csv.gz] \
        [--mapping tests/importers/data/MAPPING_NHS_GEOGRAPHIES_2223.csv.gz] \
        [--out datasets/west-sussex-immunisations-2019-22]

Source: West Sussex County Council public health's practice-level childhood immunisation file
(COVER_GP_immunisations_WestSussex_2019-2022.csv), derived from UKHSA's COVER GP annual data;
practice-to-PCN map: NHS Digital's QOF 2022-23 MAPPING_NHS_GEOGRAPHIES_2223.csv. Both are
published under the Open Government Licence v3.0; unmodified (gzipped) copies are in the
repository, so a clone can rebuild the data set.

It runs the mapped-CSV importer (netcompare.data.importers.mapped_csv) on the unmodified
council file, then gives each indicator a readable id, name, definitions, targets (95%, amber
from 90%, as the national programme and the Tower Hamlets networks use) and licence, puts each
practice the council's file lists under two PCNs in the PCN NHS Digital's mapping gives it,
checks the result with the data set validation, and writes the four tables as CSV with
dataset.json and a README.md whose numbers (and every row left out, by reason) come from this
build. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netcompare.data.importers import CsvMapping, InputFile, import_mapped_csv  # noqa: E402
from netcompare.data.importers.report import ImportResult  # noqa: E402
from netcompare.data.load import write_dataset  # noqa: E402

NAME = "West Sussex childhood immunisations 2019/20–2021/22"
COVER_FILE = "COVER_GP_immunisations_WestSussex_2019-2022.csv"
MAPPING_FILE = "MAPPING_NHS_GEOGRAPHIES_2223.csv"
INDICATOR_SOURCE = "West Sussex County Council public health, from UKHSA COVER GP annual data"
SOURCE = (
    f"{INDICATOR_SOURCE}: {COVER_FILE}; PCNs of practices listed under two PCNs from NHS "
    f"Digital's QOF 2022-23 {MAPPING_FILE}"
)
LICENCE = "Open Government Licence v3.0"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
PARENT_AREA = "West Sussex"
TARGET = 0.95
AMBER = 0.90
CARE_PACKAGE = "Childhood immunisation"

DATA = ROOT / "tests" / "importers" / "data"
DEFAULT_COVER = DATA / f"{COVER_FILE}.gz"
DEFAULT_MAPPING = DATA / f"{MAPPING_FILE}.gz"
DEFAULT_OUT = ROOT / "datasets" / "west-sussex-immunisations-2019-22"

# How the council's file names each measure (Age, Item) -> our id, name and the vaccine in
# plain words. The file's own description (its Term column) is quoted in each description.
AGES = {
    "12 months": ("12M", "their first birthday"),
    "24 months": ("24M", "their second birthday"),
    "5 years": ("5Y", "their fifth birthday"),
}
SIX_IN_ONE = "the 6-in-1 vaccine (diphtheria, tetanus, whooping cough, polio, Hib and hepatitis B)"
MEASURES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("12 months", "DTaPIPVHibHepB"): (
        "DTAPIPVHIBHEPB",
        "6-in-1 (DTaP/IPV/Hib/HepB) by 12 months",
        f"three doses of {SIX_IN_ONE}",
    ),
    ("12 months", "MenB"): (
        "MENB",
        "MenB by 12 months",
        "two doses of the MenB (meningococcal group B) vaccine",
    ),
    ("12 months", "PCV1"): (
        "PCV1",
        "PCV first dose by 12 months",
        "a first dose of the pneumococcal conjugate vaccine (PCV)",
    ),
    ("12 months", "PCV2"): (
        "PCV2",
        "PCV second dose by 12 months",
        "two doses of the pneumococcal conjugate vaccine (PCV)",
    ),
    ("12 months", "Rota"): (
        "ROTA",
        "Rotavirus by 12 months",
        "both doses of the rotavirus vaccine",
    ),
    ("24 months", "DTaP/IPV/Hib(Hep)"): (
        "DTAPIPVHIBHEPB",
        "6-in-1 (DTaP/IPV/Hib/HepB) by 24 months",
        f"three doses of {SIX_IN_ONE}",
    ),
    ("24 months", "Hib/MenC"): (
        "HIBMENC",
        "Hib/MenC booster by 24 months",
        "the Hib/MenC booster (Haemophilus influenzae type b and meningococcal group C)",
    ),
    ("24 months", "MMR1"): (
        "MMR1",
        "MMR1 by 24 months",
        "a first dose of MMR (measles, mumps and rubella)",
    ),
    ("24 months", "MenB Booster"): (
        "MENB_BOOSTER",
        "MenB booster by 24 months",
        "the MenB (meningococcal group B) booster",
    ),
    ("24 months", "PCV Booster"): (
        "PCV_BOOSTER",
        "PCV booster by 24 months",
        "the pneumococcal conjugate vaccine (PCV) booster",
    ),
    ("5 years", "DTaP/IPV/Hib"): (
        "DTAPIPVHIB",
        "6-in-1 (DTaP/IPV/Hib) by 5 years",
        f"three doses of {SIX_IN_ONE}",
    ),
    ("5 years", "DTaPIPV"): (
        "DTAPIPV",
        "Pre-school booster (DTaP/IPV) by 5 years",
        "the pre-school booster (diphtheria, tetanus, whooping cough and polio: DTaP/IPV)",
    ),
    ("5 years", "Hib/MenC"): (
        "HIBMENC",
        "Hib/MenC booster by 5 years",
        "the Hib/MenC booster (Haemophilus influenzae type b and meningococcal group C)",
    ),
    ("5 years", "MMR1"): (
        "MMR1",
        "MMR1 by 5 years",
        "a first dose of MMR (measles, mumps and rubella)",
    ),
    ("5 years", "MMR2"): (
        "MMR2",
        "MMR2 by 5 years",
        "two doses of MMR (measles, mumps and rubella)",
    ),
}

COVER_MAPPING = CsvMapping(
    practice_col="ODS_Code",
    numerator_col="Numerator",
    denominator_col="Denominator",
    network_col="PCN_Code",
    network_name_col="PCN_Name",
    indicator_cols=("Age", "Item"),
    period_col="Year",
    practice_name_col="ODS_Name",
    target=TARGET,
    polarity="high",
    care_package=CARE_PACKAGE,
)


def indicator_id(age: str, item: str) -> str:
    return f"IMM_{AGES[age][0]}_{MEASURES[(age, item)][0]}"


def read_text_csv(path: Path) -> pl.DataFrame:
    """A (gzipped or plain) CSV as text columns, as published."""
    return pl.read_csv(path, infer_schema=False)


def indicators_table(raw: pl.DataFrame, imported: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Our indicators (one per Age and Item of the file) and the importer's id -> ours."""
    measures = raw.select("Age", "Item").unique().sort("Age", "Item").rows()
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise SystemExit(f"{COVER_FILE}: measures this script does not know: {unknown}")
    terms = (
        raw.group_by("Age", "Item", "Term")
        .agg(pl.col("Year").unique().sort())
        .sort("Age", "Item", pl.col("Year").list.first())
    )
    period_types = dict(imported.select("name", "period_type").rows())
    rows, ids = [], {}
    for age, item in measures:
        _, name, vaccine = MEASURES[(age, item)]
        own = indicator_id(age, item)
        imported_name = f"{age} - {item}"
        ids[imported.filter(pl.col("name") == imported_name)["indicator_id"].item()] = own
        mine = terms.filter((pl.col("Age") == age) & (pl.col("Item") == item))
        quoted = [f"“{t}”" for t in mine["Term"]]
        if len(quoted) > 1:
            quoted = [f"{q} ({', '.join(y)})" for q, y in zip(quoted, mine["Year"], strict=True)]
        birthday = AGES[age][1]
        rows.append(
            {
                "indicator_id": own,
                "name": name,
                "care_package": CARE_PACKAGE,
                "description": (
                    f"Share of the children registered with the practice who reached {birthday} "
                    f"({age}) in the year and had received {vaccine} by then (UKHSA COVER "
                    f"'{item}' at {age}). West Sussex's file describes it as "
                    f"{' and '.join(quoted)}."
                ),
                "numerator_definition": (
                    f"Children in the practice's cohort who had received {vaccine} by {age}"
                ),
                "denominator_definition": (
                    f"Children registered with the practice who reached {birthday} ({age}) in "
                    "the financial year (the COVER cohort); no exceptions"
                ),
                "polarity": "high",
                "target": TARGET,
                "amber_threshold": AMBER,
                "network_target": TARGET,
                "source": INDICATOR_SOURCE,
                "licence": LICENCE,
                "period_type": period_types[imported_name],
            }
        )
    return pl.DataFrame(rows).sort("indicator_id"), ids


def practice_networks(
    raw: pl.DataFrame, practices: pl.DataFrame, mapping: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Each practice in its real PCN.

    The council's file lists a few practices under two PCNs in every year (the same numbers
    twice), so it cannot say which is theirs; those take the PCN of NHS Digital's 2022-23
    mapping (which must be one of the two). Returns the practices, the ambiguous ones
    (practice_id, listed, chosen), the practices missing from the mapping (practice_id, pcn)
    and those the mapping puts in another PCN than the file's only one (none, as built).
    """
    listed = (
        raw.select("ODS_Code", "PCN_Code")
        .unique()
        .group_by("ODS_Code")
        .agg(pl.col("PCN_Code").sort().alias("listed"))
        .rename({"ODS_Code": "practice_id"})
    )
    nhs = mapping.select(
        pl.col("PRACTICE_CODE").alias("practice_id"), pl.col("PCN_ODS_CODE").alias("nhs_pcn")
    )
    both = listed.join(nhs, on="practice_id", how="left")
    single = both.filter(pl.col("listed").list.len() == 1)
    disagree = single.filter(
        pl.col("nhs_pcn").is_not_null() & (pl.col("nhs_pcn") != pl.col("listed").list.first())
    )
    ambiguous = both.filter(pl.col("listed").list.len() > 1).sort("practice_id")
    unresolved = ambiguous.filter(
        pl.col("nhs_pcn").is_null() | ~pl.col("listed").list.contains(pl.col("nhs_pcn"))
    )
    if unresolved.height:
        raise SystemExit(f"practices under two PCNs that the mapping cannot settle: {unresolved}")
    chosen = pl.concat(
        [
            single.select("practice_id", pl.col("listed").list.first().alias("network_id")),
            ambiguous.select("practice_id", pl.col("nhs_pcn").alias("network_id")),
        ]
    )
    out = practices.drop("network_id").join(chosen, on="practice_id", how="left")
    if out["network_id"].null_count():
        raise SystemExit("a practice has no PCN")
    out = out.select(practices.columns).with_columns(pl.lit(True).alias("share_name"))
    missing = single.filter(pl.col("nhs_pcn").is_null()).sort("practice_id")
    return (
        out.sort("practice_id"),
        ambiguous.select("practice_id", "listed", pl.col("nhs_pcn").alias("chosen")),
        missing.select("practice_id", pl.col("listed").list.first().alias("pcn")),
        disagree,
    )


README = """# {name} (built-in data set)

Childhood immunisation coverage of every general practice in West Sussex in the council's
practice-level file: {practices} practices in {networks} Primary Care Networks (PCNs),
{indicators} indicators (each vaccine at each age UKHSA's COVER programme measures: 12 months,
24 months and 5 years), {periods} financial years ({period_labels}): {values:,} values.

- Source: {source}.
  West Sussex County Council public health derived the file from UKHSA's COVER (Cover of
  Vaccination Evaluated Rapidly) GP annual data; NHS Digital's Quality and Outcomes
  Framework 2022-23 practice-to-PCN map settles the PCN of the practices the file lists under
  two PCNs.
- Licence: {licence}.
  {attribution}
- Built by `scripts/build_west_sussex_dataset.py` from the unmodified files (gzipped copies in
  `tests/importers/data/`): the mapped-CSV importer
  (`python -m netcompare import csv {cover_file}
  --practice-col ODS_Code --numerator-col Numerator --denominator-col Denominator
  --network-col PCN_Code --network-name-col PCN_Name --indicator-col Age --indicator-col Item
  --period-col Year --practice-name-col ODS_Name --target 95%`), then the indicators' ids,
  names, definitions and targets, and the PCNs below. Running the script again gives the same
  files, byte for byte.

What the tables hold:

- `indicators`: one per vaccine and age; polarity high; target {target:.0%} for practices and
  for the network average, amber from {amber:.0%} (red below), as the national programme and
  the Tower Hamlets networks use; period type `financial_year` (a period 2019-04-01 is the year
  2019/20). Numerator: children in the practice's cohort who had the vaccine by that age;
  denominator: children registered with the practice who reached that age in the year (COVER
  counts every child: no exceptions). Each description quotes the file's own `Term` for the
  vaccine; that wording sometimes names another age than the one measured (e.g. MMR1 at 24
  months: "first dose by 1 year"): the `Age` column is what COVER measures, and the names and
  definitions follow it.
- `networks`: PCN code and name as in the file (`PCN_Code`, `PCN_Name`); parent area
  "{parent_area}".
- `practices`: ODS code and name (`ODS_Code`, `ODS_Name`, the latest year's name), the PCN,
  every practice named (`share_name` true); no list size (the file has none).
- `values`: numerator, denominator per practice, indicator and year.

| indicator_id | name | the file's Age and Item | values ({period_labels}) |
|---|---|---|---|
{indicator_lines}

## Networks

{listed_twice} practices are listed under two PCNs in every year of the file, with the same
numbers under each ({repeated} repeated rows, counted once), so the file cannot say which PCN
is theirs. Each is put in the PCN NHS Digital's 2022-23 mapping gives it (always one of the two):

{ambiguous_lines}

Every other practice is listed under one PCN; {agree} of them are also in NHS Digital's 2022-23
mapping, all in that same PCN. {missing_count} practices are not in the 2022-23 mapping
(no longer in QOF by 2022-23) and keep the PCN the file gives:

{missing_lines}

## Left out ({left_out} of {rows_read:,} rows), as the importer reported

{left_out_lines}

## What the app warns about when it loads the data set

Row numbers are lines of `values.csv`.

{warning_lines}

## Other notes from the importer

{note_lines}

The largest distance of a rounded numerator from a whole number was {max_fraction:.1e}: the
file computes numerators as denominator × published coverage, so these are floating-point
remainders, not part-children. Every value kept equals the file's `Proportion` to within
{max_proportion_gap:.1e}.
"""


def left_out_section(left: pl.DataFrame) -> str:
    """Every left-out row, grouped by reason (most frequent first), each with its line."""
    if left.height == 0:
        return "Nothing."
    parts = []
    counts = left.group_by("reason", maintain_order=True).len().sort("len", descending=True)
    for reason, n in counts.rows():
        rows = left.filter(pl.col("reason") == reason)
        parts.append(f"### {reason}: {n} row(s)\n")
        parts.extend(
            f"- {Path(f).name}, row {r}: {w}"
            for f, r, w in rows.select("file", "row", "what").rows()
        )
        parts.append("")
    return "\n".join(parts).rstrip()


def build(cover: Path, mapping_path: Path, out: Path) -> ImportResult:
    raw = read_text_csv(cover)
    mapping = read_text_csv(mapping_path)
    result = import_mapped_csv(InputFile(COVER_FILE, cover.read_bytes()), COVER_MAPPING, name=NAME)
    tables = result.tables
    indicators, ids = indicators_table(raw, tables["indicators"])
    practices, ambiguous, missing, disagree = practice_networks(raw, tables["practices"], mapping)
    if disagree.height:
        raise SystemExit(f"practices whose PCN differs from NHS Digital's mapping: {disagree}")
    networks = (
        raw.select(
            pl.col("PCN_Code").alias("network_id"),
            pl.col("PCN_Name").alias("network_name"),
            pl.lit(PARENT_AREA).alias("parent_area"),
        )
        .unique("network_id", keep="first", maintain_order=True)
        .filter(pl.col("network_id").is_in(practices["network_id"].unique().implode()))
        .sort("network_id")
    )
    values = (
        tables["values"]
        .with_columns(pl.col("indicator_id").replace_strict(ids, return_dtype=pl.String))
        .sort("indicator_id", "period", "practice_id")
    )
    new_tables = {
        "networks": networks,
        "practices": practices,
        "indicators": indicators,
        "values": values,
    }
    result.report.finish(new_tables)  # the counts of these tables, not the importer's
    built = ImportResult(
        new_tables,
        result.report,
        {"name": NAME, "source": SOURCE, "licence": LICENCE},
    )
    dataset = built.to_dataset()  # the same checks load_dataset runs; raises if anything is wrong
    folder = write_dataset(out, built.tables, fmt="csv", metadata=built.metadata)
    (folder / "README.md").write_text(
        readme(raw, built, dataset, ambiguous, missing, networks),
        encoding="utf-8",
    )
    return built


def readme(raw, built, dataset, ambiguous, missing, networks) -> str:
    report = built.report
    periods = dataset.periods()
    tables = built.tables
    values, indicators = tables["values"], tables["indicators"]
    labels = [f"{p.year}/{(p.year + 1) % 100:02d}" for p in periods]
    per_year = values.group_by("indicator_id", "period").len()
    lines = []
    for own, name in indicators.select("indicator_id", "name").rows():
        age, item = next(k for k in MEASURES if indicator_id(*k) == own)
        counts = dict(per_year.filter(pl.col("indicator_id") == own).select("period", "len").rows())
        shown = " / ".join(str(counts.get(p, "–")) for p in periods)
        lines.append(f"| `{own}` | {name} | {age}, `{item}` | {shown} |")
    pcn_names = dict(raw.select("PCN_Code", "PCN_Name").unique().rows())
    practice_names = dict(tables["practices"].select("practice_id", "practice_name").rows())
    ambiguous_lines = "\n".join(
        f"- {p} {practice_names[p]}: listed under "
        + " and ".join(f"{c} {pcn_names[c]}" for c in listed)
        + f"; put in {chosen} {pcn_names[chosen]}"
        for p, listed, chosen in ambiguous.rows()
    )
    missing_lines = "\n".join(
        f"- {p} {practice_names[p]}: {c} {pcn_names[c]}" for p, c in missing.rows()
    )
    repeated = next((n for n in report.notes if "repeated row" in n), "0 repeated")
    notes = [n for n in report.notes if "more than one network" not in n]
    whole = raw.select(pl.col("Numerator").cast(pl.Float64)).drop_nulls()["Numerator"]
    max_fraction = float((whole - whole.round(0)).abs().max())
    proportion = (
        raw.select(
            pl.col("ODS_Code").alias("practice_id"),
            pl.col("Year"),
            pl.struct("Age", "Item")
            .map_elements(lambda m: indicator_id(m["Age"], m["Item"]), return_dtype=pl.String)
            .alias("indicator_id"),
            pl.col("Proportion").cast(pl.Float64),
        )
        .unique(["practice_id", "Year", "indicator_id"])
        .with_columns(pl.date(pl.col("Year").str.slice(0, 4).cast(pl.Int32), 4, 1).alias("period"))
        .join(values, on=["practice_id", "indicator_id", "period"], how="inner")
    )
    gap = (proportion["numerator"] / proportion["denominator"] - proportion["Proportion"]).abs()
    agree = tables["practices"].height - ambiguous.height - missing.height
    return README.format(
        name=NAME,
        practices=tables["practices"].height,
        networks=networks.height,
        indicators=indicators.height,
        periods=len(periods),
        period_labels=", ".join(labels),
        values=values.height,
        source=SOURCE,
        cover_file=COVER_FILE,
        mapping_file=MAPPING_FILE,
        licence=LICENCE,
        attribution=ATTRIBUTION,
        target=TARGET,
        amber=AMBER,
        parent_area=PARENT_AREA,
        indicator_lines="\n".join(lines),
        listed_twice=ambiguous.height,
        repeated=int(repeated.split()[0].replace(",", "")),
        ambiguous_lines=ambiguous_lines,
        agree=agree,
        missing_count=missing.height,
        missing_lines=missing_lines,
        left_out=report.left_out.height,
        rows_read=report.rows_read,
        left_out_lines=left_out_section(report.left_out),
        warning_lines="\n".join(f"- {w.message}" for w in dataset.warnings) or "- nothing",
        note_lines="\n".join(f"- {n}" for n in notes) or "- none",
        max_fraction=max_fraction,
        max_proportion_gap=float(gap.max()),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cover", type=Path, default=DEFAULT_COVER)
    parser.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    built = build(args.cover, args.mapping, args.out)
    print("\n".join(built.report.summary_lines()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
