"""Networks: averages against network targets, the spread inside each, and incentives."""

import streamlit as st

from netcompare.charts.networks import (
    network_bars,
    network_bars_summary,
    practice_spread,
    practice_spread_summary,
)
from netcompare.text import literal
from netcompare.ui.actions import open_actions
from netcompare.ui.context import current_view
from netcompare.ui.definition import definition_button
from netcompare.ui.pack import meeting_pack_section
from netcompare.ui.views import incentive_table, network_summary, practice_label_map
from netcompare.ui.widgets import need_indicator, show_chart, table_download
from netcompare.views.format import period_label
from netcompare.views.networks import DEFAULT_UPFRONT
from netcompare.views.notes import network_name_map

view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(literal(f"Networks: {indicator.name}"))
definition_button(data, f.indicator_id, key="networks_definition")
when = period_label(f.period, indicator.period_type)

summary = network_summary(data, f.indicator_id, f.period, f.view_options())
if summary.networks.height == 0:
    st.info(literal(f"No network has data for {when}."))
    st.stop()
if summary.share_meeting is not None:
    st.metric(
        "Networks meeting the network target", summary.meeting, help=literal(summary.meeting_help)
    )
else:
    st.info("This indicator has no network target: averages are shown without one.")

if summary.subset_note:
    st.caption(literal(summary.subset_note))
show_chart(
    network_bars(
        summary.chart_networks,
        summary.network_target,
        f"Network averages, {when}",
        summary.caption,
        large=f.presentation,
    ),
    key="network_bars",
    data=summary.networks_shown,
)
st.caption(literal(network_bars_summary(summary.chart_networks, summary.network_target)))
if summary.singles_note:
    st.caption(literal(summary.singles_note))
show_chart(
    practice_spread(
        summary.chart_practices,
        list(summary.chart_order),
        summary.network_target,
        "Spread of practices within each network",
        summary.spread_caption,
        large=f.presentation,
    ),
    key="practice_spread",
    data=summary.practices_shown,
)
st.caption(literal(practice_spread_summary(summary.chart_practices, summary.network_target)))
if summary.table is not None:
    st.dataframe(summary.table, hide_index=True)
    table_download(summary.table, name=f"networks_{f.indicator_id}")

# -- the open and overdue actions agreed at the chosen network's meetings ----------------------
st.header("Actions")
practice_labels = practice_label_map(data, f.view_options())
open_actions(
    None if f.all_networks else f.network_id,
    practice_label=lambda p: practice_labels.get(p, p),
    network_names=network_name_map(data),
    key="networks",
    show_text=not f.anonymised,
)
st.caption("Add, edit and close actions on the Peer notes page.")

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
incentives = incentive_table(
    data,
    f.period,
    f.view_options(),
    care_package=f.care_package,
    contract_value=float(contract),
    upfront_share=upfront / 100,
)
c3.write(literal(incentives.at_risk_words))
if not incentives.indicator_ids:
    st.info("No indicator in this care package has a network target: nothing is at risk.")
else:
    st.dataframe(
        incentives.shown,
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="£%,.0f")
            for c in ("Up front £", "At risk £", "Earned at today's averages £", "Not earned £")
        },
    )
    table_download(incentives.shown, name="incentives")

meeting_pack_section(data, f)
