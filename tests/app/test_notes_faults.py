"""The app with a notes database that is down or frozen (issue 13, point 5), in AppTest.

The notes database is on a PostgreSQL cluster of the test's own (:mod:`tests.notes.pg_cluster`,
never the machine's server), stopped or frozen (SIGSTOP) by its PID. Every page that shows
notes must say "Notes unavailable" and show no count rather than "0 notes"; a note being typed
must survive a failed save; and when the database is back the same session shows the notes
again, with nothing cleared by hand (the app retries after ``RETRY_S``, patched to 0 here so
the test need not wait).
"""

from __future__ import annotations

import time
import uuid

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import netcompare.ui.notes as ui_notes
from netcompare import dbwait
from netcompare.notes import open_notes_store
from tests.notes.pg_cluster import TIMEOUT_S, PgCluster

from .conftest import APP

DEADLINE_S = TIMEOUT_S + TIMEOUT_S + dbwait.MARGIN_S
PASSWORD = "app-fault-secret"
LEAGUE, NOTES = "pages/league.py", "pages/notes.py"
NOTE_BODY = "Recall coordinator phones MMR defaulters every Friday"


@pytest.fixture
def notes_url(cluster: PgCluster, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new notes database on the cluster (with one note about P003), named by the app's
    NETCOMPARE_DB_URL; the URL carries a password (trust auth ignores it)."""
    url = cluster.create_database(f"appfaults_{uuid.uuid4().hex[:10]}")
    url = url.replace("postgres@", f"postgres:{PASSWORD}@", 1)
    store = open_notes_store(url, seed=False)
    store.add_note(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body=NOTE_BODY,
        author="Shirin Begum, recall coordinator",
    )
    store.close()
    monkeypatch.setenv("NETCOMPARE_DB_URL", url)
    return url


def shown_texts(at: AppTest) -> list[str]:
    """Every string the page shows: element values, labels and bodies, however nested."""
    out: list[str] = []

    def walk(node: object) -> None:
        for attr in ("value", "label", "body", "placeholder"):
            try:
                value = getattr(node, attr)
            except Exception:
                continue
            if isinstance(value, str):
                out.append(value)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return out


def notes_columns(at: AppTest) -> list[pd.Series]:
    return [d.value["Notes"] for d in at.dataframe if "Notes" in d.value.columns]


def assert_says_unavailable(at: AppTest) -> None:
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning if w.value.startswith("Notes unavailable.")]
    assert len(warnings) == 1, [w.value for w in at.warning]  # once per page
    texts = shown_texts(at)
    assert not [t for t in texts if "0 notes" in t or "No notes" in t], texts
    assert not [t for t in texts if PASSWORD in t]
    for column in notes_columns(at):
        assert column.isna().all(), column.tolist()  # no count, never 0


def not_saved_kept(message: str) -> bool:
    return "not saved" in message.lower() and "your text is kept" in message


def switch(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_pages_say_notes_unavailable_never_0_notes_and_recover_by_themselves(
    cluster, notes_url, monkeypatch
):
    cluster.stop()
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert_says_unavailable(at)  # the overview, with its practice table
    assert notes_columns(at), "the overview's practice table with its Notes column"
    switch(at, LEAGUE)
    assert_says_unavailable(at)
    assert notes_columns(at)
    switch(at, NOTES)
    assert_says_unavailable(at)
    assert not [t for t in shown_texts(at) if "notes match" in t]

    cluster.start()
    monkeypatch.setattr(ui_notes, "RETRY_S", 0.0)  # the app's retry interval, not waited out
    switch(at, LEAGUE)
    assert not [w.value for w in at.warning if "Notes unavailable" in w.value]
    [column] = notes_columns(at)
    counts = dict(zip(at.dataframe[0].value["Practice"], column, strict=True))
    assert sorted(set(counts.values())) == [0, 1]
    switch(at, NOTES)
    assert NOTE_BODY in [t.value for t in at.text]


def test_typed_note_survives_a_failed_save_and_is_saved_when_the_store_is_back(
    cluster, notes_url, monkeypatch
):
    cluster.stop()
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    switch(at, NOTES)
    body = "We text parents the day before clinic"
    at.text_area(key="notes_form_page_body").input(body)
    at.text_input(key="notes_form_page_author").input("Nurse Amina, P003")
    at.button(key="FormSubmitter:notes_form_page-Save note").click()
    at.run()
    assert not at.exception, at.exception
    assert any(not_saved_kept(w.value) for w in at.warning)
    assert at.text_area(key="notes_form_page_body").value == body
    at.run()  # and on the next run too
    assert at.text_area(key="notes_form_page_body").value == body

    cluster.start()
    monkeypatch.setattr(ui_notes, "RETRY_S", 0.0)
    at.run()
    assert at.text_area(key="notes_form_page_body").value == body
    at.button(key="FormSubmitter:notes_form_page-Save note").click()
    at.run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Saved:") for s in at.success)
    assert body in [t.value for t in at.text]
    assert at.text_area(key="notes_form_page_body").value == ""
    store = open_notes_store(notes_url, seed=False)
    assert [n.body for n in store.list_notes(text="text parents")] == [body]
    store.close()


def test_a_frozen_notes_database_holds_the_league_table_for_one_deadline_at_most(
    cluster, notes_url, monkeypatch
):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # the overview opens the store and reads its counts
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "Notes unavailable" in w.value]
    cluster.freeze()
    start = time.monotonic()
    switch(at, LEAGUE)  # counts for this indicator are not cached yet: one wait, then on
    elapsed = time.monotonic() - start
    assert_says_unavailable(at)
    assert any("did not answer within" in w.value for w in at.warning)
    # one deadline, plus the page's own drawing (a few seconds on a loaded 2-core machine)
    assert elapsed < DEADLINE_S + 15
    cluster.thaw()
    monkeypatch.setattr(ui_notes, "RETRY_S", 0.0)
    switch(at, LEAGUE)
    assert not [w.value for w in at.warning if "Notes unavailable" in w.value]
    [column] = notes_columns(at)
    assert column.notna().all()


def _panel_script() -> None:
    from netcompare.ui.notes import notes_panel

    notes_panel("P003", "IMM_MMR1", network_id="N1", key="t")


def test_a_typed_answer_is_put_back_when_its_form_is_shown_again(cluster, notes_url, monkeypatch):
    """While notes are unavailable the question (and its answer form) is not shown, so
    Streamlit forgets the answer's widget; it is put back when the question is back."""
    store = open_notes_store(notes_url, seed=False)
    question = store.ask_question(
        practice_id="P003", network_id="N1", indicator_id="IMM_MMR1", body="How?", author="Q"
    )
    store.close()
    form = f"notes_answer_t_{question.note_uid}"
    at = AppTest.from_function(_panel_script, default_timeout=60).run()
    at.text_area(key=f"{form}_body").input("Out of the up-front payment")
    at.text_input(key=f"{form}_author").input("Shirin, P003")
    cluster.stop()
    at.button(key=f"FormSubmitter:{form}-Save answer").click()
    at.run()
    assert not at.exception, at.exception
    # the question is still shown from the cache: the answer stays in its form
    assert any(not_saved_kept(w.value) for w in at.warning)
    assert at.text_area(key=f"{form}_body").value == "Out of the up-front payment"
    # once the cached list is gone (as after its TTL, or anyone's save), the question is
    # not shown, and a run without its form makes Streamlit drop the form's values
    ui_notes.clear_notes_cache()
    at.run()
    assert any(w.value.startswith("Notes unavailable.") for w in at.warning)
    assert f"{form}_body" not in [t.key for t in at.text_area]
    at.run()

    cluster.start()
    monkeypatch.setattr(ui_notes, "RETRY_S", 0.0)
    at.run()
    assert at.text_area(key=f"{form}_body").value == "Out of the up-front payment"
    assert at.text_input(key=f"{form}_author").value == "Shirin, P003"
