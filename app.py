"""netcompare: the router and frame. Pages live in pages/; logic lives in netcompare/."""

from pathlib import Path

import streamlit as st

from netcompare.config import ConfigError, settings
from netcompare.redact import install_log_redaction, mask_secrets
from netcompare.text import literal
from netcompare.ui.context import clear_view, set_view
from netcompare.ui.filters import sidebar_filters
from netcompare.ui.guard import guarded
from netcompare.ui.presentation import apply_presentation_mode
from netcompare.ui.signin import navigation_position, sign_in_gate
from netcompare.ui.upload import sweep_now_and_then
from netcompare.ui.viewer import lookup_viewer, set_viewer
from netcompare.ui.widgets import follow_jump

# A local image, not a :material/…: icon: Streamlit turns that into a Google Fonts request.
FAVICON = str(Path(__file__).parent / "netcompare" / "ui" / "favicon.png")
st.set_page_config(page_title="netcompare", page_icon=FAVICON, layout="wide")
install_log_redaction()

PAGES = [
    st.Page("pages/overview.py", title="Overview (RAG)", icon=":material/traffic:", default=True),
    st.Page("pages/league.py", title="League table", icon=":material/leaderboard:"),
    st.Page("pages/funnel.py", title="Funnel plot", icon=":material/scatter_plot:"),
    st.Page("pages/trends.py", title="Trends and SPC", icon=":material/show_chart:"),
    st.Page("pages/networks.py", title="Networks", icon=":material/hub:"),
    st.Page("pages/notes.py", title="Peer notes", icon=":material/forum:"),
    st.Page("pages/data.py", title="Data", icon=":material/folder_open:"),
    st.Page(
        "pages/profile.py", title="Practice profile", icon=":material/person:", url_path="profile"
    ),
]

clear_view()  # set again below, once the visitor may see this run's view
try:
    config = settings()
except ConfigError as exc:
    st.navigation(PAGES, position="hidden")
    st.error(
        literal(f"netcompare is not configured correctly: {mask_secrets(exc)}. See the README.")
    )
    st.stop()
# st.navigation first on every run, so Streamlit never runs a pages/ file on its own (an
# old-style multipage app) around the sign-in; the page menu is hidden until signed in.
page = st.navigation(PAGES, position=navigation_position(config))
set_viewer(sign_in_gate(config, lookup_viewer))

drawn = False
with guarded("the sidebar"):
    sweep_now_and_then()  # remove the uploads of sessions that have ended
    data, filters = sidebar_filters()
    # After the sidebar: its widgets are part of this run, so the jump keeps their values,
    # and the URL already holds the codes of the view jumped to.
    follow_jump()
    if data is not None and filters is not None:
        set_view(data, filters)
        apply_presentation_mode(filters.presentation)
    else:
        clear_view()
    drawn = True
if not drawn:
    clear_view()
with guarded(f"the page {page.title}"):
    page.run()
