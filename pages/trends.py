"""Trends and SPC: a practice (or its network) over time, with Making Data Count rules."""

import datetime as dt

import streamlit as st

from netcompare.charts.icons import (
    assurance_icon_svg,
    assurance_words,
    variation_icon_svg,
    variation_words,
)
from netcompare.charts.trends import spc_chart_spec, spc_summary, trend_chart, trend_summary
from netcompare.errors import UserError
from netcompare.text import literal
from netcompare.types import TWO_IN_THREE_VARIANTS
from netcompare.ui.context import current_view
from netcompare.ui.definition import definition_button
from netcompare.ui.linked import linked_choice, linked_multiselect
from netcompare.ui.notes import find_interventions, notes_popover, notes_store
from netcompare.ui.views import trend_view
from netcompare.ui.widgets import need_indicator, profile_button, show_chart
from netcompare.views.common import practice_network_map
from netcompare.views.format import SPC_CHART_WORDS, period_label
from netcompare.views.interventions import interventions_from_notes
from netcompare.views.notes import without_free_text
from netcompare.views.trends import SPC_CHARTS, TWO_IN_THREE_WORDS, rebase_periods

REBASE_KEY = "rebase"


def rebase_at_intervention(iso: str) -> None:
    """Button callback (before the rerun draws the "Rebase at" box): new limits from ``iso``."""
    st.session_state[REBASE_KEY] = [iso]


view = current_view()
data, f = view.data, view.filters
need_indicator(f)
indicator = data.indicator(f.indicator_id)
st.title(literal(f"Trends: {indicator.name}"))
definition_button(data, f.indicator_id, key="trends_definition")

c1, c2, c3 = st.columns(3)
subject = linked_choice(
    c1.radio,
    "Show",
    ["practice", "network"],
    format_func=lambda v: "The chosen practice" if v == "practice" else "The chosen network",
    key="trend_subject",
    horizontal=True,
)
chart_kind = linked_choice(
    c2.radio,
    "SPC chart",
    SPC_CHARTS,
    format_func=SPC_CHART_WORDS.get,
    key="spc_kind",
    horizontal=True,
)
rebase_at = [p.isoformat() for p in rebase_periods(data, f.indicator_id, f.period)]
rebase = []
if rebase_at:  # none with too few periods: no empty, greyed-out box
    rebase = linked_multiselect(
        c3.multiselect,
        "Rebase at",
        rebase_at,
        format_func=lambda iso: period_label(dt.date.fromisoformat(iso), indicator.period_type),
        key=REBASE_KEY,
        help="Start new limits from this period (e.g. after a change in the way the practice "
        "works).",
    )
rule_col, show_col = st.columns([3, 1])
two_in_three = linked_choice(
    rule_col.radio,
    "Two-in-three rule",
    TWO_IN_THREE_VARIANTS,
    format_func=TWO_IN_THREE_WORDS.get,
    key="two_in_three",
    horizontal=True,
    help="Which points count towards two of three consecutive points near a limit: Making "
    "Data Count 2023 counts any point beyond 2σ, NHSRplotthedots only points between 2σ and "
    "3σ (as the command line's --two-in-three).",
)
show_interventions = show_col.toggle(
    "Show interventions",
    value=True,
    key="interventions",
    bind="query-params",
    help="Dated actions and “what we do” notes for this practice (or network) and indicator: "
    "a vertical line on both charts where the change started, and below the SPC chart "
    "whether it worked.",
)

practice_id = f.practice_id if subject == "practice" else None
if subject == "practice" and practice_id is None:
    st.info("Choose a practice in the sidebar (this network has none with data).")
    st.stop()
if subject == "network" and f.all_networks:
    st.info("Choose a network in the sidebar to see its trend.")
    st.stop()

