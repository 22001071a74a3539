"""The Data page's coverage chart: how many values each period holds."""

from __future__ import annotations

import altair as alt
import polars as pl

from netcompare.charts.common import described, sized, titled, to_records


def coverage_summary(coverage: pl.DataFrame) -> str:
    """One sentence saying what the coverage chart shows (its text alternative)."""
    if coverage.height == 0:
        return "Coverage chart: no values in any period."
    counts = coverage.get_column("Values")
    periods = coverage.get_column("Period")
    return (
        f"Coverage chart of {coverage.height} periods, {periods[0]} to {periods[-1]}: "
        f"{counts.min():,} to {counts.max():,} values a period."
    )


def coverage_chart(coverage: pl.DataFrame, title: str, caption: str, *, large: bool = False):
    """Bars of values per period (columns ``Period``, as the data names it, and ``Values``)."""
    order = coverage.get_column("Period").to_list()
    bars = (
        alt.Chart(to_records(coverage.select("Period", "Values")))
        .mark_bar(color="#005EB8")
        .encode(
            x=alt.X("Period:N", sort=order, title="Period"),
            y=alt.Y("Values:Q", title="Values", scale=alt.Scale(zero=True)),
            tooltip=[alt.Tooltip("Period:N"), alt.Tooltip("Values:Q", format=",")],
        )
    )
    chart = titled(sized(bars, large=large), title, caption, large=large)
    return described(chart, coverage_summary(coverage))
