"""Store fixtures: each store test runs on SQLite (a temporary file) and on a real PostgreSQL
server that scripts/postgres.sh starts once per session (Debian's binaries, 127.0.0.1 only)
and stops at the end. Without the binaries the PostgreSQL tests fail, saying what to install.
"""

from __future__ import annotations

import pytest

from footprint.store.workspace import Principal, open_store
from tests.store.postgres import Server

ALICE = Principal("alice@example.org", "Alice")
BOB = Principal("bob@example.org", "Bob")


@pytest.fixture(scope="session")
def postgres_server():
    """The session's PostgreSQL server."""
    server = Server()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store: a SQLite file, or a new database on the server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workspace' / 'footprint.sqlite'}"
        return
    with request.getfixturevalue("postgres_server").database() as url:
        yield url


@pytest.fixture
def store(store_url):
    """An open store at ``store_url``."""
    opened = open_store(store_url)
    yield opened
    opened.close()
