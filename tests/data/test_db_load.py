"""Named, versioned data sets in SQL (issue 16, part 3): load, switch, read back, configure."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from netcompare.config import (
    ConfigError,
    NamedDataset,
    _secret_datasets,
    parse_datasets,
    split_named_source,
)
from netcompare.data import sqlstore
from netcompare.data.load import load_dataset
from netcompare.data.problems import DataValidationError
from netcompare.data.schema import TABLE_NAMES
from netcompare.data.sqlstore import (
    CATALOGUE,
    DatasetNotFound,
    current_version,
    list_datasets,
    load_into_db,
    read_named,
    stored_versions,
)
from netcompare.errors import UserError
from tests.data.db_fixtures import table_names

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def assert_same_tables(a, b) -> None:
    for t in TABLE_NAMES:
        fa, fb = getattr(a, t), getattr(b, t)
        assert_frame_equal(fa.sort(fa.columns), fb.sort(fb.columns))
    assert (a.name, a.source, a.licence) == (b.name, b.source, b.licence)


def changed_copy(tmp_path: Path, name: str = "changed") -> Path:
    """The sample with one more network (so its counts differ) and another name."""
    folder = tmp_path / name
    shutil.copytree(SAMPLE, folder)
    networks = pl.read_csv(folder / "networks.csv", infer_schema=False)
    extra = {c: None for c in networks.columns} | {"network_id": "NX", "network_name": "Extra"}
    pl.concat([networks, pl.DataFrame([extra], schema=networks.schema)]).write_csv(
        folder / "networks.csv"
    )
    meta = folder / "dataset.json"
    meta.write_text(meta.read_text().replace("Riverbank sample borough", "Changed borough"))
    return folder


def broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE, folder)
    values = pl.read_csv(folder / "values.csv", infer_schema=False)
    values.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("-5"))
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    ).write_csv(folder / "values.csv")
    return folder


def test_round_trip_equals_the_folder_data_set(any_db: str, sample) -> None:
    result = load_into_db(SAMPLE, any_db, "borough")
    assert (result.name, result.version) == ("borough", 1)
    assert (result.networks, result.practices, result.indicators, result.values) == (
        8,
        36,
        16,
        sample.values.height,
    )
    assert current_version(any_db, "borough") == "1"
    tables = {f"nc_borough_1_{t}" for t in (*TABLE_NAMES, "snapshot")}
    assert tables | {CATALOGUE} == table_names(any_db)
    assert_same_tables(read_named(any_db, "borough"), sample)
    # the one-string form every loader takes: URL#name
    via_load = load_dataset(f"{any_db}#borough")
    assert_same_tables(via_load, sample)
    [entry] = list_datasets(any_db)
    assert (entry.name, entry.version, entry.label) == ("borough", 1, sample.name)
    assert entry.source_note == sample.source


def test_the_app_reads_the_snapshot_and_a_version_without_one_from_its_rows(
    any_db: str, sample
) -> None:
    load_into_db(SAMPLE, any_db, "borough")
    engine = sa.create_engine(any_db)
    try:
        # Emptied row tables: the read still equals the folder, so it came from the snapshot.
        with engine.begin() as conn:
            conn.execute(sa.text('DELETE FROM "nc_borough_1_values"'))
        assert_same_tables(read_named(any_db, "borough"), sample)
        # A version with no snapshot (loaded by an older netcompare) is read from its rows.
        load_into_db(SAMPLE, any_db, "borough")
        with engine.begin() as conn:
            conn.execute(sa.text('DROP TABLE "nc_borough_2_snapshot"'))
        assert_same_tables(read_named(any_db, "borough"), sample)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def medium_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated data set of 200 practices × 8 indicators × 24 months (38,400 values)."""
    from netcompare.data.sample import write_sample

    folder = tmp_path_factory.mktemp("medium") / "data"
    write_sample(folder, seed=5, practices=200, networks=30, indicators=8, months=24)
    return folder


