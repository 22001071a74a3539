"""Issue 16's access rules on every page, link and download, as each role sees them.

The viewer is this session's signed-in identity with its rules (sign-in itself is tested in a
real browser, tests/browser/test_signin_browser.py): here it is put where app.py puts it, and
every page is read for what the browser would get — every element's protobuf (text, tables as
Arrow, chart specs, widget options) and every file handed to a download button. The sample's
P029 "Pepper Street Surgery" (network N7) does not share its name.
"""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from netcompare.access.viewer import AccessRule, Viewer
from netcompare.notes.store import get_repository
from netcompare.views.format import NOTES
from tests.app.apptest_reading import no_exception, sample_table
from tests.app.conftest import APP, ROOT

PAGES = [
    "pages/overview.py",
    "pages/league.py",
    "pages/funnel.py",
    "pages/trends.py",
    "pages/networks.py",
    "pages/notes.py",
    "pages/data.py",
    "pages/profile.py",
]
OPTED_OUT = ("Pepper Street Surgery", "P029")
NOTE_ABOUT_P029 = "Pepper Street's recall coordinator phones every family"
NOTE_N7_WIDE = "Network seven agreed a shared vaccination clinic"
NOTE_N1 = "Network one recall list reviewed weekly"

MEMBER_N1 = Viewer(
    "m1@example.nhs.uk", "Mo One", (AccessRule("m1@example.nhs.uk", "N1", "member"),)
)
MEMBER_N7 = Viewer(
    "m7@example.nhs.uk", "Sev En", (AccessRule("m7@example.nhs.uk", "N7", "member"),)
)
NO_NETWORK = Viewer(
    "v@example.nhs.uk", "Vi Ewer", (AccessRule("v@example.nhs.uk", None, "viewer"),)
)
UNKNOWN = Viewer("who@example.org", "Who", ())


def sent(at: AppTest) -> bytes:
    """Everything the run sent to the browser: each element's and block's protobuf."""
    out: list[bytes] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            out.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(out)


def seen(at: AppTest, downloads: dict[str, bytes], asked: dict[str, str] | None = None) -> bytes:
    """What the browser got, the link the page wrote (less what the test typed into it
    and the page left alone) and every download."""
    link = repr({k: v for k, v in at.query_params.items() if (asked or {}).get(k) != v})
    return sent(at) + b"\n" + link.encode() + b"\n" + b"\n".join(downloads.values())


def around(got: bytes, secret: str) -> bytes:
    """Where ``secret`` was found, for the failure message."""
    at = got.find(secret.encode())
    return got[max(0, at - 160) : at + 80]


@pytest.fixture
def notes() -> None:
    repo = get_repository()
    repo.add_note(practice_id="P029", network_id="N7", body=NOTE_ABOUT_P029, author="Ann")
    repo.add_action(
        network_id="N7",
        practice_ids=[],
        body=NOTE_N7_WIDE,
        author="Ann",
        owner="Bo",
        due_date="2027-01-31",
    )
    first_n1 = sample_table("practices").filter(pl.col("network_id") == "N1")["practice_id"][0]
    repo.add_note(practice_id=first_n1, network_id="N1", body=NOTE_N1, author="Cy")


