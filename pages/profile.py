"""Practice profile: one practice across every indicator — spine chart, table and notes."""

import dataclasses

import streamlit as st

from netcompare.charts.spine import spine_chart, spine_summary
from netcompare.notes.render import note_header_markdown
from netcompare.text import literal
from netcompare.ui.context import current_view
from netcompare.ui.definition import definitions_button
from netcompare.ui.judgement import current_judgement, judgement_caption
from netcompare.ui.notes import (
    note_counts,
    notes_count_label,
    notes_panel,
    notes_store,
    practice_notes,
    thread_notes,
)
from netcompare.ui.views import profile_view
from netcompare.ui.widgets import jump_button, show_chart, table_download
from netcompare.views.common import package_words
from netcompare.views.notes import indicator_name_map

view = current_view()
data, f = view.data, view.filters
if f.practice_id is None:
    st.title("Practice profile")
    st.info("Choose a practice in the sidebar (this network has none).")
    st.stop()

judgement = current_judgement()
profile = profile_view(
    data,
    f.practice_id,
    f.view_options(),
    care_package=f.care_package,
    benchmark=judgement.benchmark,
    method=judgement.method,
)
st.title(literal(profile.title))
definitions_button(data, f.care_package, chosen=f.indicator_id, key="profile_definitions")
st.caption(literal(profile.subtitle))
judgement_caption(judgement)
for note in profile.left_out:
    st.info(literal(note))
if profile.rows.height == 0:
    st.info(literal(f"No indicator of {package_words(f.care_package)} has data to show."))
    st.stop()

show_chart(
    spine_chart(
        profile.rows,
        profile.title,
        profile.caption,
        practice_label=profile.label,
        network_name=profile.network_name,
        large=f.presentation,
    ),
    key="spine_chart",
    data=profile.spine_shown,
)
st.caption(literal(spine_summary(profile.rows, profile.label)))

st.dataframe(
    profile.shown,
    hide_index=True,
    key="profile_table",
    column_config={
        "Value %": st.column_config.NumberColumn(format="%.1f"),
        "Network average %": st.column_config.NumberColumn(
            format="%.1f",
            help="The practice's network, pooled: Σ numerator / Σ denominator of its practices",
        ),
        "Benchmark %": st.column_config.NumberColumn(
            format="%.1f", help="The centre the comparison uses (see the caption above)"
        ),
        "vs benchmark": st.column_config.TextColumn(
            help="The judgement every page gives: the funnel plot's limits"
        ),
        "Recent trend (5 periods)": st.column_config.TextColumn(
            help="Fingertips' recent trend: chi-square test for trend over the last 5 "
            "periods, significant at 99.8%"
        ),
    },
)
table_download(profile.shown, name=f"profile_{f.practice_id}")
if f.indicator_id is not None:
    jump_button(
        "Trend and SPC of this practice",
        "pages/trends.py",
        indicator_id=f.indicator_id,
        practice_id=f.practice_id,
        key="profile_trends",
    )

# -- notes -----------------------------------------------------------------------------------
counts = note_counts([f.practice_id])
n_notes, n_open = (int(v) for v in counts.row(0)[1:3])
st.header("Notes and open questions")
st.caption(literal(notes_count_label(n_notes, n_open)))
indicator_names = indicator_name_map(data)
show_text = True
if f.anonymised or profile.hidden:
    st.warning(
        "This practice is not named here, but notes are free text written by people: they may "
        "name it, its staff or patients. Note text and authors are hidden; show them only if "
        "everyone who can see this screen may read them.",
        icon=":material/warning:",
    )
    show_text = st.toggle("Show note text and authors", key="profile_show_text", value=False)
if show_text:
    notes_panel(
        f.practice_id,
        None,
        network_id=profile.network_id,
        practice_label=profile.label,
        indicator_labels=indicator_names,
        key="profile",
    )
elif notes_store() is not None:
    for note, answers in thread_notes(practice_notes(f.practice_id)):
        with st.container(border=True):
            for shown in (note, *answers):
                st.markdown(
                    note_header_markdown(
                        dataclasses.replace(shown, author="author hidden"),
                        indicator_name=indicator_names.get(shown.indicator_id or ""),
                    )
                )
            st.caption("Text hidden while the practice is not named.")
