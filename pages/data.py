"""Data: what is loaded, its warnings, and loading another data set."""

import streamlit as st

from netcompare.charts.coverage import coverage_chart, coverage_summary
from netcompare.config import settings as app_settings
from netcompare.errors import UserError
from netcompare.text import literal
from netcompare.ui.context import current_view
from netcompare.ui.importing import import_panel
from netcompare.ui.upload import save_uploads, upload_limit_mb, use_source, use_upload
from netcompare.ui.views import dataset_view
from netcompare.ui.widgets import show_chart, table_download

view = current_view()
data = view.data
shown = dataset_view(data, view.filters.view_options())
st.title("Data")

s = data.summary()
st.header(literal(s["name"]))
st.caption(
    literal(f"Source: {data.source}" + (f" · Licence: {data.licence}" if data.licence else ""))
)
cols = st.columns(5)
cols[0].metric("Networks", f"{s['networks']:,}")
cols[1].metric("Practices", f"{s['practices']:,}")
cols[2].metric("Indicators", f"{s['indicators']:,}")
cols[3].metric("Periods", f"{s['periods']:,}")
cols[4].metric("Values", f"{s['values']:,}")
if shown.periods_words:
    st.text(shown.periods_words)

st.header("Validation warnings")
if data.warnings:
    for problem in data.warnings:
        st.warning(literal(str(problem)))
else:
    st.success("No warnings: every practice has data in the latest period.")

with st.expander("Indicators"):
    st.dataframe(shown.indicators_shown, hide_index=True)
    table_download(shown.indicators_shown, name="indicators")
with st.expander("Networks and practices"):
    st.dataframe(shown.practices, hide_index=True)
    st.download_button(
        "Download practices (CSV)",
        shown.practices_csv(),
        file_name="practices.csv",
        on_click="ignore",
    )

st.header("Load another data set")
if app_settings().shared:
    st.write(
        literal(
            "This server offers the data sets its operator named: choose one in the sidebar. "
            "You can also upload your own tables; they are checked first, seen only in this "
            f"browser session and removed when it ends (at most {app_settings().upload_max_mb:g} "
            "MB at a time)."
        )
    )
else:
    st.write(
        "A data set is a folder with `networks`, `practices`, `indicators` and `values` "
        "tables (CSV or Parquet), or a database with the same tables. It is checked before "
        "it replaces the current one; every problem is listed with its file and row."
    )
    with st.form("load_folder"):
        source = st.text_input(
            "Folder or database URL", placeholder="/path/to/folder or postgresql+psycopg://…"
        )
        submitted = st.form_submit_button("Check and load")
        if submitted and source.strip() and use_source(source.strip()):
            st.success("Loaded. Every page now shows this data set.")
            st.rerun()

with st.form("upload_tables"):
    files = st.file_uploader(
        ("Upload" if app_settings().shared else "Or upload") + " the four table files",
        type=["csv", "parquet", "json"],
        accept_multiple_files=True,
        max_upload_size=upload_limit_mb(),
    )
    if st.form_submit_button("Check and load uploads") and files:
        try:
            folder = save_uploads(files)
        except UserError as exc:
            st.error(literal(str(exc)))
        else:
            if use_upload(folder):
                st.success(f"Loaded {len(files)} files.")
                st.rerun()

st.header("Import public data")
st.write(
    "Read the files you already download — a QOF publication, a Fingertips export, or any "
    "practice-level CSV — check what was read and what was left out, then load it."
)
import_panel()

if shown.coverage.height:
    st.header("Coverage: values per period")
    show_chart(
        coverage_chart(
            shown.coverage_shown,
            "Values per period",
            f"Every indicator's values, counted per period · Source: {data.name}",
            large=view.filters.presentation,
        ),
        key="coverage_chart",
        data=shown.coverage_shown,
    )
    st.caption(literal(coverage_summary(shown.coverage_shown)))