@pytest.fixture(autouse=True)
def signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py asks the sign-in gate who is looking: here, whoever the test's session names
    (st.login itself needs a real browser and provider: tests/browser/test_signin_browser.py)."""
    import streamlit as st

    from netcompare.ui import signin

    monkeypatch.setattr(signin, "sign_in_gate", lambda config, lookup: st.session_state[WHO])


WHO = "_test_signed_in_as"


def run_as(viewer: Viewer, page: str, params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[WHO] = viewer
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    no_exception(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_a_member_of_another_network_never_sees_an_opted_out_name(
    page: str, notes: None, downloads: dict[str, bytes]
) -> None:
    # The URL asks for the practice's own network, named, and the practice itself by code.
    asked = {"network": "N7", "practice": "P029", "notes_practice": "P029", "anonymise": "false"}
    at = run_as(MEMBER_N1, page, asked)
    # The only mention of P029 allowed: the page saying it does not offer what was typed.
    got = seen(at, downloads, asked).replace("“P029”".encode(), b"")
    for secret in (*OPTED_OUT, NOTE_ABOUT_P029, NOTE_N7_WIDE):
        assert secret.encode() not in got, (page, secret, around(got, secret))


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_in_no_network_sees_no_practice_named_anywhere(
    page: str, notes: None, downloads: dict[str, bytes]
) -> None:
    practices = sample_table("practices")
    for viewer in (NO_NETWORK, UNKNOWN):
        downloads.clear()
        at = run_as(viewer, page, {"network": "N1", "anonymise": "false", "anon_style": "codes"})
        got = seen(at, downloads)
        for name in practices["practice_name"]:
            assert name.encode() not in got, (page, viewer.email, around(got, name))
        for code in practices["practice_id"]:
            assert code.encode() not in got, (page, viewer.email, around(got, code))
        for text in (NOTE_ABOUT_P029, NOTE_N7_WIDE, NOTE_N1):
            assert text.encode() not in got, (page, text)


def test_own_network_is_named_and_its_notes_read(notes: None, downloads: dict[str, bytes]) -> None:
    at = run_as(MEMBER_N7, "pages/league.py", {"network": "N7"})
    assert b"Pepper Street Surgery" in sent(at)
    notes_page = run_as(MEMBER_N7, "pages/notes.py", {"network": "N7"})
    got = sent(notes_page)
    assert NOTE_ABOUT_P029.encode() in got and NOTE_N7_WIDE.encode() in got
    # A member of N1 reads N1's notes and, in the whole list, nothing of N7's opted-out one.
    n1 = run_as(MEMBER_N1, "pages/notes.py", {"network": "N1"})
    assert NOTE_N1.encode() in sent(n1)
    assert b"Pepper Street Surgery" not in sent(n1)
    assert NOTE_ABOUT_P029.encode() not in sent(n1)
    # Names of N1's practices: shown to its member, whatever network is chosen.
    names = sample_table("practices").filter(pl.col("network_id") == "N1")["practice_name"]
    league = run_as(MEMBER_N1, "pages/league.py", {"network": "N7"})
    assert all(n.encode() in sent(league) for n in names)


def test_the_meeting_pack_of_another_network_is_anonymised(
    notes: None, downloads: dict[str, bytes]
) -> None:
    at = run_as(MEMBER_N1, "pages/networks.py", {"network": "N7"})
    box = next(c for c in at.checkbox if c.label.startswith("Anonymised pack"))
    assert box.value and box.disabled
    at.button(key="pack_make").click().run()
    no_exception(at)
    html = next(v for k, v in downloads.items() if k.endswith(".html"))
    assert k_anonymised(downloads)
    for secret in (*OPTED_OUT, NOTE_ABOUT_P029, NOTE_N7_WIDE):
        assert secret.encode() not in html
    # Its own network's pack names its practices.
    downloads.clear()
    own = run_as(MEMBER_N7, "pages/networks.py", {"network": "N7"})
    box = next(c for c in own.checkbox if c.label.startswith("Anonymised pack"))
    assert not box.value and not box.disabled
    own.button(key="pack_make").click().run()
    html = next(v for k, v in downloads.items() if k.endswith(".html"))
    assert b"Pepper Street Surgery" in html


def k_anonymised(downloads: dict[str, bytes]) -> bool:
    return all("anonymised" in k for k in downloads if k.startswith("meeting-pack"))


LEAD_N1 = Viewer("l1@example.nhs.uk", "Lea One", (AccessRule("l1@example.nhs.uk", "N1", "lead"),))
OTHER_N1 = Viewer("o1@example.nhs.uk", "Oz One", (AccessRule("o1@example.nhs.uk", "N1", "member"),))
VIEWER_N1 = Viewer(
    "w1@example.nhs.uk", "Wy One", (AccessRule("w1@example.nhs.uk", "N1", "viewer"),)
)


def test_actions_are_signed_by_the_identity_and_changed_only_by_author_or_lead() -> None:
    repo = get_repository()
    mine = repo.add_action(
        network_id="N1",
        practice_ids=[],
        body="Recall list reviewed weekly by the nurse lead",
        author="typed by nobody",
        owner="Nurse lead",
        due_date="2027-02-28",
        actor=MEMBER_N1,
    )
    assert (mine.author, mine.author_id) == ("Mo One", MEMBER_N1.email)

    def controls(viewer: Viewer) -> set[str]:
        at = run_as(viewer, "pages/notes.py", {"network": "N1"})
        return {b.label for b in at.button if b.key and mine.note_uid in b.key}

    assert {"Done", "Dropped"} <= controls(MEMBER_N1)  # its author
    assert {"Done", "Dropped"} <= controls(LEAD_N1)  # the network's lead
    assert not controls(OTHER_N1)  # another member: reads it, cannot change it
    assert not controls(VIEWER_N1)
    # A viewer has no form to add notes or actions; the note form signs with the identity.
    viewer_page = run_as(VIEWER_N1, "pages/notes.py", {"network": "N1"})
    assert "Your name and role" not in [t.label for t in viewer_page.text_input]
    assert any(
        "cannot add" in c.value or "members and lead add" in c.value for c in viewer_page.caption
    )
    member_page = run_as(MEMBER_N1, "pages/notes.py", {"network": "N1"})
    assert "Your name and role" not in [t.label for t in member_page.text_input]
    assert any(c.value == "Signed as Mo One" for c in member_page.caption)
    # Every change is in the audit, under who made it.
    repo.set_action_status(mine.note_uid, "done", actor=LEAD_N1)
    trail = repo.audit(mine.note_uid)
    assert [(e.action, e.actor_id) for e in trail][:2] == [
        ("status", LEAD_N1.email),
        ("add", MEMBER_N1.email),
    ]


def league_notes(viewer: Viewer, network: str) -> dict[str, int]:
    """The league table's Notes column, by the practice as the table names it."""
    at = run_as(viewer, "pages/league.py", {"network": network})
    table = at.dataframe[0].value
    return dict(zip(table["Practice"], table[NOTES].astype(int), strict=True))


