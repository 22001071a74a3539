"""Overview page (being built)."""

import streamlit as st

from netcompare.ui.context import current_view

view = current_view()
st.title("Overview")
st.write(view.data.summary())
