"""CSV export/import (backups, moving between databases) and Markdown minutes."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from netcompare.errors import UserError
from netcompare.notes import (
    CSV_COLUMNS,
    Note,
    NoteValidationError,
    export_markdown,
    import_notes_csv,
    notes_to_csv,
    open_notes_store,
    read_notes_csv,
    write_notes_csv,
)
from netcompare.notes.exchange import NOTE_UID_NAMESPACE
from tests.data.make_bad_inputs import XLSX, ZIPPED

from .conftest import make_note

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "notes.csv"


def _populate(store) -> list[Note]:
    make_note(store, practice_id="P001", period="2025-02-01", tags=["recall", "mdt"])
    q = store.ask_question(
        practice_id="P003",
        network_id="N1",
        indicator_id="IMM_MMR1",
        body='How do you "phone" them?\nAnd when, =today?',
        author="Dr B",
        tags=["recall"],
    )
    store.answer_question(q.note_uid, body="-Fridays, 3pm\n\n+ texts", author="@nurse")
    gone = store.add_action(
        network_id="N1",
        practice_ids=["P002"],
        body="<script>x</script>",
        author="N1 learning set",
        owner="Practice manager, P002",
        due_date="2025-06-30",
    )
    store.delete_note(gone.note_uid)
    return store.list_notes(include_deleted=True, newest_first=False)


def test_csv_round_trip_between_databases_keeps_every_field(store, tmp_path):
    notes = _populate(store)
    path = tmp_path / "backup.csv"
    assert write_notes_csv(notes, path) == 4
    with path.open(encoding="utf-8", newline="") as f:
        assert tuple(csv.DictReader(f).fieldnames) == CSV_COLUMNS
    assert read_notes_csv(path) == notes

    other = open_notes_store(f"sqlite:///{(tmp_path / 'other.db').as_posix()}", seed=False)
    try:
        result = import_notes_csv(other, path)
        assert (result.added, result.updated, result.unchanged) == (4, 0, 0)
        assert other.list_notes(include_deleted=True, newest_first=False) == notes
        again = import_notes_csv(other, path)  # import never duplicates
        assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
        assert other.count(include_deleted=True) == 4
    finally:
        other.close()


def test_newer_copy_in_the_file_updates_the_note(store, tmp_path):
    note = make_note(store)
    path = tmp_path / "a.csv"
    write_notes_csv(store.list_notes(), path)
    store.update_note(note.note_uid, body="edited later")
    assert import_notes_csv(store, path).unchanged == 1  # the database copy is newer
    edited = store.get_note(note.note_uid)
    write_notes_csv([edited], path)
    text = path.read_text(encoding="utf-8").replace("edited later", "edited in the file")
    later = datetime(2100, 1, 1, tzinfo=UTC).isoformat()
    text = text.replace(edited.updated_at.isoformat(), later)
    path.write_text(text, encoding="utf-8")
    assert import_notes_csv(store, path).updated == 1
    assert store.get_note(note.note_uid).body == "edited in the file"
    assert store.count() == 1


def test_formula_cells_are_neutralised_and_round_trip():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    bodies = ["=1+1", "+44 20", "-minus", "@SUM(A1)", "'=quoted", "''=two", "'plain", "plain"]
    notes = [
        Note(
            note_uid=f"n{i}",
            practice_id="P1",
            network_id="N1",
            kind="practice_note",
            body=b,
            author="=cmd|' /C calc'!A0",
            created_at=now,
            updated_at=now,
        )
        for i, b in enumerate(bodies)
    ]
    text = notes_to_csv(notes)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["body"] for r in rows] == [
        "'=1+1",
        "'+44 20",
        "'-minus",
        "'@SUM(A1)",
        "''=quoted",
        "'''=two",
        "'plain",
        "plain",
    ]
    assert all(r["author"].startswith("'=") for r in rows)


def test_formula_round_trip_through_a_file(tmp_path):
    now = datetime(2025, 1, 1, tzinfo=UTC)
    notes = [
        Note(
            note_uid=f"n{i}",
            practice_id="P1",
            network_id="N1",
            kind="practice_note",
            body=b,
            author="a",
            created_at=now,
            updated_at=now,
        )
        for i, b in enumerate(["=1+1", "'=quoted", "-x", "'plain"])
    ]
    write_notes_csv(notes, tmp_path / "f.csv")
    assert read_notes_csv(tmp_path / "f.csv") == notes


def test_minimal_csv_without_ids_is_idempotent(store, tmp_path):
    path = tmp_path / "hand-made.csv"
    path.write_text(
        "practice_id,network_id,kind,author,body,tags\n"
        "P010,N3,practice_note,Dr Karim,We ring every patient after rehab,referral\n"
        'P010,N3,question,Nurse Pike,"How long, and who rings?",\n',
        encoding="utf-8",
    )
    assert import_notes_csv(store, path).added == 2
    assert import_notes_csv(store, path).added == 0
    assert store.count() == 2


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffpractice_id,network_id,kind,author,body\nP1,N1,question,Anne,টিকা?\n".encode()
    )
    [note] = read_notes_csv(path)
    assert note.body == "টিকা?" and note.kind == "question"


HEADER = ",".join(CSV_COLUMNS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "notes.csv is empty"),
        ("practice_id,network_id,kind,author\n", "missing required column(s) body"),
        ("practice_id,network_id,kind,author,body,colour\n", "unknown column(s) 'colour'"),
        (
            "practice_id,network_id,kind,author,body,body\n",
            "notes.csv, row 1: the column 'body' appears twice (columns 5 and 6)",
        ),
        (
            "practice_id,network_id,kind,author,body,Body\n",
            "notes.csv, row 1: the columns 'body' and 'Body' differ only in case",
        ),
        (
            "practice_id,network_id,kind,author,body\nP1,N1,rumour,A,b\n",
            "notes.csv, row 2: the kind 'rumour' is not one of",
        ),
        (
            "practice_id,network_id,kind,author,body\nP1,N1,question,A,b\nP1,N1,question,A,\n",
            "notes.csv, row 3: the note text is empty",
        ),
        (
            "practice_id,network_id,kind,author,body\nP1,N1,question,A,b,extra\n",
            "notes.csv, row 2: more cells than the header",
        ),
        (
            "practice_id,network_id,kind,author,body,created_at\nP1,N1,question,A,b,yesterday\n",
            "notes.csv, row 2: created_at 'yesterday' is not a date-time",
        ),
        (
            "note_uid,practice_id,network_id,kind,author,body\nx1,P1,N1,question,A,b\n"
            "x1,P1,N1,question,A,c\n",
            "notes.csv, row 3: note_uid x1 is also on row 2",
        ),
        (
            "note_uid,practice_id,network_id,kind,author,body,parent_uid\n"
            "x1,P1,N1,practice_note,A,b,\nx2,P1,N1,answer,A,c,x1\n",
            "notes.csv, row 3: it answers x1 (row 2), which is a practice_note, not a question",
        ),
        (
            "note_uid,practice_id,network_id,kind,author,body\nbad uid!,P1,N1,question,A,b\n",
            "notes.csv, row 2: the note id 'bad uid!' must be",
        ),
    ],
)
def test_bad_files_name_file_row_and_problem(tmp_path, content, message):
    path = tmp_path / "notes.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_notes_csv(path)
    assert message in str(err.value)


def test_answer_to_a_question_missing_everywhere_names_the_row(store, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        "note_uid,practice_id,network_id,kind,author,body,parent_uid\n"
        "a1,P1,N1,practice_note,A,fine,\n"
        "a2,P1,N1,answer,A,orphan,q-missing\n",
        encoding="utf-8",
    )
    with pytest.raises(
        NoteValidationError,
        match=re.escape("notes.csv, row 3: it answers question q-missing, which does not exist"),
    ):
        import_notes_csv(store, path)
    assert store.count() == 0  # all or nothing


def test_answer_to_a_question_already_in_the_database(store, tmp_path):
    q = store.ask_question(practice_id="P1", network_id="N1", body="How?", author="A")
    path = tmp_path / "answers.csv"
    path.write_text(
        "note_uid,practice_id,network_id,kind,author,body,parent_uid\n"
        f"a1,P1,N1,answer,B,Like this,{q.note_uid}\n",
        encoding="utf-8",
    )
    assert import_notes_csv(store, path).added == 1
    assert [a.body for a in store.answers_to(q.note_uid)] == ["Like this"]


def test_unreadable_files(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_notes_csv(tmp_path / "nope.csv")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(b"practice_id,network_id,kind,author,body\nP1,N1,question,Ren\xe9,b\n")
    with pytest.raises(UserError, match=re.escape("latin1.csv is not UTF-8 text")):
        read_notes_csv(latin)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"practice_id\x00,network_id\n")
    with pytest.raises(UserError, match=r"binary\.csv: not a CSV file: it holds binary data"):
        read_notes_csv(binary)
    for data, problem in (
        ("practice_id,network_id\n".encode("utf-16"), "the file is UTF-16 text"),
        (XLSX, "not a CSV file: this is an Excel workbook (.xlsx): save it as CSV UTF-8"),
        (ZIPPED, "not a CSV file: this is a ZIP archive (holding values.csv)"),
    ):
        binary.write_bytes(data)
        with pytest.raises(UserError) as err:
            read_notes_csv(binary)
        assert str(err.value).startswith(f"binary.csv: {problem}")


def test_not_utf8_names_the_row(tmp_path):
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(
        b"practice_id,network_id,kind,author,body\nP1,N1,question,A,b\nP1,N1,question,Ren\xe9,b\n"
    )
    with pytest.raises(UserError) as err:
        read_notes_csv(latin)
    assert str(err.value) == (
        "latin1.csv, row 3: The notes file latin1.csv is not UTF-8 text (byte 0xe9 cannot be "
        "read); save it as CSV UTF-8"
    )


def test_import_cli_names_file_and_row(tmp_path, capsys):
    from netcompare.cli import main

    path = tmp_path / "notes.csv"
    path.write_text("practice_id,network_id,kind,author,body\nP1,N1,question,A,b,extra\n")
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    assert main(["notes", "import", "--db-url", url, str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: notes.csv, row 2: more cells than the header has columns"


def test_sample_notes_are_valid_and_varied():
    notes = read_notes_csv(SAMPLE)
    assert 25 <= len(notes) <= 40
    kinds = {n.kind for n in notes}
    assert kinds == {"practice_note", "question", "answer", "action"}
    practices = {n.practice_id for n in notes} - {None}
    assert all(p.startswith("P") and 1 <= int(p[1:]) <= 36 for p in practices)
    assert {n.network_id for n in notes} == {f"N{i}" for i in range(1, 9)}
    uids = {n.note_uid for n in notes}
    assert all(n.parent_uid in uids for n in notes if n.kind == "answer")


def test_markdown_minutes_escape_and_thread(store):
    notes = _populate(store)
    hostile = make_note(
        store,
        practice_id="P009",
        network_id="N2",
        body="![pixel](http://evil.example/p.png) <script>alert(1)</script>",
        author="**Boss**",
        tags=["x"],
    )
    md = export_markdown(
        [*notes, hostile],
        practice_names={"P003": "Brick Lane [Health] Centre"},
        exported_at=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
    )
    assert md.startswith("# Peer notes\n\nExported 01 Jun 2025 12:00 UTC · 4 notes\n")
    assert "## Brick Lane \\[Health\\] Centre (P003) · network N1" in md
    assert "!\\[pixel\\](http://evil.example/p.png) \\<script\\>alert(1)\\</script\\>" in md
    assert "\\*\\*Boss\\*\\*" in md
    assert "![" not in md and "<script>" not in md
    assert "<script>x</script>" not in md and "deleted" not in md  # deleted note left out
    lines = md.splitlines()
    q = next(i for i, line in enumerate(lines) if line.startswith("- **Question**"))
    assert lines[q + 1] == '  How do you "phone" them?\\'
    assert lines[q + 2] == "  And when, =today?"
    assert lines[q + 3].startswith("  - **Answer** · @nurse")
    assert lines[q + 4 : q + 7] == ["    \\-Fridays, 3pm", "", "    \\+ texts"]


def _populate_actions(store) -> list[Note]:
    """Actions of every shape (several practices, the whole network, a formula-like owner,
    an old one without owner and due date) and dated practice notes."""
    make_note(store, practice_id="P003", intervention_date="2024-11-04", tags=["recall"])
    store.add_action(
        network_id="N6",
        practice_ids=["P026", "P028", "P027"],
        indicator_id="DM_RETINAL",
        body="Book retinal screening at the bloods visit",
        author="N6 learning set",
        owner='=HYPERLINK("http://evil.example")',
        due_date="2025-06-30",
        status="done",
        intervention_date="2025-04-01",
        period="2025-03",
        tags=["retinal"],
    )
    store.add_action(
        network_id="N3",
        practice_ids=[],
        body="Every N3 practice to get the 8-week list",
        author="N3 learning set",
        owner="@N3 clinical director",
        due_date="2025-06-30",
        status="dropped",
    )
    return store.list_notes(include_deleted=True, newest_first=False)


def test_csv_round_trip_of_the_action_fields(store, tmp_path):
    notes = _populate_actions(store)
    path = tmp_path / "actions.csv"
    write_notes_csv(notes, path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = {r["body"]: r for r in csv.DictReader(f)}
    multi = rows["Book retinal screening at the bloods visit"]
    assert multi["owner"] == '\'=HYPERLINK("http://evil.example")'  # neutralised in the file
    assert (multi["due_date"], multi["status"], multi["intervention_date"]) == (
        "2025-06-30",
        "done",
        "2025-04-01",
    )
    assert multi["practice_ids"] == "P026;P027;P028" and multi["practice_id"] == "P026"
    wide = rows["Every N3 practice to get the 8-week list"]
    assert (wide["practice_id"], wide["practice_ids"], wide["owner"]) == (
        "",
        "",
        "'@N3 clinical director",
    )
    dated = rows["Recall coordinator phones MMR defaulters every Friday"]
    assert dated["intervention_date"] == "2024-11-04"
    assert (dated["owner"], dated["due_date"], dated["status"], dated["practice_ids"]) == (
        "",
        "",
        "",
        "",
    )
    assert read_notes_csv(path) == notes

    other = open_notes_store(f"sqlite:///{(tmp_path / 'other.db').as_posix()}", seed=False)
    try:
        assert import_notes_csv(other, path).added == 3
        assert other.list_notes(include_deleted=True, newest_first=False) == notes
        assert import_notes_csv(other, path).unchanged == 3
        [moved] = other.list_actions(network_ids=["N6"])
        assert moved.owner == '=HYPERLINK("http://evil.example")'
        assert other.list_actions(practice_ids=["P028"], include_network_wide=False) == [moved]
    finally:
        other.close()


def test_an_old_format_csv_with_meeting_actions_imports(store, tmp_path):
    """A backup written before actions (no owner … practice_ids columns; kind meeting_action)
    reads as migration 0003 would have turned it: open actions concerning their practice."""
    old_columns = CSV_COLUMNS[: CSV_COLUMNS.index("deleted_at") + 1]
    assert "owner" not in old_columns
    path = tmp_path / "old.csv"
    path.write_text(
        ",".join(old_columns) + "\n"
        "ma-1,P026,N6,DM_RETINAL,2025-03-01,meeting_action,,N6 learning set,"
        "Try it for three months,recall,2025-03-12T14:00:00+00:00,2025-03-12T14:00:00+00:00,\n"
        "pn-1,P025,N6,DM_RETINAL,2025-03-01,practice_note,,Rashid Miah,"
        "Same visit as the bloods,,2025-03-10T11:00:00+00:00,2025-03-10T11:00:00+00:00,\n",
        encoding="utf-8",
    )
    result = import_notes_csv(store, path)
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    action = store.get_note("ma-1")
    assert (action.kind, action.status, action.practice_ids) == ("action", "open", ("P026",))
    assert (action.owner, action.due_date, action.intervention_date) == (None, None, None)
    assert action.tags == ("recall",)
    assert store.get_note("pn-1").practice_ids == ()


def test_rows_without_ids_keep_the_ids_they_had_before_the_rename(tmp_path):
    """A file without note_uid gets ids from its content; a meeting action's must not change
    with the rename, or importing the same old file again would duplicate it."""

    path = tmp_path / "minimal.csv"
    path.write_text(
        "practice_id,network_id,kind,author,body\n"
        "P017,N4,Meeting action,N4 learning set,Refer every smoker\n"
        "P017,N4,action,N4 learning set,Refer every smoker\n",
        encoding="utf-8",
    )
    old, new = read_notes_csv(path)
    key = "\x1f".join(["P017", "N4", "None", "None", "meeting_action", "N4 learning set"])
    assert old.note_uid == str(uuid.uuid5(NOTE_UID_NAMESPACE, key + "\x1fRefer every smoker\x1f"))
    assert old.kind == "action" and new.kind == "action"
    assert old.note_uid != new.note_uid


def test_markdown_shows_the_action_fields_escaped(store):
    notes = _populate_actions(store)
    wide_uid = next(n.note_uid for n in notes if n.practice_id is None)
    hostile = store.update_action(wide_uid, owner="**Boss** <img src=x>", due_date="2025-07-31")
    notes = [n if n.note_uid != wide_uid else hostile for n in notes]
    md = export_markdown(
        notes,
        practice_names={"P026": "Foundry [Practice]", "P027": "Barley *Medical*"},
        exported_at=datetime(2025, 8, 1, 12, 0, tzinfo=UTC),
    )
    lines = md.splitlines()
    multi = next(line for line in lines if line.startswith("- **Action** · N6 learning set"))
    assert 'owner: \'=HYPERLINK("http://evil.example")' not in multi
    assert 'owner: \\=HYPERLINK("http://evil.example")' in multi  # Markdown-escaped
    assert "due 30 Jun 2025" in multi and "status: Done" in multi
    assert "practices: Foundry \\[Practice\\] (P026), Barley \\*Medical\\* (P027), P028" in multi
    assert "started 01 Apr 2025" in multi and "tags: retinal" in multi
    assert "## Network N3 as a whole" in md
    wide = next(line for line in lines if line.startswith("- **Action** · N3 learning set"))
    assert "owner: \\*\\*Boss\\*\\* \\<img src=x\\>" in wide
    assert "the whole network" in wide and "status: Dropped" in wide and "due 31 Jul 2025" in wide
    assert not re.search(r"(?<!\\)<img", md) and "**Boss**" not in md
    dated = next(line for line in lines if line.startswith("- **What we do**"))
    assert "started 04 Nov 2024" in dated and "owner" not in dated


def test_author_id_round_trips_and_is_optional(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        "practice_id,network_id,kind,author,body,author_id\n"
        "P1,N1,practice_note,Mo,Fridays, Mo@NHS.net \n"
        "P1,N1,practice_note,Anne,Thursdays,\n",
        encoding="utf-8",
    )
    signed, unsigned = read_notes_csv(path)
    assert (signed.author_id, unsigned.author_id) == ("mo@nhs.net", None)
    again = tmp_path / "again.csv"
    again.write_text(notes_to_csv([signed, unsigned]), encoding="utf-8")
    assert read_notes_csv(again) == [signed, unsigned]
    assert CSV_COLUMNS[-1] == "author_id"


@pytest.mark.parametrize("bad", ["mo", "mo@nhs@net", "m o@nhs.net", "a" * 250 + "@nhs.net"])
def test_a_bad_author_id_names_the_row(tmp_path, bad):
    path = tmp_path / "notes.csv"
    path.write_text(
        f"practice_id,network_id,kind,author,body,author_id\nP1,N1,practice_note,Mo,x,{bad}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        NoteValidationError, match=r"notes.csv, row 2: author_id .* is not an email"
    ):
        read_notes_csv(path)
