"""Networks: averages against network targets, the spread inside each, and incentives."""

import polars as pl
import streamlit as st

from netcompare.charts.networks import network_bars, practice_spread
from netcompare.ui.context import current_view
from netcompare.ui.widgets import need_indicator, show_chart
from netcompare.views.common import chart_caption, period_words
from netcompare.views.networks import DEFAULT_UPFRONT, incentive_table, network_summary

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(f"Networks: {indicator['name']}")

summary = network_summary(data, f.indicator_id, f.period, f.view_options())
if summary.networks.height == 0:
    st.info(f"No network has data for {period_words(f.period)}.")
    st.stop()
target = summary.network_target
target_words = "no network target" if target is None else f"network target {target:.0%}"
if summary.share_meeting is not None:
    met = int(summary.networks.get_column("meets").sum())
    st.metric(
        "Networks meeting the network target",
        f"{met} of {summary.networks.height}",
        help=f"{summary.share_meeting:.0%} of networks; {target_words}",
    )
else:
    st.info("This indicator has no network target: averages are shown without one.")

too_many = summary.networks.height > 40
networks = summary.networks
if too_many:
    st.caption(
        f"{summary.networks.height} networks: the charts show the 20 highest and 20 lowest "
        "and your network; the table below lists them all."
    )
    top = networks.head(20)
    bottom = networks.tail(20)
    mine = networks.filter(pl.col("is_chosen"))
    networks = pl.concat([top, mine, bottom]).unique("network_id", maintain_order=True)
caption = chart_caption(
    indicator["name"],
    f.period,
    benchmark=target_words,
    method="pooled network average (Σ numerator / Σ denominator)",
    net_of_exceptions=f.net_of_exceptions,
    source=data.name,
)
show_chart(
    network_bars(
        networks,
        target,
        f"Network averages, {period_words(f.period)}",
        caption,
        large=f.presentation,
    ),
    key="network_bars",
)
order = networks.get_column("network_name").to_list()
practices = summary.practices.filter(pl.col("network_name").is_in(order))
singles = summary.networks.filter(pl.col("practices") == 1)
if singles.height:
    st.caption(
        "Networks of one practice have no spread: "
        + ", ".join(singles.get_column("network_name").head(10).to_list())
    )
show_chart(
    practice_spread(
        practices,
        order,
        target,
        "Spread of practices within each network",
        caption.replace("pooled network average (Σ numerator / Σ denominator)", "practice values"),
        large=f.presentation,
    ),
    key="practice_spread",
)
if too_many:
    st.dataframe(
        summary.networks.select(
            pl.col("network_name").alias("Network"),
            pl.col("practices").alias("Practices"),
            (pl.col("value") * 100).round(1).alias("Average %"),
            pl.col("meets").alias("Meets target"),
        ),
        hide_index=True,
    )

st.header("Incentives")
st.caption(
    "As in Tower Hamlets: part of each network's contract is paid up front, the rest only "
    "for each targeted indicator whose network average meets its network target."
)
c1, c2, c3 = st.columns(3)
contract = c1.number_input(
    "Contract value per network (£)",
    min_value=0,
    value=100_000,
    step=5_000,
    key="contract_value",
    bind="query-params",
)
upfront = c2.slider(
    "Paid up front",
    min_value=0,
    max_value=100,
    value=int(DEFAULT_UPFRONT * 100),
    step=5,
    format="%d%%",
    key="upfront_pct",
    bind="query-params",
)
package = f.care_package
c3.write(
    f"At risk: **{100 - upfront}%**, over the indicators with a network target in "
    f"{'all care packages' if package == 'all' else package}."
)
table, ids = incentive_table(
    data,
    f.period,
    f.view_options(),
    care_package=package,
    contract_value=float(contract),
    upfront_share=upfront / 100,
)
if not ids:
    st.info("No indicator in this care package has a network target: nothing is at risk.")
else:
    st.dataframe(
        table.select(
            pl.when(pl.col("is_chosen")).then(pl.lit("◆")).otherwise(pl.lit("")).alias("Yours"),
            pl.col("network_name").alias("Network"),
            pl.format("{} of {}", pl.col("met"), pl.col("targets")).alias("Targets met"),
            pl.col("upfront").alias("Up front £"),
            pl.col("at_risk").alias("At risk £"),
            pl.col("earned").alias("Earned at today's averages £"),
            pl.col("lost").alias("Not earned £"),
        ),
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="£%,.0f")
            for c in ("Up front £", "At risk £", "Earned at today's averages £", "Not earned £")
        },
    )
