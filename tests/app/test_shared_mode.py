"""Shared mode and secrets (issue 13, points 1, 2 and 6): tried as a hostile visitor would.

In shared mode no page reads a server path or database the operator did not name, uploads
land in the session's private folder under canonical names and within the size limit, and no
password from a URL reaches anything a visitor can see (elements, labels, the browser's URL).
"""

from __future__ import annotations

import gc
import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

import netcompare.ui.dataset as ui_dataset
from netcompare.data.load import write_dataset_sql
from netcompare.ui import upload
from netcompare.ui.guard import LAST_ERROR_KEY
from tests.app.apptest_reading import no_exception, shown, texts
from tests.app.conftest import APP
from tests.app.tiny_datasets import tiny_tables, write_tiny
from tests.importers.conftest import FINGERTIPS_HEADER, fingertips_row, write_csv

SECRET = "SECRETPW-7f3a"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def everything_shown(at: AppTest) -> str:
    """Every element of the last run (its protobuf, so labels, options, help and values
    too) and the browser's URL: all that a visitor's browser receives from the page, as a
    reader sees it (Markdown escapes resolved, so an escaped secret is still found)."""

    def walk(node: object) -> list[str]:
        proto = getattr(node, "proto", None)
        out = []
        if proto is not None:
            text = text_format.MessageToString(proto, as_utf8=True)
            out.append(shown(text.replace("\\\\", "\\")))
        for child in getattr(node, "children", {}).values():
            out.extend(walk(child))
        return out

    return "\n".join(walk(at._tree)) + "\n" + repr(dict(at.query_params))


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every source the app asks the loader to open, in order (the cache is cleared first,
    so each is really opened)."""
    opened: list[str] = []
    real = ui_dataset.load_dataset

    def spy(source, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(source))
        return real(source, **kwargs)

    ui_dataset.cached_dataset.clear()
    monkeypatch.setattr(ui_dataset, "load_dataset", spy)
    return opened


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETCOMPARE_MODE", "shared")
    monkeypatch.setenv("NETCOMPARE_ACCESS", "open")  # no sign-in: this file tests the rest


def run_app(params: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if params:
        at.query_params.update(params)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_shared_data_page_offers_no_path_or_url_box(
    shared: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_app(page="pages/data.py")
    no_exception(at)
    labels = [t.label for t in at.text_input]
    assert "Folder or database URL" not in labels
    assert all("URL" not in label and "older" not in label for label in labels), labels
    assert any("operator" in m for m in texts(at, "markdown"))
    # Local mode (a laptop) keeps the box.
    monkeypatch.setenv("NETCOMPARE_MODE", "local")
    local = run_app(page="pages/data.py")
    assert "Folder or database URL" in [t.label for t in local.text_input]


@pytest.mark.parametrize(
    "asked",
    [
        "/etc",
        "/root",
        "custom",
        "sqlite:////tmp/netcompare-probe-{id}.db",
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/test",
        "redis://127.0.0.1:6379/0",
    ],
)
def test_a_link_never_opens_a_server_path_or_database(
    shared: None, loads: list[str], asked: str, tmp_path: Path
) -> None:
    asked = asked.replace("{id}", uuid.uuid4().hex[:8])
    at = run_app({"data": asked})
    no_exception(at)
    builtin = {str(d.path) for d in ui_dataset.builtin_datasets()}
    assert loads and set(loads) <= builtin, loads
    assert at.sidebar.selectbox(key="data").value == "sample"
    warnings = texts(at, "warning")
    assert any("not available here" in w for w in warnings), warnings
    shown = everything_shown(at)
    assert SECRET not in shown
    if asked.startswith("sqlite"):
        assert not Path(asked.removeprefix("sqlite:///")).exists()


def test_shared_mode_refuses_a_typed_source_without_opening_it(
    shared: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(upload, "load_dataset", lambda source, **kw: opened.append(source))
    errors: list[str] = []
    monkeypatch.setattr(upload.st, "error", lambda body, **kw: errors.append(str(body)))
    assert upload.use_source("/etc") is False
    assert upload.use_source(f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/x") is False
    assert opened == []
    assert all("shared server" in e for e in errors)
    assert not any(SECRET in e for e in errors)


def test_shared_mode_offers_only_the_operators_data_sets(
    shared: None, loads: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "srv" / "borough")
    monkeypatch.setenv("NETCOMPARE_DATASETS", f"borough={folder}")
    monkeypatch.setenv("NETCOMPARE_BUILTIN_DATASETS", "false")
    at = run_app(page="pages/data.py")
    no_exception(at)
    data = at.sidebar.selectbox(key="data")
    assert data.options == ["borough"]
    assert loads == [str(folder)]
    assert at.query_params["data"] in ("borough", ["borough"])
    assert str(tmp_path) not in everything_shown(at)


def test_a_broken_operator_data_set_names_no_server_path(
    shared: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "srv" / "broken")
    (folder / "values.csv").unlink()
    monkeypatch.setenv("NETCOMPARE_DATASETS", f"broken={folder}")
    monkeypatch.setenv("NETCOMPARE_BUILTIN_DATASETS", "0")
    at = run_app()
    assert not at.exception
    errors = texts(at, "error")
    assert len(errors) == 1 and "broken/values.csv" in errors[0], errors
    assert str(tmp_path) not in everything_shown(at)


def _tiny_files(tmp_path: Path, prefix: str = "") -> list[tuple[str, bytes, str]]:
    folder = write_tiny(tmp_path / "tiny")
    return [(prefix + f.name, f.read_bytes(), "text/csv") for f in sorted(folder.glob("*.csv"))]


def _upload(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.get("file_uploader")[0].set_value(files)
    [button] = [b for b in at.button if b.label == "Check and load uploads"]
    button.click().run()
    return at


def test_uploads_go_to_the_sessions_private_folder_under_canonical_names(
    shared: None, tmp_path: Path
) -> None:
    hostile = "../../../../../tmp/netcompare-evil/"
    at = _upload(run_app(), _tiny_files(tmp_path, hostile))
    no_exception(at)
    assert at.sidebar.selectbox(key="data").value == "custom"
    assert {m.label: m.value for m in at.metric}["Practices"] == "6"
    assert not Path("/tmp/netcompare-evil").exists()
    owner = at.session_state[upload.SESSION_FOLDER_KEY]
    private = owner.path
    assert private.parent == upload._private_root()
    assert oct(private.stat().st_mode & 0o777) == "0o700"
    [tables] = list(private.iterdir())
    assert sorted(p.name for p in tables.iterdir()) == [
        "indicators.csv",
        "networks.csv",
        "practices.csv",
        "values.csv",
    ]
    shown = everything_shown(at)
    assert str(private) not in shown and "netcompare-sessions" not in shown
    assert at.query_params["data"] in ("custom", ["custom"])


def test_a_sessions_folder_is_removed_when_its_session_ends(tmp_path: Path) -> None:
    owner = upload.SessionFolder("0a1b2c3d-test")
    (owner.path / "values.csv").write_text("x")
    path = owner.path
    assert path.is_dir()
    del owner  # Streamlit drops a closed session's state
    gc.collect()
    assert not path.exists()


def test_an_upload_name_only_selects_a_table(shared: None, tmp_path: Path) -> None:
    at = _upload(run_app(), [("../../etc/passwd.csv", b"root:x:0:0", "text/csv")])
    assert not at.exception
    [error] = texts(at, "error")
    assert error.startswith("passwd.csv: not a table of a data set")
    assert at.sidebar.selectbox(key="data").value == "sample"
    assert upload.canonical_name("C:\\Users\\me\\Values.CSV") == "values.csv"
    assert upload.canonical_name("dataset.json") == "dataset.json"


def test_uploads_over_the_limit_are_refused(
    shared: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NETCOMPARE_UPLOAD_MAX_MB", "0.0001")  # about 100 bytes
    at = _upload(run_app(), _tiny_files(tmp_path))
    assert not at.exception
    [error] = texts(at, "error")
    assert "this server takes at most 0.0001 MB" in error
    assert at.sidebar.selectbox(key="data").value == "sample"
    assert upload.SESSION_FOLDER_KEY not in at.session_state  # nothing was written


@pytest.fixture
def pg_dataset_url() -> str:
    """The tiny data set in its own schema of the test database, as a URL with a password
    (the server trusts local connections, so any password is accepted)."""
    schema = f"nc_secret_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = (
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/test"
        f"?options=-csearch_path%3D{schema}"
    )
    write_dataset_sql(url, tiny_tables())
    yield url
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.mark.postgres
def test_a_loaded_database_url_shows_its_password_nowhere(
    pg_dataset_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    at = run_app(page="pages/data.py")
    [box] = [t for t in at.text_input if t.label == "Folder or database URL"]
    box.set_value(pg_dataset_url)
    at.button[0].click().run()
    no_exception(at)
    at.run()
    assert at.sidebar.selectbox(key="data").value == "custom"
    assert {m.label: m.value for m in at.metric}["Practices"] == "6"
    for page in ("pages/overview.py", "pages/league.py", "pages/data.py"):
        at.switch_page(page).run()
        no_exception(at)
        shown = everything_shown(at)
        assert SECRET not in shown, page
        assert "postgres:***@127.0.0.1" in shown  # the label names the database, masked
    assert at.query_params["data"] in ("custom", ["custom"])
    assert SECRET not in caplog.text


@pytest.mark.postgres
def test_an_unreachable_database_url_is_named_without_its_password() -> None:
    at = run_app(page="pages/data.py")
    [box] = [t for t in at.text_input if t.label == "Folder or database URL"]
    box.set_value(f"postgresql+psycopg://me:{SECRET}@127.0.0.1:1/nowhere")
    at.button[0].click().run()
    assert not at.exception
    [error] = texts(at, "error")
    assert "me:***@127.0.0.1:1/nowhere" in error
    assert SECRET not in everything_shown(at)


def test_a_fingertips_export_with_an_infinite_count_is_reported_not_a_traceback(
    tmp_path: Path,
) -> None:
    rows = [
        fingertips_row(Area_Code="F84016", Area_Type="GPs", Count="inf", Denominator=10),
        fingertips_row(Area_Code="F84017", Area_Type="GPs", Count=3, Denominator=10),
    ]
    path = write_csv(tmp_path / "fingertips.csv", FINGERTIPS_HEADER, rows)
    at = run_app(page="pages/data.py")
    at.get("file_uploader")[4].set_value([("fingertips.csv", path.read_bytes(), "text/csv")])
    [check] = [b for b in at.button if b.label == "Check Fingertips export"]
    check.click().run()
    no_exception(at)
    assert any("left out" in w for w in texts(at, "warning"))
    left_out = [d.value for d in at.dataframe if "reason" in d.value.columns]
    assert left_out and "Count is infinite: 'inf'" in list(left_out[0]["reason"])


@pytest.mark.page_errors
def test_an_unexpected_error_is_a_readable_message_and_the_app_keeps_working(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import netcompare.ui.views as views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom at /srv/secret/path postgresql://u:{SECRET}@db/x")

    monkeypatch.setattr(views, "league_table", broken)
    caplog.set_level(logging.ERROR, logger="netcompare")
    at = run_app(page="pages/league.py")
    assert not at.exception
    [error] = texts(at, "error")
    assert error.startswith("Something went wrong while drawing the page League table")
    shown = everything_shown(at)
    assert "boom" not in shown and "/srv/secret" not in shown and "Traceback" not in shown
    number, trace = at.session_state[LAST_ERROR_KEY]
    assert number in error and "RuntimeError: boom" in trace and SECRET not in trace
    assert "RuntimeError: boom" in caplog.text and SECRET not in caplog.text
    # The sidebar and every other page still work.
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="data").value == "sample"
    assert not [e for e in texts(at, "error") if e.startswith("Something went wrong")]
