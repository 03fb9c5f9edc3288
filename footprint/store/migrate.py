"""The store's schema, upgraded in code with Alembic (no alembic.ini): a database at an older
revision is brought to head, one at a revision this code does not know is refused."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from footprint.store.errors import SchemaError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x466F6F74  # pg_advisory_xact_lock key: one migrating process at a time


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store, migrating over ``connection`` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(config()).get_current_head() or ""


def upgrade(connection: Connection) -> None:
    """Bring the database to :func:`head` inside the caller's transaction.

    Raises :class:`SchemaError` when the database is at a revision this code does not know
    (written by a newer version of the app); nothing is changed then.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    cfg = config(connection)
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    current = set(MigrationContext.configure(connection).get_current_heads())
    unknown = sorted(current - known)
    if unknown:
        raise SchemaError(
            f"the workspace store's schema is at revision {', '.join(unknown)}, newer than "
            f"this version of Trial Footprint knows (up to {script.get_current_head()}): "
            "upgrade the app, or point FOOTPRINT_DATABASE_URL at another store; the store "
            "was not changed")
    if current != {script.get_current_head()}:
        command.upgrade(cfg, "head")
