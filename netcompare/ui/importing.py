"""The Data page's importers: upload a public file, map its columns, preview, validate, load.

Each importer runs on the uploaded bytes (nothing is written until the user loads); the
result is validated exactly as a loaded folder, then saved to a new folder in the session's
private folder (:mod:`netcompare.ui.upload`) and made the session's data set. Uploads over
the configured size limit are refused before they are read.
"""

from __future__ import annotations

import streamlit as st

from netcompare.data.importers import (
    CsvMapping,
    ImportResult,
    InputFile,
    csv_columns,
    import_fingertips,
    import_mapped_csv,
    import_qof,
    peek_csv,
)
from netcompare.data.load import write_dataset
from netcompare.errors import UserError
from netcompare.text import literal
from netcompare.ui.upload import check_upload_size, import_folder, upload_limit_mb, use_upload

PENDING = "_pending_import"
NONE = "(none)"


def _inputs(files) -> list[InputFile]:
    return [_input(f) for f in files or []]


def _input(upload) -> InputFile:
    """An uploaded file's bytes, refused (UserError) if over the configured limit."""
    check_upload_size(upload.size)
    return InputFile(upload.name, upload.getvalue())


def _show_result(result: ImportResult) -> None:
    """What the importer read, what it left out and why, and a preview of the values."""
    for line in result.report.summary_lines():
        st.write(literal(line))
    left = result.report.left_out
    if left.height:
        st.warning(f"{left.height:,} row(s) left out (listed below, with the reason).")
        st.dataframe(left, hide_index=True)
    st.caption("Preview of the values")
    st.dataframe(result.tables["values"].head(20), hide_index=True)


def _stage(result: ImportResult) -> None:
    """Validate in memory; keep the result for the Load button if it would load."""
    try:
        data = result.to_dataset()
    except UserError as exc:
        st.error(literal(f"The import would not load:\n\n{exc}"))
        return
    st.success(
        literal(
            f"Valid: {data.practices.height:,} practices in {data.networks.height:,} networks, "
            f"{data.indicators.height} indicators, {len(data.periods())} period(s)."
        )
    )
    st.session_state[PENDING] = result


def _load_pending() -> None:
    result: ImportResult | None = st.session_state.get(PENDING)
    if result is None:
        return
    folder = import_folder()
    write_dataset(folder, result.tables, fmt="parquet", metadata=result.metadata)
    if use_upload(folder, result.metadata.get("name")):
        st.session_state.pop(PENDING, None)
        st.success(literal(f"Loaded {result.metadata.get('name', 'the import')}."))


def import_panel() -> None:
    """Tabs for the three importers; each validates before it can be loaded."""
    qof, fingertips, mapped = st.tabs(["QOF publication", "Fingertips export", "Any practice CSV"])
    with qof:
        with st.form("import_qof"):
            mapping = st.file_uploader(
                "MAPPING_NHS_GEOGRAPHIES file (required)",
                type=["csv"],
                max_upload_size=upload_limit_mb(),
            )
            achievement = st.file_uploader(
                "ACHIEVEMENT file(s)",
                type=["csv"],
                accept_multiple_files=True,
                max_upload_size=upload_limit_mb(),
            )
            prevalence = st.file_uploader(
                "PREVALENCE file", type=["csv"], max_upload_size=upload_limit_mb()
            )
            year = st.text_input("QOF year, if the file names do not say (e.g. 2022-23)")
            go = st.form_submit_button("Check QOF files")
        if go:
            if mapping is None:
                st.error("The MAPPING_NHS_GEOGRAPHIES file is needed to put practices in PCNs.")
            else:
                try:
                    result = import_qof(
                        mapping=_input(mapping),
                        achievement=_inputs(achievement),
                        prevalence=None if prevalence is None else _input(prevalence),
                        year=year.strip() or None,
                    )
                except UserError as exc:
                    st.error(literal(str(exc)))
                else:
                    _show_result(result)
                    _stage(result)
    with fingertips:
        with st.form("import_fingertips"):
            export = st.file_uploader(
                "Fingertips CSV export", type=["csv"], max_upload_size=upload_limit_mb()
            )
            polarity = st.selectbox(
                "Is a higher value better?",
                ["neutral", "high", "low"],
                format_func={
                    "neutral": "Neither (e.g. prevalence)",
                    "high": "Higher is better",
                    "low": "Lower is better",
                }.get,
            )
            go = st.form_submit_button("Check Fingertips export")
        if go and export is not None:
            try:
                result = import_fingertips(_input(export), polarity=polarity)
            except UserError as exc:
                st.error(literal(str(exc)))
            else:
                _show_result(result)
                _stage(result)
    with mapped:
        _mapped_csv_panel()
    if st.session_state.get(PENDING) is not None:
        st.button("Load the checked import", type="primary", on_click=_load_pending)


def _mapped_csv_panel() -> None:
    upload = st.file_uploader(
        "A practice-level CSV",
        type=["csv"],
        key="mapped_csv_file",
        max_upload_size=upload_limit_mb(),
    )
    if upload is None:
        return
    try:
        file = _input(upload)
        columns = csv_columns(file)
        st.caption("First rows of the file")
        st.dataframe(peek_csv(file), hide_index=True)
    except UserError as exc:
        st.error(literal(str(exc)))
        return
    optional = [NONE, *columns]
    with st.form("import_mapped_csv"):
        st.write("Which column holds what?")
        c1, c2, c3 = st.columns(3)
        practice = c1.selectbox("Practice code", columns)
        numerator = c2.selectbox("Numerator", columns)
        denominator = c3.selectbox("Denominator", columns)
        network = c1.selectbox("Network code (optional)", optional)
        network_name = c2.selectbox("Network name (optional)", optional)
        practice_name = c3.selectbox("Practice name (optional)", optional)
        indicator_cols = c1.multiselect("Indicator column(s)", columns)
        indicator = c2.text_input("…or one indicator name for every row")
        exceptions = c3.selectbox("Exceptions (optional)", optional)
        period_col = c1.selectbox("Period column", optional)
        period = c2.text_input("…or one period for every row (e.g. 2022-23 or 2024-03)")
        target = c3.text_input("Target (optional, e.g. 95%)")
        go = st.form_submit_button("Check this CSV")
    if not go:
        return

    def opt(value: str) -> str | None:
        return None if value == NONE else value

    try:
        mapping = CsvMapping.from_dict(
            {
                "practice_col": practice,
                "numerator_col": numerator,
                "denominator_col": denominator,
                "network_col": opt(network),
                "network_name_col": opt(network_name),
                "practice_name_col": opt(practice_name),
                "indicator_cols": tuple(indicator_cols) or None,
                "indicator": indicator,
                "exceptions_col": opt(exceptions),
                "period_col": opt(period_col),
                "period": period,
                "target": target,
            }
        )
        result = import_mapped_csv(file, mapping)
    except UserError as exc:
        st.error(literal(str(exc)))
        return
    _show_result(result)
    _stage(result)
