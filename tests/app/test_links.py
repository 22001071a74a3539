"""Links (issue 12): the URL carries stable codes, old label links still open the same view,
an unknown value is named in a warning, and the sidebar never shows a value the pages do not
use (after another network or another data set is chosen, or after a drill-down jump)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.ui.links import period_aliases, period_code, resolve_code
from netcompare.ui.widgets import GOTO_KEY
from netcompare.views.format import period_label
from tests.app.apptest_reading import chart_titled, latest_period, no_exception, texts
from tests.app.conftest import APP

SIDEBAR_KEYS = ("data", "network", "package", "indicator", "period", "practice")


def open_link(params: dict[str, str], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    no_exception(at)
    if page:
        at.switch_page(page).run()
        no_exception(at)
    return at


def sidebar(at: AppTest) -> dict[str, object]:
    return {key: at.sidebar.selectbox(key=key).value for key in SIDEBAR_KEYS}


def url(at: AppTest) -> dict[str, str]:
    """The app's query parameters after the run (the last value of each)."""
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def practices_of(network_id: str) -> dict[str, str]:
    from tests.app.apptest_reading import sample_table

    rows = sample_table("practices").filter(pl.col("network_id") == network_id)
    return dict(rows.select("practice_id", "practice_name").rows())


# --- codes ------------------------------------------------------------------------------------


def test_a_link_with_codes_opens_that_view():
    at = open_link(
        {
            "data": "sample",
            "network": "N1",
            "indicator": "DM_CAREPLAN",
            "period": "2026-03",
            "practice": "P002",
        },
        "pages/trends.py",
    )
    assert not at.warning, texts(at, "warning")
    assert sidebar(at) == {
        "data": "sample",
        "network": "N1",
        "package": "all",
        "indicator": "DM_CAREPLAN",
        "period": "2026-03-01",
        "practice": "P002",
    }
    assert at.title[0].value == "Trends: Diabetes care plan in 12 months"
    chart_titled(at, "Maltings Practice: Diabetes care plan in 12 months")
    # The URL keeps the codes (and nothing a label or a folder would put there).
    assert url(at) == {
        "data": "sample",
        "network": "N1",
        "indicator": "DM_CAREPLAN",
        "period": "2026-03",
        "practice": "P002",
    }


def test_the_url_follows_the_sidebar_with_codes(app: AppTest):
    assert url(app) == {
        "data": "sample",
        "network": "N6",
        "indicator": "IMM_MMR1",
        "period": latest_period().strftime("%Y-%m"),
        "practice": url(app)["practice"],
    }
    assert url(app)["practice"] in practices_of("N6")
    app.sidebar.selectbox(key="network").set_value("N2").run()
    app.sidebar.selectbox(key="package").set_value("Type 2 diabetes").run()
    app.sidebar.toggle(key="anonymise").set_value(True).run()
    no_exception(app)
    link = url(app)
    assert link["network"] == "N2"
    assert link["package"] == "Type 2 diabetes"
    assert link["indicator"] == "DM_CAREPLAN"
    assert link["anonymise"] == "true"
    assert link["anon_style"] == "letters"
    # Anonymised: the link says no more than the screen, a letter rather than a code.
    assert link["practice"].startswith("Practice ")
    # ... and a link like that opens the same view.
    again = open_link(link)
    assert not again.warning, texts(again, "warning")
    assert sidebar(again) == sidebar(app)
    assert again.sidebar.toggle(key="anonymise").value is True


# --- old links --------------------------------------------------------------------------------


def test_an_old_link_with_labels_still_opens_the_same_view():
    at = open_link(
        {
            "data": "Riverbank sample borough (fictional)",
            "network": "Canal Basin",
            "indicator": "Diabetic retinal screening attended",
            "period": "Mar 2026",
            "practice": "Clover Practice (P006)",
        }
    )
    assert not at.warning, texts(at, "warning")
    assert sidebar(at) == {
        "data": "sample",
        "network": "N2",
        "package": "all",
        "indicator": "DM_RETINAL",
        "period": "2026-03-01",
        "practice": "P006",
    }
    # The URL is rewritten with the codes.
    assert url(at)["network"] == "N2"
    assert url(at)["indicator"] == "DM_RETINAL"
    assert url(at)["period"] == "2026-03"
    assert url(at)["practice"] == "P006"


