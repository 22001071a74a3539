"""The two comparison sections (issue 14 points 1 and 3), each drawn by one call from its page:

- :func:`compare_practices_section` on the League table page, above the table: a ranked bar
  per practice (the league table's own values, CIs, RAG and labels), with its order, scope
  and benchmark-line controls; a clicked bar shows that practice and a button to its profile;
- :func:`compare_indicators_section` at the bottom of the Overview: two indicators' values
  across practices as a scatter, the chosen network highlighted, the correlation in words; a
  clicked point shows that practice and a button to its profile.
"""

from __future__ import annotations

import streamlit as st

from netcompare.charts.compare import BAR_SELECTION, compare_chart
from netcompare.charts.scatter import POINT_SELECTION, scatter_chart
from netcompare.data.dataset import DataSet
from netcompare.text import literal
from netcompare.ui.filters import Filters
from netcompare.ui.linked import linked_choice
from netcompare.ui.views import league_table, scatter_view
from netcompare.ui.widgets import profile_button, show_chart, table_download
from netcompare.views.common import ALL
from netcompare.views.compare_practices import (
    SCOPE_ALL,
    SCOPE_NETWORK,
    SORT_VALUE,
    SORT_WORDS,
    SORTS,
    compare_practices_view,
)
from netcompare.views.scatter import default_pair

KEY_SORT = "compare_sort"
KEY_SCOPE = "compare_scope"
KEY_LINE = "compare_line"
KEY_CHART = "compare_chart"
KEY_X = "scatter_x"
KEY_Y = "scatter_y"
KEY_SCATTER = "scatter_chart"


def _picked(event: object, selection: str) -> str | None:
    """The practice_id of the clicked mark, if any."""
    if not event:
        return None
    chosen = event.get("selection", {}).get(selection, []) or []  # type: ignore[union-attr]
    return chosen[0].get("practice_id") if chosen else None


def compare_practices_section(data: DataSet, f: Filters, *, method: str, benchmark: str) -> None:
    """The ranked bar chart of the league table (same arguments as the page's table)."""
    st.header("Compare practices")
    options = f.view_options()
    league = league_table(
        data,
        f.indicator_id,
        f.period,
        options,
        method=method,
        benchmark=benchmark,
        only_network=False,
    )
    controls = st.container(horizontal=True, gap="medium", key="compare_controls")
    # Radios, not segmented controls: Streamlit's selected segment is 4.47:1 against its
    # background (axe-core, WCAG 1.4.3 wants 4.5:1).
    sort = linked_choice(
        controls.radio,
        "Order",
        SORTS,
        key=KEY_SORT,
        format_func=lambda s: literal(SORT_WORDS[s]),
        default=SORT_VALUE,
        horizontal=True,
    )
    scope = SCOPE_ALL
    if f.network_id != ALL:
        only = controls.toggle(
            "Bars: only my network's practices", key=KEY_SCOPE, bind="query-params"
        )
        scope = SCOPE_NETWORK if only else SCOPE_ALL
    first = compare_practices_view(
        league, data, f.indicator_id, f.period, options, sort=sort or SORT_VALUE, scope=scope
    )
    line = first.line_choices[0]
    if len(first.line_choices) > 1:
        words = first.line_words
        line = (
            linked_choice(
                controls.radio,
                "Benchmark line",
                first.line_choices,
                key=KEY_LINE,
                format_func=lambda c: literal(words[c]),
                default=first.line_choices[0],
                horizontal=True,
            )
            or first.line_choices[0]
        )
    view = (
        first
        if line == first.line_choices[0]
        else compare_practices_view(
            league,
            data,
            f.indicator_id,
            f.period,
            options,
            sort=sort or SORT_VALUE,
            scope=scope,
            line=line,
        )
    )
    if view.too_many:
        st.info(literal(view.too_many))
        table_download(view.data_shown, name=f"compare_{f.indicator_id}")
        return
    event = show_chart(
        compare_chart(
            view.bars,
            view.title,
            view.caption,
            benchmark=view.benchmark,
            target=view.target,
            summary=view.summary,
            large=f.presentation,
        ),
        key=KEY_CHART,
        selectable=True,
        data=view.data_shown,
    )
    st.caption(literal(view.summary))
    pick = view.pick(_picked(event, BAR_SELECTION))
    if pick is None:
        st.caption("Click a bar to see that practice and open its profile.")
        return
    st.subheader(literal(pick.practice.label))
    st.write(literal(pick.words))
    profile_button(pick.practice.practice_id, pick.practice.label, key="compare_profile")


def compare_indicators_section(data: DataSet, f: Filters) -> None:
    """Two indicators across practices: the scatter, the correlation, a clicked practice."""
    st.header("Compare two indicators")
    indicators = data.indicators
    ids = indicators.get_column("indicator_id").to_list()
    if len(ids) < 2:
        st.info("This data set has only one indicator: nothing to compare it with.")
        return
    names = dict(indicators.select("indicator_id", "name").iter_rows())
    x_default, y_default = default_pair(data, f.care_package)
    left, right = st.columns(2)
    x_id = left.selectbox(
        "X axis",
        ids,
        index=ids.index(x_default),
        key=KEY_X,
        format_func=lambda i: names.get(i, i),
    )
    y_id = right.selectbox(
        "Y axis",
        ids,
        index=ids.index(y_default),
        key=KEY_Y,
        format_func=lambda i: names.get(i, i),
    )
    view = scatter_view(data, x_id, y_id, f.period, f.view_options())
    if view.no_data:
        st.info(literal(view.no_data))
        return
    event = show_chart(
        scatter_chart(
            view.points,
            view.title,
            view.caption,
            x_title=view.x_title,
            y_title=view.y_title,
            summary=view.summary,
            large=f.presentation,
        ),
        key=KEY_SCATTER,
        selectable=True,
        data=view.data_shown,
    )
    st.caption(literal(view.summary))
    st.write(literal(view.correlation_words))
    pick = view.pick(_picked(event, POINT_SELECTION))
    if pick is None:
        st.caption("Click a point to see that practice and open its profile.")
        return
    st.subheader(literal(pick.practice.label))
    st.write(literal(pick.words))
    profile_button(pick.practice.practice_id, pick.practice.label, key="scatter_profile")
