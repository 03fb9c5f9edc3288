"""Choosing the store (one URL: argument, environment, secrets file, embedded default), ids
and the links that open a stored scenario."""

from __future__ import annotations

import pytest

from footprint.paths import ROOT
from footprint.store.errors import StoreError
from footprint.store.workspace import (
    DEFAULT_URL,
    URL_VARIABLE,
    check_id,
    database_url,
    link_params,
    new_id,
    open_store,
    parse_link,
)

SECRET_URL = "postgresql://team@db.example.org/footprint"


@pytest.fixture
def secrets_file(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text(f'{URL_VARIABLE} = "{SECRET_URL}"\n')
    return path


def test_the_argument_then_the_environment_then_secrets_then_the_default(secrets_file,
                                                                          tmp_path):
    env = {URL_VARIABLE: "sqlite:///from-env.sqlite"}
    assert database_url("sqlite:///arg.sqlite", environ=env, secrets_file=secrets_file) \
        == "sqlite:///arg.sqlite"
    assert database_url(environ=env, secrets_file=secrets_file) == "sqlite:///from-env.sqlite"
    assert database_url(environ={URL_VARIABLE: " "}, secrets_file=secrets_file) == SECRET_URL
    assert database_url(environ={}, secrets_file=tmp_path / "none.toml") == DEFAULT_URL


def test_the_embedded_default_lives_in_the_ignored_workspace_folder():
    assert DEFAULT_URL == f"sqlite:///{ROOT / 'workspace' / 'footprint.sqlite'}"
    assert "workspace/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_sqlite_folder_is_created_on_first_use(tmp_path):
    path = tmp_path / "deep" / "er" / "footprint.sqlite"
    open_store(f"sqlite:///{path}").close()
    assert path.is_file()


def test_a_broken_secrets_file_is_reported(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text("FOOTPRINT_DATABASE_URL = [")
    with pytest.raises(StoreError, match="cannot be read as TOML"):
        database_url(environ={}, secrets_file=path)
    path.write_text("FOOTPRINT_DATABASE_URL = 3")
    with pytest.raises(StoreError, match="must be a string"):
        database_url(environ={}, secrets_file=path)


@pytest.mark.parametrize(("url", "problem"), [
    ("not a url", "not a database URL"),
    ("mysql://u@h/db", "not mysql"),
    ("sqlite://", "needs a file path"),
    ("sqlite:///:memory:", "needs a file path"),
])
def test_unusable_urls_are_refused(url, problem):
    with pytest.raises(StoreError, match=problem):
        open_store(url)


def test_ids_are_random_url_safe_and_of_fixed_length():
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(check_id(i) == i and len(i) == 16 for i in ids)


def test_no_new_id_begins_with_a_dash_which_a_command_line_reads_as_an_option():
    # token_urlsafe begins with '-' 1 time in 64: 5,000 draws without the rule miss it ~1e-34
    ids = [new_id() for _ in range(5000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len({i[0] for i in ids}) == 63  # every other first character still occurs


def test_a_link_round_trips_and_a_tampered_one_is_refused():
    item_id = new_id()
    assert link_params(item_id) == {"scenario": item_id}
    assert parse_link(link_params(item_id, 3)) == (item_id, 3)
    assert parse_link({"scenario": [item_id], "version": ["7"]}) == (item_id, 7)
    assert parse_link({"region": "latin-america"}) is None
    with pytest.raises(StoreError, match="not a store id"):
        parse_link({"scenario": item_id + "x"})
    with pytest.raises(StoreError, match="not a version number"):
        parse_link({"scenario": item_id, "version": "2 OR 1=1"})