def test_an_old_link_to_all_networks_and_a_care_package_still_works():
    at = open_link(
        {
            "network": "All networks",
            "package": "Type 2 diabetes",
            "indicator": "Diabetes care plan in 12 months",
        }
    )
    assert not at.warning, texts(at, "warning")
    assert sidebar(at)["network"] == "all"
    assert sidebar(at)["package"] == "Type 2 diabetes"
    assert sidebar(at)["indicator"] == "DM_CAREPLAN"


# --- unknown values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value", "default"),
    [
        ("indicator", "NO_SUCH_INDICATOR", "IMM_MMR1"),
        ("network", "N99", "N6"),
        ("period", "1990-01", latest_period().isoformat()),
        ("practice", "Z999", None),
    ],
)
def test_an_unknown_code_is_named_and_the_default_is_shown(
    param: str, value: str, default: str | None
):
    at = open_link({param: value})
    warnings = texts(at, "warning")
    assert len(warnings) == 1, warnings
    assert param in warnings[0] and value in warnings[0]
    shown = sidebar(at)[param]
    if default is None:
        assert shown in practices_of("N6")
    else:
        assert shown == default
    # The warning is for the link as opened; the next run does not repeat it.
    at.run()
    assert not at.warning


@pytest.mark.parametrize("value", ["custom", "/home/someone/borough", "no-such-data"])
def test_a_data_set_that_is_not_here_is_named_and_the_sample_is_shown(value: str):
    at = open_link({"data": value, "network": "N2"})
    warnings = texts(at, "warning")
    assert warnings == [
        f"This link names a data set that is not available here: “{value}”. "
        "Showing Riverbank sample borough (fictional) instead."
    ]
    assert sidebar(at)["data"] == "sample"
    assert sidebar(at)["network"] == "N2"  # the rest of the link still applies
    assert url(at)["data"] == "sample"


def test_a_switch_in_a_link_is_read_and_a_bad_one_named():
    at = open_link({"net_exceptions": "true", "present": "maybe"})
    assert at.sidebar.toggle(key="net_exceptions").value is True
    assert at.sidebar.toggle(key="present").value is False
    warnings = texts(at, "warning")
    assert len(warnings) == 1 and "present" in warnings[0] and "maybe" in warnings[0]
    assert url(at)["net_exceptions"] == "true"
    assert "present" not in url(at)


# --- options that change ----------------------------------------------------------------------


def test_after_another_network_the_practice_is_one_of_its_practices_and_trends_shows_it(
    app: AppTest,
):
    app.switch_page("pages/trends.py").run()
    before = app.sidebar.selectbox(key="practice").value
    assert before in practices_of("N6")
    app.sidebar.selectbox(key="network").set_value("N1").run()
    no_exception(app)
    practice = app.sidebar.selectbox(key="practice").value
    limekiln = practices_of("N1")
    assert practice in limekiln
    assert app.sidebar.selectbox(key="practice").options == sorted(
        f"{name} ({pid})" for pid, name in limekiln.items()
    )
    chart_titled(app, f"{limekiln[practice]}: MMR1 by 24 months")
    assert url(app)["practice"] == practice


def test_switching_the_data_set_resets_network_indicator_and_period_to_valid_values(
    app: AppTest,
):
    from netcompare.data.builtin import builtin_path
    from netcompare.data.load import load_dataset

    app.sidebar.selectbox(key="network").set_value("N1").run()
    app.sidebar.selectbox(key="indicator").set_value("DM_CAREPLAN").run()
    app.switch_page("pages/league.py").run()
    app.sidebar.selectbox(key="data").set_value("england-prevalence-2223").run()
    no_exception(app)
    england = load_dataset(builtin_path("england-prevalence-2223"))
    shown = sidebar(app)
    networks = england.networks.sort("network_name").get_column("network_id").to_list()
    indicators = england.indicators.get_column("indicator_id").to_list()
    assert shown["network"] == networks[0]
    assert shown["indicator"] == indicators[0]
    assert shown["period"] == england.periods(indicators[0])[-1].isoformat()
    name = england.indicator(indicators[0]).name
    assert app.title[0].value == f"League table: {name}"
    # Back to the sample: its defaults again, not England's values.
    app.sidebar.selectbox(key="data").set_value("sample").run()
    no_exception(app)
    assert sidebar(app)["network"] == "N6"
    assert sidebar(app)["indicator"] == "IMM_MMR1"
    assert sidebar(app)["period"] == latest_period().isoformat()


