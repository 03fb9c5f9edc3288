"""The store's tables (SQLAlchemy Core): one row per stored item, one per version of it.

A version row is written once and never changed: the migration adds triggers that refuse an
UPDATE or DELETE of ``document_versions``. An item's ``latest_version`` is its version
counter, raised by one in the same transaction that inserts the version.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from footprint.assumptions import MAX_NAME_LENGTH

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

ID_LENGTH = 16
"""Characters of an item id (``secrets.token_urlsafe(12)``)."""
USER_ID_LENGTH = 320
"""Longest user id (a sign-in subject or e-mail address) [characters]."""

documents = Table(
    "documents", metadata,
    Column("id", String(ID_LENGTH), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("owner_id", String(USER_ID_LENGTH), nullable=False),
    Column("owner_name", String(MAX_NAME_LENGTH), nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("visibility IN ('private', 'team')", name="visibility"),
    CheckConstraint("latest_version >= 1", name="latest_version"),
    Index(None, "kind", "owner_id"),
)

document_versions = Table(
    "document_versions", metadata,
    Column("document_id", String(ID_LENGTH), ForeignKey("documents.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("format", String(8), nullable=False),
    Column("payload", Text, nullable=False),
    Column("author_id", String(USER_ID_LENGTH), nullable=False),
    Column("author_name", String(MAX_NAME_LENGTH), nullable=False),
    Column("note", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("version >= 1", name="version"),
)
