"""The Streamlit note helpers in AppTest: show notes safely, add a note and answer a question
through the forms, validation messages, and a store that cannot be reached."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from netcompare.notes import open_notes_store


def _panel_script(practice_id: str, indicator_id: str | None) -> None:
    import streamlit as st

    from netcompare.ui.notes import note_count_map, note_counts, notes_panel

    counts = note_count_map([practice_id, "P999"], indicator_id=indicator_id)
    st.write(f"count={counts.get(practice_id)} other={counts.get('P999')}")
    notes_panel(practice_id, indicator_id, network_id="N1", key="t")
    open_q = note_counts([practice_id])["n_open_questions"].to_list()[0]
    st.write(f"open questions={open_q}")
    st.write("page still running")


def _app(practice_id: str = "P003", indicator_id: str | None = "IMM_MMR1") -> AppTest:
    return AppTest.from_function(
        _panel_script, args=(practice_id, indicator_id), default_timeout=60
    )


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _seed(url: str):
    store = open_notes_store(url, seed=False)
    note = store.add_note(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body="<script>alert('x')</script>\n![pixel](http://evil.example/p.png)",
        author="**Mallory**",
        tags=["recall"],
    )
    question = store.ask_question(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body="How do you fund the recall role?",
        author="Dr Hale, P007",
    )
    store.add_note(practice_id="P004", network_id="N1", body="Not P003's", author="x")
    store.close()
    return note, question


def test_panel_shows_notes_literally(sqlite_url, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", sqlite_url)
    _seed(sqlite_url)
    at = _app().run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert "<script>alert('x')</script>\n![pixel](http://evil.example/p.png)" in texts
    assert "How do you fund the recall role?" in texts
    assert "Not P003's" not in texts
    headers = _markdown(at)
    assert any(h.startswith("**What we do** · \\*\\*Mallory\\*\\*") for h in headers)
    assert not any("<script>" in h or "![" in h for h in headers)
    assert "count=2 other=0" in headers
    assert "open questions=1" in headers


def test_add_a_note_through_the_form(sqlite_url, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", sqlite_url)
    _seed(sqlite_url)
    at = _app().run()
    at.text_area(key="notes_form_t_body").input("We text parents the day before clinic")
    at.text_input(key="notes_form_t_author").input("Nurse Amina, P003")
    at.text_input(key="notes_form_t_tags").input("Recall, SMS")
    at.button(key="FormSubmitter:notes_form_t-Save note").click()
    at.run()
    assert not at.exception
    assert any(s.value.startswith("Saved: what we do for P003") for s in at.success)
    assert "We text parents the day before clinic" in [t.value for t in at.text]
    assert "count=3 other=0" in _markdown(at)  # counts cleared after the write
    assert at.text_area(key="notes_form_t_body").value == ""  # ready for the next note
    assert at.text_input(key="notes_form_t_author").value == "Nurse Amina, P003"  # remembered
    store = open_notes_store(sqlite_url, seed=False)
    [saved] = store.list_notes(text="text parents")
    store.close()
    assert (saved.practice_id, saved.network_id, saved.indicator_id) == ("P003", "N1", "IMM_MMR1")
    assert saved.tags == ("recall", "sms")


def test_invalid_note_shows_a_message_and_keeps_the_text(sqlite_url, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", sqlite_url)
    at = _app("P010", None).run()
    assert any("No notes yet for P010" in c.value for c in at.caption)
    at.text_area(key="notes_form_t_body").input("A good idea")
    at.button(key="FormSubmitter:notes_form_t-Save note").click()
    at.run()
    assert not at.exception
    assert any("the author's name is required" in e.value for e in at.error)
    assert at.text_area(key="notes_form_t_body").value == "A good idea"
    store = open_notes_store(sqlite_url, seed=False)
    assert store.count() == 0
    store.close()


def test_answer_a_question(sqlite_url, monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", sqlite_url)
    _, question = _seed(sqlite_url)
    at = _app().run()
    form = f"notes_answer_t_{question.note_uid}"
    at.text_area(key=f"{form}_body").input("Out of the network's up-front payment")
    at.text_input(key=f"{form}_author").input("Shirin, P003")
    at.button(key=f"FormSubmitter:{form}-Save answer").click()
    at.run()
    assert not at.exception
    assert "Out of the network's up-front payment" in [t.value for t in at.text]
    assert "open questions=0" in _markdown(at)


def test_unreachable_store_warns_once_shows_no_counts_and_the_page_carries_on(monkeypatch):
    monkeypatch.setenv("NETCOMPARE_DB_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    at = _app().run()
    assert not at.exception
    # one warning for the three reads that failed, saying why
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("Notes unavailable.") and "cannot be reached" in warning
    # unknown counts, never zeros (issue 13: "0 notes" made users think notes were lost)
    assert "count=None other=None" in _markdown(at)
    assert "open questions=None" in _markdown(at)
    assert "page still running" in _markdown(at)
    # the form is still there, so a note being typed is not lost
    assert at.text_area(key="notes_form_t_body").value == ""


def test_url_from_streamlit_secrets(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.delenv("NETCOMPARE_DB_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # never the real default file
    _seed(sqlite_url)
    at = _app()
    at.secrets["notes"] = {"url": sqlite_url}
    at.run()
    assert not at.exception
    assert "count=2 other=0" in _markdown(at)