def test_note_counts_are_of_the_notes_the_viewer_may_read(notes: None) -> None:
    repo = get_repository()
    repo.add_note(practice_id="P030", network_id="N7", body="Tannery texts reminders", author="Di")
    # Filed under P030, but it concerns the opted-out P029 too: only N7 reads it.
    repo.add_action(
        network_id="N7",
        practice_ids=["P030", "P029"],
        body="Joint recall clinic with Pepper Street",
        author="Di",
        owner="Ed",
        due_date="2027-03-31",
    )
    own = league_notes(MEMBER_N7, "N7")
    assert (own["Tannery Health Centre"], own["Pepper Street Surgery"]) == (2, 1)
    # A member of N1 reads the one note about Tannery (and N1's own), and the counts say so;
    # Pepper Street is a letter with nothing counted against it.
    other = league_notes(MEMBER_N1, "N7")
    first_n1 = sample_table("practices").filter(pl.col("network_id") == "N1")["practice_name"][0]
    assert {k: v for k, v in other.items() if v} == {"Tannery Health Centre": 1, first_n1: 1}
    assert "Pepper Street Surgery" not in other
    # A viewer in no network reads no notes: no count anywhere, not even N1's own note.
    assert set(league_notes(NO_NETWORK, "N1").values()) == {0}
    assert set(league_notes(NO_NETWORK, "N7").values()) == {0}


def test_an_upload_neither_reads_nor_writes_the_shared_notes(
    notes: None, monkeypatch: pytest.MonkeyPatch, downloads: dict[str, bytes]
) -> None:
    """A member of N1 uploads the sample with P029 moved into N1 and sharing its name: in
    those tables the opted-out practice is theirs and named, so the shared notes store must
    not be read through them, nor written (a note filed against N7's practice)."""
    from netcompare.ui import signin

    monkeypatch.setenv("NETCOMPARE_MODE", "shared")  # sign-in on: its [auth] as if complete
    monkeypatch.setattr(signin, "auth_problem", lambda: None)
    monkeypatch.setattr(signin, "navigation_position", lambda settings: "sidebar")
    files = []
    for name in ("indicators.csv", "networks.csv", "values.csv", "practices.csv"):
        data = (ROOT / "sample_data" / name).read_bytes()
        if name == "practices.csv":
            data = data.replace(
                b"P029,Pepper Street Surgery,N7,9160,false", b"P029,Mine,N1,9160,true"
            )
            assert b"P029,Mine,N1" in data
        files.append((name, data, "text/csv"))
    at = run_as(MEMBER_N1, "pages/data.py", {})
    at.get("file_uploader")[0].set_value(files)
    next(b for b in at.button if b.label == "Check and load uploads").click().run()
    no_exception(at)
    assert at.sidebar.selectbox(key="data").value == "custom"
    for page, params in (("pages/notes.py", {}), ("pages/profile.py", {"practice": "P029"})):
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(page).run()
        no_exception(at)
        got = sent(at)
        assert NOTE_ABOUT_P029.encode() not in got and NOTE_N1.encode() not in got, page
        assert "Your name and role" not in [t.label for t in at.text_input]  # no note form
        assert any("Your upload is yours alone" in c.value for c in at.caption), page
    assert len(get_repository().list_notes(practice_ids=["P029"])) == 1  # nothing added