def test_round_trip_at_a_medium_scale_in_many_chunks(
    any_db: str, medium_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written a few thousand rows per COPY (or INSERT) and read back a few blocks per query
    (PostgreSQL's TID ranges): every row once, typed, equal to the folder data set."""
    monkeypatch.setattr(sqlstore, "COPY_ROWS", 7_000)
    monkeypatch.setattr(sqlstore, "INSERT_ROWS", 7_000)
    monkeypatch.setattr(sqlstore, "COPY_BLOCKS", 40)  # 38,400 rows fill ~330 8 kB blocks
    chunks = sqlstore._chunk_queries
    queries: dict[str, int] = {}

    def counted(table, *args):  # type: ignore[no-untyped-def]
        queries[table] = len(out := chunks(table, *args))
        return out

    monkeypatch.setattr(sqlstore, "_chunk_queries", counted)
    monkeypatch.setattr(sqlstore, "SNAPSHOT_PART_BYTES", 20_000)  # the snapshot in parts
    folder = load_dataset(medium_folder)
    assert load_into_db(medium_folder, any_db, "medium").values == folder.values.height
    stored = load_dataset(f"{any_db}#medium")  # from the snapshot, many parts
    assert_same_tables(stored, folder)
    assert len(stored.warnings) == len(folder.warnings)
    engine = sa.create_engine(any_db)
    with engine.connect() as conn:
        parts = conn.execute(sa.text('SELECT count(*) FROM "nc_medium_1_snapshot"')).scalar()
    engine.dispose()
    assert parts > 8
    # and from the rows, as a version without a snapshot is read
    monkeypatch.setattr(sqlstore, "_read_snapshot", lambda *args: None)
    from_rows = load_dataset(f"{any_db}#medium")
    assert_same_tables(from_rows, folder)
    if any_db.startswith("postgresql"):
        assert queries["values"] > 3 and queries["networks"] == 1


def test_without_the_adbc_driver_postgresql_is_read_through_sqlalchemy(
    pg_db: str, sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """adbc-driver-postgresql is a requirement; missing, the rows come by SELECT (slower)."""
    load_into_db(SAMPLE, pg_db, "borough")
    monkeypatch.setattr(sqlstore, "_adbc", lambda: None)
    monkeypatch.setattr(
        sqlstore, "_read_by_adbc", lambda *a: pytest.fail("ADBC used without the driver")
    )
    assert_same_tables(read_named(pg_db, "borough"), sample)


def test_the_adbc_uri_carries_the_bounded_waits_and_the_urls_own_parameters() -> None:
    import sqlalchemy as sa

    uri = sqlstore.adbc_uri(sa.make_url("postgresql+psycopg://u:p%40ss@db:5433/nc?sslmode=require"))
    assert uri.startswith("postgresql://u:p%40ss@db:5433/nc?sslmode=require&")
    assert "connect_timeout=" in uri and "tcp_user_timeout=" in uri
    assert "options=-c%20statement_timeout%3D" in uri and "+" not in uri


def test_a_built_in_key_is_a_source(sqlite_db: str, sample) -> None:
    assert load_into_db("sample", sqlite_db, "sample").version == 1
    assert_same_tables(read_named(sqlite_db, "sample"), sample)


def test_a_second_load_is_version_2_and_readers_get_it(any_db: str, sample, tmp_path: Path) -> None:
    load_into_db(SAMPLE, any_db, "borough")
    second = load_into_db(changed_copy(tmp_path), any_db, "borough")
    assert (second.version, second.networks, second.dropped) == (2, 9, ())
    assert current_version(any_db, "borough") == "2"
    now = read_named(any_db, "borough")
    assert now.networks.height == 9 and now.name.startswith("Changed borough")
    assert_same_tables(now, load_dataset(tmp_path / "changed"))
    # the previous version stays for instances still reading it; older ones go
    assert stored_versions(any_db, "borough") == [1, 2]
    third = load_into_db(SAMPLE, any_db, "borough")
    assert (third.version, third.dropped) == (3, (1,))
    assert stored_versions(any_db, "borough") == [2, 3]
    assert_same_tables(read_named(any_db, "borough"), sample)


def test_a_database_source_keeps_no_address_and_a_bare_folder_no_path(
    sqlite_db: str, tmp_path: Path
) -> None:
    from netcompare.data.load import write_dataset_sql

    sample = load_dataset(SAMPLE)
    load_into_db(SAMPLE, sqlite_db, "a")
    load_into_db(f"{sqlite_db}#a", sqlite_db, "copy")  # a named data set is a source too
    plain = f"sqlite:///{(tmp_path / 'srv' / 'plain.db').as_posix()}"
    (tmp_path / "srv").mkdir()
    write_dataset_sql(plain, {t: getattr(sample, t) for t in TABLE_NAMES})
    load_into_db(plain, sqlite_db, "plain")
    bare = tmp_path / "srv" / "bare-folder"
    shutil.copytree(SAMPLE, bare)
    (bare / "dataset.json").unlink()
    load_into_db(bare, sqlite_db, "bare")
    notes = {e.name: e.source_note for e in list_datasets(sqlite_db)}
    assert notes["copy"] == sample.source  # the provenance travels with the copy
    assert notes["plain"] == "a database (copied by netcompare db load)"
    assert notes["bare"] == "bare-folder"
    assert str(tmp_path) not in read_named(sqlite_db, "bare").source


def test_two_names_in_one_database_are_independent(any_db: str, tmp_path: Path) -> None:
    load_into_db(SAMPLE, any_db, "a")
    load_into_db(SAMPLE, any_db, "a")
    load_into_db(changed_copy(tmp_path), any_db, "a-b")
    assert (current_version(any_db, "a"), current_version(any_db, "a-b")) == ("2", "1")
    assert read_named(any_db, "a-b").networks.height == 9
    assert [e.name for e in list_datasets(any_db)] == ["a", "a-b"]


def test_invalid_data_is_never_written(any_db: str, sample, tmp_path: Path) -> None:
    broken = broken_copy(tmp_path)
    with pytest.raises(DataValidationError) as err:
        load_into_db(broken, any_db, "borough")
    assert any("numerator" in str(p) for p in err.value.errors)
    assert table_names(any_db) == set()  # not even the catalogue
    load_into_db(SAMPLE, any_db, "borough")
    before = table_names(any_db)
    with pytest.raises(DataValidationError):
        load_into_db(broken, any_db, "borough")
    assert table_names(any_db) == before
    assert current_version(any_db, "borough") == "1"
    assert_same_tables(read_named(any_db, "borough"), sample)


def test_a_load_failing_before_the_switch_leaves_the_old_version(
    any_db: str, sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new tables are filled, then the catalogue update fails: all of it rolls back."""
    load_into_db(SAMPLE, any_db, "borough")
    before = table_names(any_db)

    class Clock:
        UTC = dt.UTC

        class datetime:
            @staticmethod
            def now(tz=None):  # type: ignore[no-untyped-def]
                raise RuntimeError("the machine fell over mid-load")

    monkeypatch.setattr(sqlstore, "dt", Clock)
    with pytest.raises(RuntimeError, match="mid-load"):
        load_into_db(SAMPLE, any_db, "borough")
    monkeypatch.undo()
    assert table_names(any_db) == before
    assert current_version(any_db, "borough") == "1"
    assert load_into_db(SAMPLE, any_db, "borough").version == 2


@pytest.mark.parametrize(
    "name", ["Borough", "", "-x", "_x", "a" * 41, "x;drop table y", "a b", "ä", "x/y"]
)
def test_a_bad_name_is_refused_with_a_reason(sqlite_db: str, name: str) -> None:
    with pytest.raises(UserError, match="must be 1-40 lower-case letters"):
        load_into_db(SAMPLE, sqlite_db, name)
    assert not Path(sqlite_db.removeprefix("sqlite:///")).exists()


def test_the_longest_name_fits_postgresql_identifiers(pg_db: str) -> None:
    name = "n" * 40
    assert load_into_db(SAMPLE, pg_db, name).version == 1
    assert read_named(pg_db, name).practices.height == 36


def test_an_unknown_name_is_reported(sqlite_db: str) -> None:
    with pytest.raises(DatasetNotFound, match="no such SQLite database file"):
        current_version(sqlite_db, "nope")
    assert not Path(sqlite_db.removeprefix("sqlite:///")).exists()  # reading creates nothing
    with pytest.raises(DatasetNotFound, match="no such SQLite database file"):
        read_named(sqlite_db, "nope")
    load_into_db(SAMPLE, sqlite_db, "borough")
    with pytest.raises(DatasetNotFound, match="no data set named 'nope'"):
        read_named(sqlite_db, "nope")


def test_an_unreachable_database_is_a_readable_error_without_the_password() -> None:
    url = "postgresql+psycopg://u:s3cret-pw@127.0.0.1:1/db"
    with pytest.raises(UserError) as err:
        load_into_db(SAMPLE, url, "borough")
    assert "s3cret-pw" not in str(err.value) and "127.0.0.1" in str(err.value)
    with pytest.raises(UserError) as err:
        current_version(url, "borough")
    assert "s3cret-pw" not in str(err.value)


# -- configuration ---------------------------------------------------------------------------


def test_the_environment_names_a_data_set_in_a_database_with_a_hash() -> None:
    sets = parse_datasets(
        "ics=postgresql+psycopg://u:p@db/nc#england; plain=postgresql+psycopg://db/x;"
        "folder=/srv/a#b"
    )
    assert sets == (
        NamedDataset("ics", "ics", "postgresql+psycopg://u:p@db/nc", "england"),
        NamedDataset("plain", "plain", "postgresql+psycopg://db/x"),
        NamedDataset("folder", "folder", "/srv/a#b"),
    )
    assert sets[0].location == "postgresql+psycopg://u:p@db/nc#england"
    assert sets[1].location == "postgresql+psycopg://db/x"


def test_secrets_name_a_data_set_in_a_database() -> None:
    sets = _secret_datasets(
        {
            "england": {
                "source": "postgresql+psycopg://u:p@db/nc",
                "dataset": "england",
                "label": "England",
            },
            "ics": {"source": "sqlite:////srv/nc.db#ics-2"},
            "borough": {"source": "/srv/borough"},
        }
    )
    assert sets == (
        NamedDataset("england", "England", "postgresql+psycopg://u:p@db/nc", "england"),
        NamedDataset("ics", "ics", "sqlite:////srv/nc.db", "ics-2"),
        NamedDataset("borough", "borough", "/srv/borough"),
    )


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"source": "/srv/a", "dataset": "england"}, "needs a database URL"),
        ({"source": "postgresql+psycopg://db/nc", "dataset": "England!"}, "lower-case"),
    ],
)
def test_a_bad_secret_data_set_name_is_named(entry: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        _secret_datasets({"england": entry})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("postgresql+psycopg://u@db/nc#england", ("postgresql+psycopg://u@db/nc", "england")),
        ("sqlite:////srv/a#b#c", ("sqlite:////srv/a#b", "c")),
        # a '#' in a password is not a data set name: the source is left as it is
        ("postgresql+psycopg://u:pa#ss@db/nc", ("postgresql+psycopg://u:pa#ss@db/nc", None)),
        ("/srv/folder#x", ("/srv/folder#x", None)),
        ("postgresql+psycopg://db/nc", ("postgresql+psycopg://db/nc", None)),
    ],
)
def test_split_named_source(source: str, expected: tuple) -> None:
    assert split_named_source(source) == expected


# -- the app picks up a new version without a restart -------------------------------------


def test_the_apps_version_follows_the_catalogue(
    any_db: str, sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netcompare.ui.dataset as ui_dataset

    source = f"{any_db}#borough"
    ui_dataset.catalogue_version.clear()
    ui_dataset.cached_dataset.clear()
    assert ui_dataset.dataset_version(source) == ""  # nothing loaded yet: loading says why
    ui_dataset.catalogue_version.clear()
    load_into_db(SAMPLE, any_db, "borough")
    first = ui_dataset.dataset_version(source)
    assert first == "db:1"
    data = ui_dataset.cached_dataset(source, first, "ICS")
    assert_same_tables(data, sample)
    load_into_db(changed_copy(tmp_path), any_db, "borough")
    assert ui_dataset.dataset_version(source) == "db:1"  # cached for a few seconds
    ui_dataset.catalogue_version.clear()  # ...as if CATALOGUE_TTL_S had passed
    second = ui_dataset.dataset_version(source)
    assert second == "db:2"
    assert ui_dataset.cached_dataset(source, second, "ICS").networks.height == 9
    # the operator's configuration reaches the loader as URL#name
    monkeypatch.setenv("NETCOMPARE_DATASETS", f"ics={source}")
    assert ui_dataset.source_for("ics") == source
    ui_dataset.cached_dataset.clear()
    ui_dataset.catalogue_version.clear()


def test_the_catalogue_version_is_cached_a_few_seconds() -> None:
    import netcompare.ui.dataset as ui_dataset

    assert 0 < ui_dataset.CATALOGUE_TTL_S <= 10
    assert ui_dataset.catalogue_version._info.ttl == ui_dataset.CATALOGUE_TTL_S  # type: ignore[attr-defined]


def test_a_reader_during_a_load_sees_the_old_or_the_new_version_never_a_mix(
    any_db: str, sample, tmp_path: Path
) -> None:
    import threading

    changed = load_dataset(changed_copy(tmp_path))
    load_into_db(SAMPLE, any_db, "borough")
    errors: list[BaseException] = []

    def loads() -> None:
        try:
            for _ in range(2):
                load_into_db(tmp_path / "changed", any_db, "borough")
                load_into_db(SAMPLE, any_db, "borough")
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    loader = threading.Thread(target=loads)
    loader.start()
    seen = set()
    while loader.is_alive() or not seen:
        data = read_named(any_db, "borough")
        expected = changed if data.networks.height == 9 else sample
        assert_same_tables(data, expected)
        seen.add(data.networks.height)
    loader.join()
    assert not errors
    assert current_version(any_db, "borough") == "5"
    assert stored_versions(any_db, "borough") == [4, 5]
