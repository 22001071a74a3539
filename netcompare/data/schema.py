"""The canonical tables of a netcompare data set, with explicit polars schemas.

A data set is four tables (the design notes, PRODUCT.md "Data model", describe them):

- ``networks``: one row per network (PCN, federation, Tower Hamlets network).
- ``practices``: one row per practice, each in exactly one network.
- ``indicators``: one row per indicator, with polarity and optional targets.
- ``values``: long table, one row per (practice, indicator, period).

``values.denominator`` counts *every* eligible patient, exceptions included; ``exceptions``
says how many of them were excepted, so the QOF-style denominator is
``denominator - exceptions``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

TABLE_NAMES: tuple[str, ...] = ("networks", "practices", "indicators", "values")

# The polarities and period types are defined once, in netcompare.types. An indicator's
# period_type says what its ``values.period`` dates stand for: the month starting then, the
# quarter, the calendar year, or the financial year (1 April to 31 March) — the kinds of
# :class:`netcompare.data.inputs.Period`. An indicators table without the column is read as
# monthly (data sets written before the column existed).


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: pl.DataType
    required: bool = True  # must be present in the file
    nullable: bool = False  # may hold missing values
    description: str = ""


TABLES: dict[str, tuple[Column, ...]] = {
    "networks": (
        Column("network_id", pl.String(), description="Network code, e.g. a PCN ODS code"),
        Column("network_name", pl.String(), description="Network name as shown"),
        Column(
            "parent_area",
            pl.String(),
            required=False,
            nullable=True,
            description="Parent area, e.g. sub-ICB or borough",
        ),
    ),
    "practices": (
        Column("practice_id", pl.String(), description="Practice code (ODS code where real)"),
        Column("practice_name", pl.String(), description="Practice name"),
        Column("network_id", pl.String(), description="The practice's network"),
        Column(
            "list_size",
            pl.Int64(),
            required=False,
            nullable=True,
            description="Registered patients",
        ),
        Column(
            "share_name",
            pl.Boolean(),
            required=False,
            nullable=False,
            description="Whether the practice may be named outside its network (default true)",
        ),
    ),
    "indicators": (
        Column("indicator_id", pl.String(), description="Indicator code"),
        Column("name", pl.String(), description="Indicator name"),
        Column("care_package", pl.String(), description="Care package or clinical domain"),
        Column("description", pl.String(), required=False, nullable=True),
        Column(
            "numerator_definition",
            pl.String(),
            required=False,
            nullable=True,
            description="Who is counted in the numerator",
        ),
        Column(
            "denominator_definition",
            pl.String(),
            required=False,
            nullable=True,
            description="Who is counted in the denominator (and the exceptions)",
        ),
        Column(
            "polarity",
            pl.String(),
            required=False,
            nullable=False,
            description="high (higher is better), low or neutral; default high",
        ),
        Column(
            "target",
            pl.Float64(),
            required=False,
            nullable=True,
            description="Practice target as a proportion 0-1",
        ),
        Column(
            "amber_threshold",
            pl.Float64(),
            required=False,
            nullable=True,
            description="Value from which a practice is amber rather than red (0-1)",
        ),
        Column(
            "network_target",
            pl.Float64(),
            required=False,
            nullable=True,
            description="Target for the network average (0-1)",
        ),
        Column("source", pl.String(), required=False, nullable=True),
        Column(
            "licence",
            pl.String(),
            required=False,
            nullable=True,
            description="The licence the indicator's data is published under",
        ),
        Column(
            "period_type",
            pl.String(),
            required=False,
            nullable=False,
            description="month, quarter, year or financial_year: what each period date "
            "stands for (default month)",
        ),
    ),
    "values": (
        Column("practice_id", pl.String()),
        Column("indicator_id", pl.String()),
        Column("period", pl.Date(), description="Month or year start"),
        Column("numerator", pl.Int64()),
        Column("denominator", pl.Int64(), description="All eligible patients, exceptions included"),
        Column(
            "exceptions",
            pl.Int64(),
            required=False,
            nullable=True,
            description="Patients excepted (PCAs); QOF denominator = denominator - exceptions",
        ),
    ),
}

DEFAULTS: dict[tuple[str, str], object] = {
    ("practices", "share_name"): True,
    ("indicators", "polarity"): "high",
    ("indicators", "period_type"): "month",
}


def schema(table: str) -> pl.Schema:
    """The polars schema of a canonical table (every column, optional ones included)."""
    return pl.Schema({c.name: c.dtype for c in TABLES[table]})


def empty_frame(table: str) -> pl.DataFrame:
    """An empty frame with the canonical schema of ``table``."""
    return pl.DataFrame(schema=schema(table))
