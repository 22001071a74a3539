"""CSV export/import (backups, moving between databases) and Markdown minutes."""

from __future__ import annotations

import csv
import io
import re
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