interventions = ()
if show_interventions and notes_store() is not None:  # unavailable: warned, none drawn
    network_of = practice_network_map(data).get(practice_id) if practice_id else f.network_id
    if network_of is not None:
        shown_periods = [p for p in data.periods(f.indicator_id) if p <= f.period]
        interventions = tuple(
            interventions_from_notes(
                find_interventions(network_of, f.indicator_id, practice_id),
                shown_periods,
                indicator.period_type,
            )
        )
        if f.anonymised:  # notes are free text: they may name practices, staff or patients
            interventions = without_free_text(interventions)

try:
    trend = trend_view(
        data,
        f.indicator_id,
        f.view_options(),
        practice_id=practice_id,
        until=f.period,
        chart=chart_kind,
        rebase=tuple(dt.date.fromisoformat(r) for r in rebase),
        two_in_three=two_in_three,
        interventions=interventions,
    )
except UserError as exc:
    st.info(literal(f"No trend to show: {exc}"))
    st.stop()

show_chart(
    trend_chart(
        trend.lines,
        trend.subject_label,
        trend.target,
        trend.title,
        trend.caption,
        large=f.presentation,
        period_type=trend.period_type,
        y_title=trend.y_title,
        interventions=trend.interventions,
    ),
    key="trend_chart",
    data=trend.lines_shown,
)
st.caption(
    literal(
        trend_summary(trend.lines, trend.subject_label, trend.target, period_type=trend.period_type)
    )
)

chart_col, icon_col = st.columns([4, 1])
with chart_col:
    show_chart(
        spc_chart_spec(
            trend.spc,
            trend.target,
            trend.spc_title,
            trend.spc_caption,
            large=f.presentation,
            period_type=trend.period_type,
            subject=trend.subject_label,
            measure=trend.indicator_name,
            variation_icon=trend.summary.variation_icon,
            y_title=trend.y_title,
            interventions=trend.interventions,
        ),
        key="spc_chart",
        data=trend.spc_shown,
    )
    st.caption(
        literal(
            spc_summary(
                trend.spc,
                trend.subject_label,
                trend.indicator_name,
                variation_icon=trend.summary.variation_icon,
                period_type=trend.period_type,
            )
        )
    )
    if trend.interventions:
        st.header("Did it work?")
        st.caption(
            "For each change: SPC limits from the points before it, the Making Data Count "
            "rules applied to the points from it on."
        )
    for intervention, verdict in zip(trend.interventions, trend.verdicts, strict=True):
        when = period_label(intervention.date, trend.period_type)
        iso = intervention.date.isoformat()
        with st.container(border=True):
            st.markdown(
                f"**{literal(intervention.label)}** · {literal(intervention.kind_label)} · "
                f"{literal(intervention.author)} · started {literal(when)}"
            )
            st.markdown(literal(verdict.words))
            st.text(intervention.text)
            can_rebase = iso in rebase_at
            st.button(
                literal(f"Rebase at {when}"),
                key=f"rebase_at_{intervention.note_uid}",
                icon=":material/restart_alt:",
                on_click=rebase_at_intervention,
                args=(iso,),
                disabled=not can_rebase or rebase == [iso],
                help="Start new SPC limits from this change (the “Rebase at” box above)."
                if can_rebase
                else "The first period of the series: there is nothing before it to rebase from.",
            )
with icon_col:
    variation = variation_words(trend.summary.variation_icon)
    assurance = assurance_words(trend.summary.assurance)
    st.markdown("**Variation**")
    st.image(
        variation_icon_svg(trend.summary.variation_icon),
        width=96,
        alt=f"Variation icon: {variation}",
    )
    st.caption(literal(variation))
    st.markdown("**Assurance**")
    st.image(
        assurance_icon_svg(trend.summary.assurance),
        width=96,
        alt=f"Assurance icon: {assurance}",
    )
    st.caption(literal(assurance))
for warning in trend.summary.warnings:
    st.warning(literal(warning))

if trend.practice is not None:
    notes_popover(
        trend.practice.practice_id,
        f.indicator_id,
        network_id=trend.practice.network_id,
        period=f.period,
        practice_label=trend.practice.label,
        indicator_labels={f.indicator_id: indicator.name},
        key="trends",
    )
    profile_button(trend.practice.practice_id, trend.practice.label, key="trends_profile")
