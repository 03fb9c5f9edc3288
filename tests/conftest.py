"""Shared fixtures: the real database opened once per session (as the app and the CLI open
it), a cursor per test."""

from __future__ import annotations

import pytest

from footprint.data.database import open_database


@pytest.fixture(scope="session")
def database():
    """The database built from the shipped data/, opened read-only."""
    con = open_database()
    yield con
    con.close()


@pytest.fixture
def con(database):
    """A cursor of its own for one test."""
    cur = database.cursor()
    yield cur
    cur.close()
