"""What every page says, on the sample data: one verdict per practice, the method and benchmark
it uses, no "None" in any table, headings one level at a time, icons with alt text, and the
SPC two-in-three choice (issue 12, points 7, 10, 11, 14)."""

from __future__ import annotations

import itertools
import math

import polars as pl
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import HeadingBase

from netcompare.data.load import load_dataset
from netcompare.views.common import ViewOptions
from netcompare.views.trends import trend_view
from tests.app.apptest_reading import SAMPLE, chart_titled, no_exception, texts
from tests.app.test_empty_states import PAGES
from tests.app.test_pages import choose, go, league_caption

VERDICT_PAGES = ["pages/overview.py", "pages/league.py", "pages/funnel.py", "pages/notes.py"]
BELLFIELD = "Bellfield Health Centre"  # P004, in Limekiln Fields (N1)
BETTER_95 = "▲ better (outside 95% limits)"
LEVELS = {"title": 1, "header": 2, "subheader": 3}


def headings(at: AppTest) -> list[tuple[int, str]]:
    """The page's headings in page order, with their level (title 1, header 2, subheader 3)."""
    return [(LEVELS[n.type], n.value) for n in at.main if isinstance(n, HeadingBase)]


def none_cells(at: AppTest) -> list[str]:
    """Every cell of every table shown that would read "None" (or is missing)."""
    found = []
    for table in at.dataframe:
        frame = table.value
        for column in frame.columns:
            for value in frame[column].tolist():
                missing = value is None or (isinstance(value, float) and math.isnan(value))
                if missing or (isinstance(value, str) and value.strip() in ("None", "nan")):
                    found.append(f"{column}: {value!r}")
    return found


def test_no_table_on_any_page_shows_none(app: AppTest):
    for network in ["N1", "all"]:
        choose(app, "network", network)
        for page in PAGES:
            go(app, page)
            assert not none_cells(app), (network, page, none_cells(app))
    # The first period has no earlier one: the change column says so instead of "None".
    choose(app, "network", "N1")
    choose(app, "period", "2023-10-01")
    go(app, "pages/league.py")
    assert set(app.dataframe[0].value["Change (pts)"]) == {"–"}
    assert not none_cells(app)


def test_headings_go_down_one_level_at_a_time(app: AppTest):
    choose(app, "network", "N1")
    for page in PAGES:
        go(app, page)
        levels = [level for level, _ in headings(app)]
        assert levels and levels[0] == 1, (page, headings(app))
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (page, headings(app))


def test_spc_icons_have_alt_text(app: AppTest):
    go(app, "pages/trends.py")
    alts = [image.proto.imgs[0].alt for image in app.get("image")]
    assert len(alts) == 2
    assert alts[0].startswith("Variation icon: ")
    assert alts[1].startswith("Assurance icon: ")


def test_bellfield_has_the_same_verdict_on_every_page(app: AppTest):
    choose(app, "network", "N1")
    go(app, "pages/funnel.py")
    listed = app.dataframe[0].value.set_index("Practice")
    assert listed.loc[f"◆ {BELLFIELD}", "vs benchmark"] == BETTER_95
    go(app, "pages/league.py")
    row = app.dataframe[0].value.set_index("Practice").loc[BELLFIELD]
    assert row["vs benchmark"] == BETTER_95
    assert row["vs benchmark (95% CI, second method)"] == "● similar"  # labelled as second
    go(app, "pages/notes.py")
    standouts = next(t.value for t in app.dataframe if "vs benchmark" in t.value.columns)
    assert standouts.set_index("Practice").loc[BELLFIELD, "vs benchmark"] == BETTER_95
    go(app, "pages/overview.py")
    cells = chart_titled(app, "Limekiln Fields:").layer_data(0)
    cell = cells.filter((pl.col("row_id") == "P004") & (pl.col("indicator_id") == "IMM_MMR1"))
    assert cell["verdict"].to_list() == ["better"]


def test_every_verdict_page_says_which_method_and_benchmark(app: AppTest):
    for page in VERDICT_PAGES:
        go(app, page)
        said = [c for c in texts(app, "caption") if c.startswith("Better / similar / worse")]
        assert len(said) == 1, (page, texts(app, "caption"))
        assert "Spiegelhalter arcsine, over-dispersion adjusted" in said[0]
        assert "centred on all practices" in said[0]
    # Chosen on the funnel plot page, the method holds on the league table, rerun after rerun.
    go(app, "pages/funnel.py")
    app.selectbox(key="method").set_value("wilson").run()
    no_exception(app)
    go(app, "pages/league.py")
    assert "Inverted Wilson" in league_caption(app)
    app.toggle(key="league_only_mine").set_value(True).run()
    no_exception(app)
    assert "Inverted Wilson" in league_caption(app)
    go(app, "pages/notes.py")
    assert any("Inverted Wilson" in c for c in texts(app, "caption"))


def _practice_where_two_in_three_differs() -> tuple[str, str]:
    data = load_dataset(SAMPLE)
    for practice_id, network_id in data.practices.select("practice_id", "network_id").rows():
        mdc = trend_view(data, "IMM_MMR1", ViewOptions(), practice_id=practice_id)
        ptd = trend_view(
            data, "IMM_MMR1", ViewOptions(), practice_id=practice_id, two_in_three="ptd"
        )
        if mdc.spc["special_cause"].to_list() != ptd.spc["special_cause"].to_list():
            return practice_id, network_id
    raise AssertionError("no sample practice where the two readings of the rule differ")


def test_the_two_in_three_choice_changes_the_spc_chart_and_is_named(app: AppTest):
    practice_id, network_id = _practice_where_two_in_three_differs()
    choose(app, "network", network_id)
    choose(app, "practice", practice_id)
    go(app, "pages/trends.py")
    assert app.radio(key="two_in_three").value == "mdc2023"  # the default, as in the CLI
    spc = chart_titled(app, "SPC:")
    assert "two of three beyond 2σ (Making Data Count 2023)" in spc.subtitle
    before = spc.data_with_column("special_cause")["special_cause"].to_list()
    app.radio(key="two_in_three").set_value("ptd").run()
    no_exception(app)
    spc = chart_titled(app, "SPC:")
    assert "two of three between 2σ and 3σ (NHSRplotthedots)" in spc.subtitle
    assert spc.data_with_column("special_cause")["special_cause"].to_list() != before
