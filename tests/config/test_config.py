"""The one configuration module: environment first, then secrets, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from netcompare.config import ConfigError, NamedDataset, _secret_datasets, parse_datasets, settings


def test_defaults_are_a_laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODE", "DATASETS", "BUILTIN_DATASETS", "DB_URL", "UPLOAD_MAX_MB"):
        monkeypatch.delenv(f"NETCOMPARE_{name}", raising=False)
    s = settings()
    assert (s.mode, s.shared, s.datasets, s.builtin_datasets) == ("local", False, (), True)
    assert (s.db_connect_timeout_s, s.db_statement_timeout_s, s.upload_max_mb) == (5, 5, 50)
    assert s.upload_max_bytes == 50 * 1024 * 1024


def test_shared_mode_and_named_data_sets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NETCOMPARE_MODE", "Shared")
    monkeypatch.setenv("NETCOMPARE_ACCESS", "open")
    monkeypatch.setenv(
        "NETCOMPARE_DATASETS",
        "borough=/srv/a; ics=postgresql+psycopg://u:pw@db/ics?sslmode=require\n\n",
    )
    monkeypatch.setenv("NETCOMPARE_BUILTIN_DATASETS", "off")
    monkeypatch.setenv("NETCOMPARE_DB_STATEMENT_TIMEOUT", "2.5")
    s = settings()
    assert s.shared and not s.builtin_datasets and s.db_statement_timeout_s == 2.5
    assert s.datasets == (
        NamedDataset("borough", "borough", "/srv/a"),
        NamedDataset("ics", "ics", "postgresql+psycopg://u:pw@db/ics?sslmode=require"),
    )
    assert s.dataset("ics").source.endswith("sslmode=require")
    assert s.dataset("nope") is None


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MODE", "public", "must be local or shared"),
        ("DB_CONNECT_TIMEOUT", "0", "must be a positive number"),
        ("DB_STATEMENT_TIMEOUT", "soon", "must be a positive number"),
        ("UPLOAD_MAX_MB", "inf", "must be a positive number"),
        ("BUILTIN_DATASETS", "perhaps", "must be true or false"),
        ("DATASETS", "sample=/srv/a", "is taken by netcompare itself"),
        ("DATASETS", "custom=/srv/a", "is taken by netcompare itself"),
        ("DATASETS", "Big Borough=/srv/a", "must be 1-40 lower-case letters"),
        ("DATASETS", "a=/srv/a;a=/srv/b", "is named twice"),
        ("DATASETS", "borough", "needs key=source"),
    ],
)
def test_a_bad_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(f"NETCOMPARE_{name}", value)
    with pytest.raises(ConfigError, match=says) as err:
        settings()
    assert f"NETCOMPARE_{name}" in str(err.value)


def test_named_data_sets_from_secrets_keep_their_labels() -> None:
    found = _secret_datasets({"ics": {"label": "Our ICS, 2024", "source": "/srv/ics"}})
    assert found == (NamedDataset("ics", "Our ICS, 2024", "/srv/ics"),)
    with pytest.raises(ConfigError, match="needs a source"):
        _secret_datasets({"ics": {"label": "no source"}})
    assert parse_datasets("") == ()


def _with_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    """Run in a folder whose .streamlit/secrets.toml holds ``text`` (Streamlit reads it)."""
    import streamlit as st

    (tmp_path / ".streamlit").mkdir(parents=True)
    (tmp_path / ".streamlit" / "secrets.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(st.secrets, "_secrets", None)


AUTH = """
[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "a-long-random-string"
client_id = "netcompare"
client_secret = "s3cret"
server_metadata_url = "http://127.0.0.1:9400/.well-known/openid-configuration"
"""


def test_a_laptop_is_open_and_a_shared_server_asks_for_sign_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("MODE", "ACCESS"):
        monkeypatch.delenv(f"NETCOMPARE_{name}", raising=False)
    _with_secrets(monkeypatch, tmp_path, "")
    assert (settings().access, settings().sign_in) == ("open", False)
    monkeypatch.setenv("NETCOMPARE_MODE", "shared")
    # Shared with no [auth]: an error that says what to do, never an open server.
    with pytest.raises(ConfigError, match=r"needs an \[auth\] table") as err:
        settings()
    assert "NETCOMPARE_ACCESS=open" in str(err.value)
    monkeypatch.setenv("NETCOMPARE_ACCESS", "open")
    assert settings().access == "open"
    monkeypatch.setenv("NETCOMPARE_ACCESS", "sometimes")
    with pytest.raises(ConfigError, match="must be open or sign-in"):
        settings()


def test_sign_in_needs_every_key_st_login_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NETCOMPARE_MODE", "shared")
    monkeypatch.delenv("NETCOMPARE_ACCESS", raising=False)
    _with_secrets(monkeypatch, tmp_path, AUTH)
    s = settings()
    assert (s.access, s.sign_in) == ("sign-in", True)
    _with_secrets(monkeypatch, tmp_path / "b", AUTH.replace('client_secret = "s3cret"', ""))
    with pytest.raises(ConfigError, match=r"auth\.client_secret") as err:
        settings()
    assert "s3cret" not in str(err.value)
    # The provider's keys may sit in [auth.default] beside the shared ones.
    named = AUTH.replace("client_id", "[auth.default]\nclient_id")
    _with_secrets(monkeypatch, tmp_path / "c", named)
    assert settings().sign_in
