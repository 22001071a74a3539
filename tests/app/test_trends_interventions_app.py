"""Interventions on the Trends page (issue 15), in AppTest on the sample data with a temporary
notes database: a dated action is drawn on the trend and SPC charts with its label, its "did
it work?" verdict is said below the SPC chart, the "Show interventions" switch hides them, one
click rebases the SPC at the change, and the network's own (network-wide) actions are drawn
on the network's trend. A notes database that cannot be reached leaves the page working."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from netcompare.data.load import load_dataset
from netcompare.notes import Note, NotesRepository, open_notes_store
from netcompare.views.common import ViewOptions
from netcompare.views.interventions import interventions_from_notes
from netcompare.views.trends import trend_view

from .apptest_reading import DrawnChart, chart_titled, drawn_charts, shown, texts
from .conftest import APP, ROOT

TRENDS = "pages/trends.py"
INDICATOR = "IMM_MMR1"
STARTED = dt.date(2025, 9, 12)  # mid-month: drawn at the start of its period, Sep 2025
PERIOD = dt.date(2025, 9, 1)
BODY = "Recall change: the coordinator phones every family overdue for MMR1 each Friday"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ROOT / "sample_data")


@pytest.fixture
def store() -> Iterator[NotesRepository]:
    repo = open_notes_store(os.environ["NETCOMPARE_DB_URL"], seed=False)
    yield repo
    repo.close()


def dated_action(store: NotesRepository, practice_ids: list[str], body: str = BODY) -> Note:
    return store.add_action(
        network_id="N1",
        body=body,
        author="Dr Rahman, network lead",
        owner="Practice manager, Gasholder",
        due_date=dt.date(2025, 10, 31),
        practice_ids=practice_ids,
        indicator_id=INDICATOR,
        intervention_date=STARTED,
    )


def trends(practice: str = "P003") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key="network").set_value("N1").run()
    at.selectbox(key="practice").set_value(practice).run()
    at.switch_page(TRENDS).run()
    assert not at.exception, at.exception
    return at


def drawn(chart: DrawnChart) -> str:
    """Everything a chart carries: its spec and the rows of its data, as text."""
    frames = [chart.top_data, *chart.datasets.values()]
    rows = [json.dumps(f.to_dicts(), default=str) for f in frames if f is not None]
    return json.dumps(chart.spec, ensure_ascii=False) + " ".join(rows)


def expected(sample, note: Note, practice_id: str | None, network_id: str = "N1"):
    """The label and verdict straight from the views (what the page must show)."""
    periods = sample.periods(INDICATOR)
    [intervention] = interventions_from_notes([note], periods, "month")
    options = ViewOptions(network_id=network_id)
    trend = trend_view(
        sample, INDICATOR, options, practice_id=practice_id, interventions=(intervention,)
    )
    return intervention, trend.verdicts[0]


def test_a_dated_action_is_drawn_on_both_charts_with_its_verdict(sample, store) -> None:
    note = dated_action(store, ["P003"])
    intervention, verdict = expected(sample, note, "P003")
    assert intervention.date == PERIOD
    at = trends()
    trend_chart = chart_titled(at, "Gasholder Medical Centre: MMR1 by 24 months")
    spc = chart_titled(at, "SPC:")
    for chart in (trend_chart, spc):
        carried = drawn(chart)
        assert intervention.label in carried, chart.title
        assert BODY in carried, chart.title  # the full text, for the hover
        assert "2025-09-01" in carried, chart.title
    assert "Did it work?" in [shown(s.value) for s in at.header]
    markdown = [shown(m.value) for m in at.markdown]
    assert verdict.words in markdown
    assert verdict.words.startswith("Since ")
    assert any(m.startswith(f"**{intervention.label}** · Action · ") for m in markdown)
    assert BODY in [t.value for t in at.text]
    assert at.button(key=f"rebase_at_{note.note_uid}").label == "Rebase at Sep 2025"


def test_the_switch_hides_them(sample, store) -> None:
    note = dated_action(store, ["P003"])
    intervention, verdict = expected(sample, note, "P003")
    at = trends()
    assert at.toggle(key="interventions").value is True
    at.toggle(key="interventions").set_value(False).run()
    assert not at.exception, at.exception
    for chart in drawn_charts(at):
        assert intervention.label not in drawn(chart), chart.title
        assert BODY not in drawn(chart), chart.title
    assert "Did it work?" not in [shown(s.value) for s in at.header]
    assert verdict.words not in [shown(m.value) for m in at.markdown]
    at.toggle(key="interventions").set_value(True).run()
    assert intervention.label in drawn(chart_titled(at, "SPC:"))

    # a link with the switch off opens with it off (the browser writes it to the URL)
    linked = AppTest.from_file(APP, default_timeout=90)
    linked.query_params.update(network="N1", practice="P003", interventions="false")
    linked.run()
    linked.switch_page(TRENDS).run()
    assert not linked.exception, linked.exception
    assert linked.toggle(key="interventions").value is False
    assert all(intervention.label not in drawn(c) for c in drawn_charts(linked))


def test_one_click_rebases_the_spc_at_the_change(store) -> None:
    note = dated_action(store, ["P003"])
    at = trends()
    assert at.multiselect(key="rebase").value == []
    points = chart_titled(at, "SPC:").data_with_column("point_type")
    assert points["mean"].n_unique() == 1

    at.button(key=f"rebase_at_{note.note_uid}").click().run()
    assert not at.exception, at.exception
    assert at.multiselect(key="rebase").value == ["2025-09-01"]
    assert at.query_params.get("rebase") in ("2025-09-01", ["2025-09-01"])  # the link too
    points = chart_titled(at, "SPC:").data_with_column("point_type")
    before = points.filter(points["date"].str.slice(0, 10) < "2025-09-01")
    after = points.filter(points["date"].str.slice(0, 10) >= "2025-09-01")
    assert before["mean"].n_unique() == 1 and after["mean"].n_unique() == 1
    assert before["mean"][0] == pytest.approx(before["value"].mean(), rel=1e-12)
    assert after["mean"][0] == pytest.approx(after["value"].mean(), rel=1e-12)
    assert at.button(key=f"rebase_at_{note.note_uid}").disabled  # already rebased there


def test_the_network_trend_draws_the_networks_own_actions(sample, store) -> None:
    practice = dated_action(store, ["P003"])
    network = dated_action(
        store, [], body="Network-wide: one shared recall list, checked at every meeting"
    )
    practice_iv, _ = expected(sample, practice, "P003")
    network_iv, verdict = expected(sample, network, None)
    at = trends()
    at.radio(key="trend_subject").set_value("network").run()
    assert not at.exception, at.exception
    spc = chart_titled(at, "SPC: Limekiln Fields (network average)")
    assert network.body in drawn(spc)
    assert practice.body not in drawn(spc)  # a practice's action is on the practice's chart
    assert verdict.words in [shown(m.value) for m in at.markdown]
    assert at.button(key=f"rebase_at_{network.note_uid}")
    assert not [b for b in at.button if b.key == f"rebase_at_{practice.note_uid}"]
    assert practice_iv.label  # (drawn on P003's chart: the first test)
    assert network_iv.date == PERIOD


def test_unavailable_notes_leave_the_page_working(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETCOMPARE_DB_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    at = trends()
    assert [w for w in texts(at, "warning") if w.startswith("Notes unavailable.")]
    assert len(drawn_charts(at)) == 2
    assert "Did it work?" not in [shown(s.value) for s in at.header]


def test_anonymised_practices_hide_the_notes_text_on_the_charts(sample, store) -> None:
    note = dated_action(store, ["P003"], body="Dr Khan at Gasholder phones every family")
    at = trends()
    at.toggle(key="anonymise").set_value(True).run()
    assert not at.exception, at.exception
    spc = chart_titled(at, "SPC:")
    for chart in drawn_charts(at):
        assert "Khan" not in drawn(chart) and "Dr Rahman" not in drawn(chart), chart.title
    assert "Action 1" in drawn(spc)  # still drawn, named by its kind
    # "did it work?" names it by its kind; its text and author are hidden
    markdown = [shown(m.value) for m in at.markdown]
    assert "**Action 1** · Action · author hidden · started Sep 2025" in markdown
    assert any(m.startswith("Since “Action 1” in Sep 2025: ") for m in markdown)
    assert "Text hidden while practices are anonymised." in [t.value for t in at.text]
    assert not [m for m in markdown if m.startswith("Since") and "Khan" in m]
    assert at.button(key=f"rebase_at_{note.note_uid}")
