"""An indicator's definition, as every page offers it one click away (issue 14.4).

The definition is read from the data set's ``indicators`` table (netcompare.data.schema):
what the indicator is, who its numerator and denominator count (and which patients are
excepted), which direction is better, its targets, how often it comes, where it comes from
and under which licence. It is plain text: the UI (netcompare.ui.definition) passes every
field through ``netcompare.text.literal`` before Streamlit renders it.

A field the table leaves out or empty says :data:`NOT_GIVEN`; a target the indicator does
not have says :data:`NO_VALUE` ("none"), as the Data page's indicators table does. Nothing
is ever blank, "None" or "nan".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import polars as pl

from netcompare.data.dataset import DataSet
from netcompare.data.indicator import Indicator
from netcompare.views.common import ALL

NOT_GIVEN = "not given"
NO_VALUE = "none"

# Which direction is better (METHODS.md section 3, Fingertips polarity), in words.
POLARITY_WORDS = {
    "high": "higher is better",
    "low": "lower is better",
    "neutral": "neither: no direction is better",
}

# What one period of the indicator is (netcompare.types.PeriodType), in words.
PERIOD_TYPE_DEFINITIONS = {
    "month": "monthly (each period is a calendar month)",
    "quarter": "quarterly (each period is a calendar quarter)",
    "year": "yearly (each period is a calendar year)",
    "financial_year": "yearly (each period is a financial year, April to March)",
}

# The rows of a definition, in the order they are shown.
DEFINITION_FIELDS = (
    "Name",
    "Code",
    "Description",
    "Numerator",
    "Denominator",
    "Polarity",
    "Target",
    "Amber from",
    "Network target",
    "Period type",
    "Care package",
    "Source",
    "Licence",
)


def text_or_not_given(value: object) -> str:
    """A text field as shown: stripped, or "not given" when missing, empty or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_GIVEN
    text = str(value).strip()
    return text if text else NOT_GIVEN


def target_text(value: float | None) -> str:
    """A target or threshold (a proportion 0-1) as a percentage: "95%", "92.5%"; "none"
    when the indicator has none. Never rounded to a different whole percent."""
    if value is None or math.isnan(value):
        return NO_VALUE
    digits = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{digits}%"


def polarity_words(polarity: str) -> str:
    """ "higher is better", "lower is better" or "neither: no direction is better"."""
    return POLARITY_WORDS.get(polarity, polarity)


def period_type_words(period_type: str) -> str:
    """ "monthly (each period is a calendar month)", … for a period type."""
    return PERIOD_TYPE_DEFINITIONS.get(period_type, text_or_not_given(period_type))


def indicator_licence(indicator: Indicator, data: DataSet) -> str:
    """The indicator's own licence, else the data set's (dataset.json), else "not given"."""
    own = text_or_not_given(indicator.licence)
    return own if own != NOT_GIVEN else text_or_not_given(data.licence)


def indicator_definition(data: DataSet, indicator_id: str) -> list[tuple[str, str]]:
    """The definition of one indicator as (field, text) rows, in :data:`DEFINITION_FIELDS`
    order: name, code, description, numerator, denominator, polarity, targets, period
    type, care package, source and licence. Raises KeyError for an unknown indicator."""
    i = data.indicator(indicator_id)
    values = {
        "Name": text_or_not_given(i.name),
        "Code": text_or_not_given(i.indicator_id),
        "Description": text_or_not_given(i.description),
        "Numerator": text_or_not_given(i.numerator_definition),
        "Denominator": text_or_not_given(i.denominator_definition),
        "Polarity": polarity_words(i.polarity),
        "Target": target_text(i.target),
        "Amber from": target_text(i.amber_threshold),
        "Network target": target_text(i.network_target),
        "Period type": period_type_words(i.period_type),
        "Care package": text_or_not_given(i.care_package),
        "Source": text_or_not_given(i.source),
        "Licence": indicator_licence(i, data),
    }
    return [(field, values[field]) for field in DEFINITION_FIELDS]


def definition_frame(rows: Iterable[tuple[str, str]]) -> pl.DataFrame:
    """Definition rows as a two-column frame (Field, Definition), for a table."""
    rows = list(rows)
    return pl.DataFrame(
        {"Field": [f for f, _ in rows], "Definition": [t for _, t in rows]},
        schema={"Field": pl.String(), "Definition": pl.String()},
    )


def indicators_of_package(data: DataSet, care_package: str = ALL) -> list[str]:
    """The indicator ids of one care package (every indicator for ``ALL``), in the
    indicators table's order: those a page such as the overview shows together."""
    table = data.indicators
    if care_package != ALL:
        table = table.filter(pl.col("care_package") == care_package)
    return table.get_column("indicator_id").to_list()
