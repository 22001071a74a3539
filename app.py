"""netcompare: the router and frame. Pages live in pages/; logic lives in netcompare/."""

import streamlit as st

from netcompare.ui.context import clear_view, set_view
from netcompare.ui.filters import sidebar_filters
from netcompare.ui.presentation import apply_presentation_mode
from netcompare.ui.widgets import follow_jump

st.set_page_config(page_title="netcompare", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview (RAG)", icon="🚦", default=True),
    st.Page("pages/league.py", title="League table", icon="🏅"),
    st.Page("pages/funnel.py", title="Funnel plot", icon="📈"),
    st.Page("pages/trends.py", title="Trends and SPC", icon="📉"),
    st.Page("pages/networks.py", title="Networks", icon="🕸️"),
    st.Page("pages/notes.py", title="Peer notes", icon="💬"),
    st.Page("pages/data.py", title="Data", icon="🗂️"),
]

page = st.navigation(PAGES)
follow_jump()
data, filters = sidebar_filters()
if data is not None and filters is not None:
    set_view(data, filters)
    apply_presentation_mode(filters.presentation)
else:
    clear_view()
page.run()