# --- drill-down -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("pages/funnel.py", "Funnel plot: Diabetes care plan in 12 months"),
        ("pages/league.py", "League table: Diabetes care plan in 12 months"),
        ("pages/trends.py", "Trends: Diabetes care plan in 12 months"),
    ],
)
def test_a_drill_down_after_changing_filters_opens_the_page_with_the_new_codes(
    app: AppTest, page: str, title: str
):
    """The jump buttons under a RAG cell (issue 12 point 1) crashed once a sidebar filter had
    changed. A button's callback leaves the page to open in session state (AppTest cannot
    click a chart cell, which shows the buttons); app.py follows it on the next run."""
    app.sidebar.selectbox(key="network").set_value("N1").run()
    app.sidebar.selectbox(key="indicator").set_value("DM_CAREPLAN").run()
    app.sidebar.toggle(key="anonymise").set_value(True).run()
    no_exception(app)
    practice = app.sidebar.selectbox(key="practice").value
    app.session_state[GOTO_KEY] = page
    app.run()
    no_exception(app)
    assert app.title[0].value == title
    assert sidebar(app)["network"] == "N1"
    assert sidebar(app)["indicator"] == "DM_CAREPLAN"
    assert sidebar(app)["practice"] == practice
    assert url(app)["network"] == "N1"
    assert url(app)["indicator"] == "DM_CAREPLAN"
    assert url(app)["anonymise"] == "true"


# --- the pieces -------------------------------------------------------------------------------


def test_period_codes_for_months_years_and_financial_years():
    sep = dt.date(2026, 9, 1)
    assert period_code(sep) == "2026-09"
    assert period_label(sep) == "Sep 2026"
    fy = dt.date(2022, 4, 1)
    assert period_code(fy, "financial_year") == "2022-23"
    assert period_label(fy, "financial_year") == "2022-23"
    assert period_code(dt.date(1999, 4, 1), "financial_year") == "1999-00"
    assert period_code(dt.date(2024, 1, 1), "year") == "2024"
    aliases = period_aliases([fy], "financial_year")
    for name in ("2022-23", "2022-04-01", "Apr 2022"):
        assert aliases[name] == "2022-04-01"


def test_a_label_two_options_share_is_not_guessed():
    codes = ["P1", "P2", "P3"]
    labels = {"P1": "Church Road Surgery", "P2": "Church Road Surgery", "P3": "Alma Road"}
    assert resolve_code("Church Road Surgery", codes, labels) is None
    assert resolve_code("P2", codes, labels) == "P2"
    assert resolve_code("Alma Road", codes, labels) == "P3"
    assert resolve_code("alma road", codes, labels) == "P3"
    assert resolve_code("p3", codes, labels) == "P3"
    assert resolve_code("Nowhere", codes, labels) is None


# --- a page's own choices -----------------------------------------------------------------------


def test_a_pages_own_choices_are_codes_in_the_link():
    at = open_link({}, "pages/funnel.py")
    at.selectbox(key="method").set_value("wilson").run()
    no_exception(at)
    assert url(at)["method"] == "wilson"  # the code, not "Inverted Wilson, …"
    at.selectbox(key="method").set_value("arcsine-od").run()
    assert "method" not in url(at)  # the default is left out of the link


def test_a_link_with_a_pages_code_or_old_label_opens_that_choice():
    coded = open_link({"method": "wilson", "benchmark": "target"}, "pages/funnel.py")
    assert coded.selectbox(key="method").value == "wilson"
    assert coded.selectbox(key="benchmark").value == "target"
    old = open_link(
        {"method": "Inverted Wilson, no over-dispersion (PHEindicatormethods)"}, "pages/funnel.py"
    )
    assert old.selectbox(key="method").value == "wilson"
    assert url(old)["method"] == "wilson"
    trends = open_link({"two_in_three": "ptd", "spc_kind": "p"}, "pages/trends.py")
    assert trends.radio(key="two_in_three").value == "ptd"


def test_a_link_with_an_unknown_page_choice_says_so():
    at = open_link({"method": "magic"}, "pages/funnel.py")
    assert at.selectbox(key="method").value == "arcsine-od"
    assert any("“magic”" in w.value for w in at.warning)
