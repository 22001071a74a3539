"""Actions in the app (issue 15), in AppTest on the sample data with a temporary notes
database: add one through the Peer notes page's form, edit it, close and reopen it; the open
and overdue actions listed (overdue first) on the Peer notes and Networks pages; a rule
broken said in words with the text kept; a notes database that cannot be reached."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from netcompare.notes import NotesRepository, open_notes_store
from netcompare.text import literal

from .apptest_reading import shown, texts
from .conftest import APP

NOTES_PAGE = "pages/notes.py"
NETWORKS_PAGE = "pages/networks.py"
FORM = "actions_form_page"
SAVE_ACTION = f"FormSubmitter:{FORM}-Save action"
TODAY = dt.date.today()


@pytest.fixture
def store() -> Iterator[NotesRepository]:
    """The (empty, unseeded) store the app will open: the conftest's temporary SQLite file."""
    repo = open_notes_store(os.environ["NETCOMPARE_DB_URL"], seed=False)
    yield repo
    repo.close()


def page(path: str = NOTES_PAGE, network: str = "N1") -> AppTest:
    """The app on ``path`` with ``network`` chosen in the sidebar (Limekiln Fields: P001–P005)."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key="network").set_value(network).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def subheaders(at: AppTest) -> list[str]:
    return [shown(s.value) for s in at.subheader]


def actions_table(at: AppTest):
    """The compact table of open actions (the one table with an Owner column)."""
    [table] = [d.value for d in at.dataframe if "Status" in d.value.columns]
    return table


def add_action(store: NotesRepository, body: str, due: dt.date, **fields: object):
    defaults: dict[str, object] = {
        "network_id": "N1",
        "author": "Network lead, Limekiln Fields",
        "owner": "Practice manager, Maltings Practice",
        "practice_ids": ["P002"],
        "indicator_id": "IMM_MMR1",
    }
    return store.add_action(body=body, due_date=due, **(defaults | fields))


# -- add, edit, close --------------------------------------------------------------------------


def test_add_an_action_through_the_form(store: NotesRepository) -> None:
    at = page()
    assert "0 open actions · Limekiln Fields" in subheaders(at)
    # the indicator defaults to the one chosen in the sidebar
    assert at.selectbox(key=f"{FORM}_indicator").value == "IMM_MMR1"
    # only the chosen network's practices can be picked
    assert sorted(at.multiselect(key=f"{FORM}_practices").options) == sorted(
        [
            "Bellfield Health Centre",
            "Brickfield Group Practice",
            "Gasholder Medical Centre",
            "Maltings Practice",
            "Pepper Street Medical Centre",
        ]
    )
    body = "Recall coordinator phones every family overdue for MMR1 on Fridays"
    due = TODAY + dt.timedelta(days=30)
    at.text_area(key=f"{FORM}_body").input(body)
    at.text_input(key=f"{FORM}_owner").input("Practice manager, Maltings Practice")
    at.date_input(key=f"{FORM}_due").set_value(due)
    at.multiselect(key=f"{FORM}_practices").set_value(["P002", "P003"])
    at.date_input(key=f"{FORM}_started").set_value(dt.date(2026, 3, 10))
    at.text_input(key=f"{FORM}_author").input("Dr Rahman, network lead")
    at.button(key=SAVE_ACTION).click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Saved: action for Practice manager") for s in at.success)

    [action] = store.list_actions(network_ids=["N1"])
    assert action.body == body and action.kind == "action" and action.status == "open"
    assert action.owner == "Practice manager, Maltings Practice"
    assert action.due_date == due and action.intervention_date == dt.date(2026, 3, 10)
    assert action.practice_ids == ("P002", "P003") and action.indicator_id == "IMM_MMR1"
    assert action.author == "Dr Rahman, network lead"

    # listed at once: in the compact table, and in full with its controls
    assert "1 open action · Limekiln Fields" in subheaders(at)
    table = actions_table(at)
    assert table["Action"].to_list() == [body]
    assert table["Owner"].to_list() == ["Practice manager, Maltings Practice"]
    assert table["Status"].to_list() == ["Open"]
    assert table["Practices"].to_list() == ["Maltings Practice, Gasholder Medical Centre"]
    assert body in [t.value for t in at.text]
    assert at.button(key=f"action_open_{action.note_uid}_done")
    # the form is ready for the next action; the author's name is remembered
    assert at.text_area(key=f"{FORM}_body").value == ""
    assert at.text_input(key=f"{FORM}_author").value == "Dr Rahman, network lead"


def test_edit_an_action(store: NotesRepository) -> None:
    action = add_action(store, "Audit the recall list", TODAY + dt.timedelta(days=10))
    at = page()
    form = f"action_edit_open_{action.note_uid}"
    assert at.text_area(key=f"{form}_body").value == "Audit the recall list"
    assert at.date_input(key=f"{form}_started").value is None
    at.text_area(key=f"{form}_body").input("Audit the recall list and phone the defaulters")
    at.text_input(key=f"{form}_owner").input("Nurse lead, Maltings Practice")
    at.date_input(key=f"{form}_due").set_value(TODAY + dt.timedelta(days=40))
    at.date_input(key=f"{form}_started").set_value(dt.date(2026, 4, 1))
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert not at.exception, at.exception
    assert "Action saved." in [s.value for s in at.success]

    saved = store.get_note(action.note_uid)
    assert saved.body == "Audit the recall list and phone the defaulters"
    assert saved.owner == "Nurse lead, Maltings Practice"
    assert saved.due_date == TODAY + dt.timedelta(days=40)
    assert saved.intervention_date == dt.date(2026, 4, 1)
    assert actions_table(at)["Owner"].to_list() == ["Nurse lead, Maltings Practice"]
    assert "Audit the recall list and phone the defaulters" in [t.value for t in at.text]


def test_an_edit_made_meanwhile_by_someone_else_is_not_overwritten(store) -> None:
    action = add_action(store, "Audit the recall list", TODAY + dt.timedelta(days=10))
    at = page()
    form = f"action_edit_open_{action.note_uid}"
    at.text_input(key=f"{form}_owner").input("Nurse lead, Maltings Practice")
    store.update_action(action.note_uid, owner="GP partner, Maltings Practice")  # another user
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert not at.exception, at.exception
    assert any("someone else changed this action" in w.value for w in at.warning)
    assert store.get_note(action.note_uid).owner == "GP partner, Maltings Practice"
    assert at.text_input(key=f"{form}_owner").value == "GP partner, Maltings Practice"


def test_close_an_action_done_then_reopen_it_and_drop_it(store: NotesRepository) -> None:
    action = add_action(store, "Text reminders the week before clinic", TODAY)
    uid = action.note_uid
    at = page()
    at.button(key=f"action_open_{uid}_done").click().run()
    assert not at.exception, at.exception
    assert store.get_note(uid).status == "done"
    assert "0 open actions · Limekiln Fields" in subheaders(at)
    assert any(e.label == "Closed actions (1)" for e in at.expander)
    closed = [m for m in at.markdown if shown(m.value).startswith("**Done**")]
    assert closed, "the closed action says Done"

    at.button(key=f"action_closed_{uid}_reopen").click().run()
    assert store.get_note(uid).status == "open"
    assert "1 open action · Limekiln Fields" in subheaders(at)

    at.button(key=f"action_open_{uid}_dropped").click().run()
    assert store.get_note(uid).status == "dropped"
    assert any(shown(m.value).startswith("**Dropped**") for m in at.markdown)


def test_closing_an_action_says_so_in_the_closed_list_with_its_text_as_text(
    store: NotesRepository,
) -> None:
    hostile = "![t](http://x.example/t.png) [CLICK](http://e.example) **B**"
    uid = add_action(store, hostile, TODAY).note_uid
    at = page()
    at.button(key=f"action_open_{uid}_done").click().run()
    assert not at.exception, at.exception
    # Shown at once (the action is now in the closed list), and as typed: not Markdown.
    [message] = [s.value for s in at.success]
    assert shown(message) == f"Marked done: {hostile}"
    assert message == literal(f"Marked done: {hostile}")  # every mark escaped
    at.button(key=f"action_closed_{uid}_reopen").click().run()
    assert [shown(s.value) for s in at.success] == [f"Reopened: {hostile}"]


# -- open and overdue, on both pages ------------------------------------------------------------


def test_overdue_actions_are_listed_first_in_words_and_with_a_symbol(store) -> None:
    later = add_action(store, "Later: share the template", TODAY + dt.timedelta(days=20))
    late = add_action(
        store, "Late: book the MDT", TODAY - dt.timedelta(days=3), owner="GP lead", practice_ids=[]
    )
    soon = add_action(store, "Soon: call the pharmacist", TODAY + dt.timedelta(days=2))
    done = add_action(store, "Already done", TODAY - dt.timedelta(days=30))
    store.set_action_status(done.note_uid, "done")
    add_action(store, "Another network's", TODAY - dt.timedelta(days=9), network_id="N2",
               practice_ids=["P007"])  # fmt: skip

    for path in (NOTES_PAGE, NETWORKS_PAGE):
        at = page(path)
        assert "3 open actions, 1 overdue · Limekiln Fields" in subheaders(at), path
        table = actions_table(at)
        assert table["Action"].to_list() == [late.body, soon.body, later.body], path
        assert table["Status"][0] == "⚠ Overdue"
        assert table["Due"][0].date() == TODAY - dt.timedelta(days=3)  # a pandas Timestamp
        assert table["Status"].to_list()[1:] == ["Open", "Open"]
        assert table["Practices"].to_list()[0] == "The whole network"
        assert table["Owner"].to_list()[0] == "GP lead"
    # the full list on the Peer notes page: overdue first too
    at = page(NOTES_PAGE)
    headers = [shown(m.value) for m in at.markdown if "Owner:" in m.value]
    assert headers[0].startswith("**⚠ Overdue") and "Owner: GP lead" in headers[0]
    assert [t.value for t in at.text if t.value in {late.body, soon.body, later.body}][:3] == [
        late.body,
        soon.body,
        later.body,
    ]


def test_all_networks_lists_each_networks_open_actions_and_asks_for_one(store) -> None:
    add_action(store, "N1's action", TODAY + dt.timedelta(days=5))
    add_action(store, "N2's action", TODAY - dt.timedelta(days=5), network_id="N2",
               practice_ids=["P007"])  # fmt: skip
    for path in (NOTES_PAGE, NETWORKS_PAGE):
        at = page(path, network="all")
        assert "2 open actions, 1 overdue · all networks" in subheaders(at)
        table = actions_table(at)
        assert table["Network"].to_list() == ["Canal Basin", "Limekiln Fields"]
        assert table["Action"].to_list() == ["N2's action", "N1's action"]
        assert "Choose a network in the sidebar to add, edit or close its actions." in texts(
            at, "caption"
        )
    assert not [w for w in at.text_area if w.key == f"{FORM}_body"]  # no form without a network


# -- errors --------------------------------------------------------------------------------------


def test_an_action_without_owner_or_due_date_is_not_saved_and_says_why(store) -> None:
    at = page()
    body = "Phone the families of children overdue for MMR1"
    at.text_area(key=f"{FORM}_body").input(body)
    at.date_input(key=f"{FORM}_due").set_value(TODAY)
    at.text_input(key=f"{FORM}_author").input("Dr Rahman")
    at.button(key=SAVE_ACTION).click().run()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Not saved: ") and "owner" in error.lower()
    assert at.text_area(key=f"{FORM}_body").value == body  # the text typed is kept
    assert store.list_actions() == []

    at.text_input(key=f"{FORM}_owner").input("Practice manager")
    at.date_input(key=f"{FORM}_due").set_value(None)
    at.button(key=SAVE_ACTION).click().run()
    [error] = [e.value for e in at.error]
    assert error == "Not saved: an action needs a due date (“Due by”)."
    assert at.text_area(key=f"{FORM}_body").value == body
    assert at.text_input(key=f"{FORM}_owner").value == "Practice manager"
    assert store.list_actions() == []


def test_the_notes_form_no_longer_offers_actions_and_dates_what_we_do(store) -> None:
    at = page()
    assert at.radio(key="notes_form_page_kind").options == ["What we do", "Question"]
    at.selectbox(key="notes_add_practice").set_value("P003").run()
    at.text_area(key="notes_form_page_body").input("We moved MMR1 recalls to Saturday clinics.")
    at.text_input(key="notes_form_page_author").input("Practice nurse, Gasholder")
    at.date_input(key="notes_form_page_started").set_value(dt.date(2026, 2, 1))
    at.button(key="FormSubmitter:notes_form_page-Save note").click().run()
    assert not at.exception, at.exception
    [note] = store.list_notes(practice_ids=["P003"])
    assert note.kind == "practice_note" and note.intervention_date == dt.date(2026, 2, 1)
    assert at.date_input(key="notes_form_page_started").value is None  # ready for the next


def test_notes_database_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETCOMPARE_DB_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    at = page()
    [warning] = [w.value for w in at.warning if "Notes unavailable" in w.value]
    assert "cannot be reached" in warning
    assert "Open actions, Limekiln Fields" in subheaders(at)  # no count: never "0 open"
    assert "Actions are not shown until the notes database answers again." in texts(at, "caption")
    # the form is still there; what is typed stays when the save fails
    body = "Recall coordinator phones every family overdue for MMR1"
    at.text_area(key=f"{FORM}_body").input(body)
    at.text_input(key=f"{FORM}_owner").input("Practice manager")
    at.date_input(key=f"{FORM}_due").set_value(TODAY)
    at.text_input(key=f"{FORM}_author").input("Dr Rahman")
    at.button(key=SAVE_ACTION).click().run()
    assert not at.exception, at.exception
    assert any("The action was not saved; your text is kept" in w.value for w in at.warning)
    assert at.text_area(key=f"{FORM}_body").value == body
    assert at.text_input(key=f"{FORM}_owner").value == "Practice manager"

    at.switch_page(NETWORKS_PAGE).run()
    assert not at.exception, at.exception
    assert [w for w in at.warning if "Notes unavailable" in w.value]
    assert "Open actions, Limekiln Fields" in subheaders(at)
    assert at.title[0].value.startswith("Networks:")  # the rest of the page carries on


# -- what works here ---------------------------------------------------------------------------


def test_what_works_here_lists_the_changes_that_improved(store: NotesRepository) -> None:
    worked = store.add_note(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body="Friday recall calls to every family **overdue** for MMR1",
        author="Recall coordinator, Gasholder",
        intervention_date=dt.date(2025, 9, 1),
    )
    # judged too soon to tell (three points before the change): not listed
    store.add_note(
        practice_id="P002",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body="Text reminders from December 2023",
        author="Practice manager, Maltings",
        intervention_date=dt.date(2023, 12, 1),
    )
    # undated: never listed; another network's: not here
    store.add_note(practice_id="P001", network_id="N1", body="Undated idea", author="GP")
    store.add_note(
        practice_id="P007",
        network_id="N2",
        indicator_id="IMM_MMR1",
        body="Canal Basin's change",
        author="GP",
        intervention_date=dt.date(2025, 9, 1),
    )
    at = page()
    assert "What works here" in [h.value for h in at.header]
    markdown = [shown(m.value) for m in at.markdown]
    assert "**Gasholder Medical Centre** · MMR1 by 24 months" in markdown
    [words] = [m for m in markdown if "special cause improvement" in m]
    assert "Since “Friday recall calls" in words and "Sep 2025" in words
    texts_shown = [t.value for t in at.text]
    assert worked.body in texts_shown  # literally: the asterisks are text
    assert "Text reminders from December 2023" in texts_shown  # in All notes, not above
    assert sum("special cause improvement" in m for m in markdown) == 1
    assert "**Mariners Medical Centre** · MMR1 by 24 months" not in markdown  # N2's (P007)


def test_what_works_here_needs_a_network(store: NotesRepository) -> None:
    at = page(network="all")
    assert "Choose a network in the sidebar to see the changes that worked in it." in texts(
        at, "info"
    )


def test_anonymised_practices_hide_the_actions_free_text(store: NotesRepository) -> None:
    action = add_action(
        store,
        "Ask Maltings' Dr Khan to audit",
        TODAY + dt.timedelta(days=5),
        intervention_date=dt.date(2025, 9, 1),  # and it worked: "what works here" too
    )
    for path in (NETWORKS_PAGE, NOTES_PAGE):
        at = page(path)
        at.toggle(key="anonymise").set_value(True).run()
        assert not at.exception, at.exception
        table = actions_table(at)
        assert list(table.columns) == ["Due", "Status", "Practices"], path
        assert all(p.startswith("Practice ") for p in table["Practices"]), path
        assert action.body not in [t.value for t in at.text], path
        leaked = [m.value for m in at.markdown if "Maltings" in m.value or "Khan" in m.value]
        assert not leaked, (path, leaked)
    words = [shown(m.value) for m in at.markdown if "special cause improvement" in m.value]
    assert words and words[0].startswith("**Since “Action 1” in Sep 2025: ")
