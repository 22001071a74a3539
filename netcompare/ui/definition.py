"""The indicator's definition, one click away on every page (issue 14.4).

:func:`definition_button` is a "Definition" popover under a page's title that shows the
indicator's definition (netcompare.views.definition) as a two-column table;
:func:`definitions_button` does the same for a page that shows several indicators at once
(the overview), with the indicator to define chosen inside the popover.

``st.table`` renders Markdown in its cells (Streamlit 1.67), and every field comes from a
data set someone else wrote, so each cell goes through :func:`netcompare.text.literal`.
"""

from __future__ import annotations

import streamlit as st

from netcompare.data.dataset import DataSet
from netcompare.text import literal
from netcompare.views.common import ALL
from netcompare.views.definition import (
    definition_frame,
    indicator_definition,
    indicators_of_package,
)

DEFINITION_ICON = ":material/info:"


def definition_table(data: DataSet, indicator_id: str) -> None:
    """The definition's rows as a borderless key-value table (text shown as written)."""
    rows = [(literal(f), literal(t)) for f, t in indicator_definition(data, indicator_id)]
    st.table(definition_frame(rows), border="horizontal", hide_header=True)


def definition_button(data: DataSet, indicator_id: str, *, key: str) -> None:
    """A "Definition" popover showing the definition of ``indicator_id``: name,
    description, numerator, denominator, polarity, targets, period type, source, licence."""
    name = data.indicator(indicator_id).name
    with st.popover(
        "Definition",
        icon=DEFINITION_ICON,
        help=literal(f"What {name} counts, its targets, source and licence"),
        key=key,
    ):
        definition_table(data, indicator_id)


def definitions_button(
    data: DataSet, care_package: str = ALL, *, chosen: str | None, key: str
) -> None:
    """A "Definitions" popover for a page showing every indicator of ``care_package`` (all
    of them for ``ALL``), as the overview does: choose one (``chosen`` is shown first, else
    the package's first) and see its definition."""
    ids = indicators_of_package(data, care_package)
    if not ids:
        return
    first = ids.index(chosen) if chosen in ids else 0
    names = {i: data.indicator(i).name for i in ids}
    with st.popover(
        "Definitions",
        icon=DEFINITION_ICON,
        help="What each indicator shown counts, its targets, source and licence",
        key=key,
    ):
        # Keyed by the chosen indicator so the choice follows the sidebar's indicator.
        indicator_id = st.selectbox(
            "Indicator",
            ids,
            index=first,
            format_func=lambda i: names[i],
            key=f"{key}_{ids[first]}",
        )
        definition_table(data, indicator_id or ids[first])
