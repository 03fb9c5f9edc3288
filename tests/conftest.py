"""Shared fixtures: the real database built once per session, a cursor per test."""

from __future__ import annotations

import pytest

from footprint.data.database import build_database


@pytest.fixture(scope="session")
def database():
    """The database built from the shipped data/ (read-only by convention)."""
    con = build_database()
    yield con
    con.close()


@pytest.fixture
def con(database):
    """A cursor of its own for one test."""
    cur = database.cursor()
    yield cur
    cur.close()
