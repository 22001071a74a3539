"""The practice profile page in AppTest: on every built-in data set, anonymised where the
practice does not share its name, reached from the League table and the other pages, and
opened by a link."""

from __future__ import annotations

import os

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.builtin import builtin_datasets, builtin_path
from netcompare.data.load import load_dataset
from netcompare.notes import open_notes_store
from netcompare.views.common import ViewOptions
from netcompare.views.profile import profile_view
from tests.app.apptest_reading import chart_titled, no_exception, shown, texts
from tests.app.conftest import APP

PROFILE = "pages/profile.py"
HIDDEN = "P029"  # sample_data/practices.csv: share_name false, in N7
HIDDEN_NAME = "Pepper Street Surgery"
# Parametrized by key, so a data set added later (West Sussex) is included; ids are the keys.
DATASET_KEYS = sorted(d.key for d in builtin_datasets())


def open_link(params: dict[str, str], page: str | None = PROFILE) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    no_exception(at)
    if page:
        at.switch_page(page).run()
        no_exception(at)
    return at


def everything_shown(at: AppTest) -> str:
    """Every text the page shows: titles, captions, Markdown, alerts, labels, charts' text."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning"):
        parts += texts(at, kind)
    parts += [shown(str(b.label)) for b in at.button]
    parts += [str(t.value) for t in at.get("text")]
    for element in at.get("vega_lite_chart"):
        parts.append(element.proto.spec)
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(parts)


def profile_table(at: AppTest) -> pl.DataFrame:
    frames = [d for d in at.dataframe if "Recent trend (5 periods)" in d.value.columns]
    assert len(frames) == 1
    return pl.from_pandas(frames[0].value)


@pytest.mark.parametrize("key", DATASET_KEYS, ids=DATASET_KEYS)
def test_the_profile_on_every_built_in_data_set(key: str):
    at = open_link({"data": key})
    practice = at.sidebar.selectbox(key="practice").value
    network = at.sidebar.selectbox(key="network").value
    data = load_dataset(builtin_path(key))
    expected = profile_view(data, practice, ViewOptions(network_id=network))
    assert at.title[0].value == shown(expected.title) or shown(at.title[0].value) == (
        expected.title
    )
    chart = chart_titled(at, "Practice profile: ")
    assert len(chart.layers) == 5
    drawn = chart.data_with_column("x_benchmark")
    assert drawn.height == expected.rows.height > 0
    table = profile_table(at)
    assert table.height == expected.rows.height
    assert table.get_column("Indicator").to_list() == expected.rows["indicator_name"].to_list()
    want = (expected.rows["value"] * 100).round(1).to_list()
    assert table.get_column("Value %").to_list() == pytest.approx(want, nan_ok=True)
    assert "Data (CSV)" in [b.label for b in at.get("download_button")]


def test_a_practice_that_does_not_share_its_name_is_not_named_outside_its_network(
    tmp_path,
):
    store = open_notes_store(os.environ["NETCOMPARE_DB_URL"])
    store.add_note(
        practice_id=HIDDEN,
        network_id="N7",
        kind="question",
        body=f"How does {HIDDEN_NAME} run its recall?",
        author=f"Dr Reed, {HIDDEN_NAME}",
        tags="recall",
        indicator_id="IMM_MMR1",
        period=None,
    )
    # All networks: the sidebar lists every practice, this one as a letter.
    at = open_link({"data": "sample", "network": "all", "practice": HIDDEN})
    assert at.sidebar.selectbox(key="practice").value == HIDDEN
    title = at.title[0].value
    assert title.startswith("Practice profile: Practice ")
    page = everything_shown(at)
    assert HIDDEN_NAME not in page
    assert "Pepper Street" not in page
    # The note is listed (its header), its text and author hidden until asked for.
    assert "question" in page.lower() and "author hidden" in page
    chart = chart_titled(at, title)
    assert HIDDEN_NAME not in str(chart.spec)
    # In its own network the practice is named (so the check above can fail).
    own = open_link({"data": "sample", "network": "N7", "practice": HIDDEN})
    assert own.title[0].value == f"Practice profile: {HIDDEN_NAME}"
    assert HIDDEN_NAME in everything_shown(own)


def test_a_link_opens_the_profile_of_its_practice():
    at = open_link({"data": "sample", "network": "N3", "practice": "P012"})
    assert at.title[0].value == "Practice profile: Fairfield Practice"
    assert at.sidebar.selectbox(key="practice").value == "P012"
    assert at.query_params["practice"] in ("P012", ["P012"])


def league_rows(at: AppTest) -> list[str]:
    return at.dataframe[0].value["Practice"].tolist()


@pytest.mark.parametrize(
    ("practice_id", "expected"),
    [("P003", "Gasholder Medical Centre"), ("P012", "Fairfield Practice"), (HIDDEN, None)],
    ids=["in-the-network", "another-network", "not-sharing-its-name"],
)
def test_drill_down_from_the_league_table_opens_that_practices_profile(practice_id, expected):
    at = open_link({"data": "sample"}, page=None)
    at.sidebar.selectbox(key="network").set_value("N1").run()
    at.switch_page("pages/league.py").run()
    no_exception(at)
    data = load_dataset(builtin_path("sample"))
    period = data.periods("IMM_MMR1")[-1]
    from netcompare.views.league import league_table

    league = league_table(data, "IMM_MMR1", period, ViewOptions(network_id="N1"))
    row = league.practice_ids.index(practice_id)
    label = league.practices[row].label
    assert league_rows(at)[row] == label
    # Select the row (after the network changed), then press the profile button.
    at.session_state["league_table"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    no_exception(at)
    at.button(key="league_profile").click().run()
    no_exception(at)
    title = at.title[0].value
    assert at.sidebar.selectbox(key="practice").value == practice_id
    if expected is None:
        assert title == f"Practice profile: {label}" and label.startswith("Practice ")
        assert HIDDEN_NAME not in everything_shown(at)
    else:
        assert title == f"Practice profile: {expected}"
    # The sidebar keeps N1 for its own practices, and shows all networks for the others
    # (never the practice's own network, which would name practices that do not share).
    network = at.sidebar.selectbox(key="network").value
    assert network == ("N1" if practice_id == "P003" else "all")


def test_the_trends_page_links_to_the_profile_of_its_practice(app: AppTest):
    app.switch_page("pages/trends.py").run()
    no_exception(app)
    practice = app.sidebar.selectbox(key="practice").value
    app.button(key="trends_profile").click().run()
    no_exception(app)
    assert app.title[0].value.startswith("Practice profile: ")
    assert app.sidebar.selectbox(key="practice").value == practice
    chart_titled(app, "Practice profile: ")


def test_the_peer_notes_page_links_to_the_profiles_of_the_practices_it_names(app: AppTest):
    open_notes_store(os.environ["NETCOMPARE_DB_URL"]).add_note(
        practice_id="P012",
        network_id="N3",
        kind="practice_note",
        body="We phone every defaulter on Fridays.",
        author="Nurse Lee",
        tags="recall",
        indicator_id=None,
        period=None,
    )
    app.switch_page("pages/notes.py").run()
    no_exception(app)
    buttons = [b for b in app.button if (b.key or "").startswith("notes_profile_")]
    assert buttons, "no profile links on the Peer notes page"
    target = buttons[0]
    assert shown(str(target.label)) == "Profile of Fairfield Practice"
    target.click().run()
    no_exception(app)
    assert app.title[0].value == "Practice profile: Fairfield Practice"
    assert app.sidebar.selectbox(key="practice").value == "P012"
