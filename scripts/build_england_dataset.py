"""Build the built-in "England QOF prevalence 2022-23" data set from NHS Digital's raw files.

    python scripts/build_england_dataset.py \
        [--prevalence ../shared/real-data/PREVALENCE_2223.csv] \
        [--mapping ../shared/real-data/MAPPING_NHS_GEOGRAPHIES_2223.csv] \
        [--out datasets/england-qof-prevalence-2022-23]

It runs the QOF importer (netcompare.data.importers.qof) on the unmodified 2022-23
PREVALENCE and MAPPING_NHS_GEOGRAPHIES files, checks the result with the data set
validation, writes the four tables as Parquet (values sorted by indicator, period, practice)
with dataset.json, and writes the folder's README.md with the numbers of this build. The
indicators carry their definitions (numerator, denominator, source, licence) as the
importer writes them.
Not run by the tests; the tests load the folder it wrote.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netcompare.data.importers import import_qof  # noqa: E402
from netcompare.data.load import write_dataset  # noqa: E402

NAME = "England QOF prevalence 2022-23"
SOURCE = (
    "NHS Digital, Quality and Outcomes Framework 2022-23: PREVALENCE_2223.csv and "
    "MAPPING_NHS_GEOGRAPHIES_2223.csv"
)
LICENCE = "Open Government Licence v3.0"

README = """# England QOF prevalence 2022-23 (built-in data set)

Every general practice in England in the Quality and Outcomes Framework 2022-23 -
{practices:,} practices in {networks:,} networks (Primary Care Networks, plus one
"Unallocated practices (<sub-ICB>)" network per sub-ICB for the {unallocated} practices in no
PCN) - with the 21 QOF disease registers as recorded prevalence: {values:,} values.

- Source: {source}.
  Published by NHS Digital (now NHS England):
  https://digital.nhs.uk/data-and-information/publications/statistical/quality-and-outcomes-framework-achievement-prevalence-and-exceptions-data/2022-23
- Licence: {licence}. Contains public sector information licensed under the
  Open Government Licence v3.0 (Crown copyright).
- Built by `scripts/build_england_dataset.py` with the QOF importer
  (`python -m netcompare import qof --prevalence PREVALENCE_2223.csv --mapping
  MAPPING_NHS_GEOGRAPHIES_2223.csv --format parquet ...` gives the same tables).

What the tables hold:

- `indicators`: `PREV_<GROUP>` for each register, e.g. `PREV_DM` "Diabetes prevalence (17+)":
  numerator REGISTER, denominator PRACTICE_LIST_SIZE of the register's age band
  (PATIENT_LIST_TYPE), polarity neutral (prevalence is not a measure of quality), no target;
  care package = NHS Digital's higher group (Cardiovascular, Respiratory, ...). Each names
  who it counts (`numerator_definition`: patients on the register; `denominator_definition`:
  registered patients in the register's age band, no exceptions), its source (NHS Digital
  QOF PREVALENCE 2022-23) and its `licence` ({licence}): the
  definition every page shows.
- `networks`: PCN code and name; parent area = the sub-ICB of most of the PCN's practices.
- `practices`: ODS code, name, PCN, list size (all ages, TOTAL list).
- `values`: one period, 2022-04-01 (the 2022-23 QOF year).

England totals (sum of registers / sum of list sizes) match the publication: diabetes (17+)
{dm:.2f}%, hypertension {hyp:.2f}%.

Left out ({left_out} row(s)), as the importer reported:
{left_out_lines}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    real = ROOT.parent / "shared" / "real-data"
    parser.add_argument("--prevalence", default=str(real / "PREVALENCE_2223.csv"))
    parser.add_argument("--mapping", default=str(real / "MAPPING_NHS_GEOGRAPHIES_2223.csv"))
    parser.add_argument("--out", default=str(ROOT / "datasets" / "england-qof-prevalence-2022-23"))
    args = parser.parse_args(argv)

    result = import_qof(
        prevalence=[args.prevalence], mapping=args.mapping, name=NAME, source=SOURCE
    )
    result.to_dataset()  # the same checks load_dataset runs; raises if anything is wrong
    out = write_dataset(args.out, result.tables, fmt="parquet", metadata=result.metadata)

    values = result.tables["values"]

    def england(indicator: str) -> float:
        part = values.filter(pl.col("indicator_id") == indicator)
        return 100 * part["numerator"].sum() / part["denominator"].sum()

    report = result.report
    left = report.left_out
    unallocated = (
        result.tables["practices"].filter(pl.col("network_id").str.starts_with("U-")).height
    )
    (out / "README.md").write_text(
        README.format(
            practices=report.practices,
            networks=report.networks,
            unallocated=unallocated,
            values=report.values,
            source=SOURCE,
            licence=LICENCE,
            dm=england("PREV_DM"),
            hyp=england("PREV_HYP"),
            left_out=left.height,
            left_out_lines="\n".join(
                f"- {Path(f).name}, row {r}: {w}: {why}" for f, r, w, why in left.rows()
            )
            or "- nothing",
        ),
        encoding="utf-8",
    )
    print("\n".join(report.summary_lines()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
