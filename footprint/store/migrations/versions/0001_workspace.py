"""The workspace: items (scenarios, custom indications, site lists) and their versions,
which triggers keep from ever being changed or deleted.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.String(320), nullable=False),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("visibility", sa.String(8), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("visibility IN ('private', 'team')",
                           name=op.f("ck_documents_visibility")),
        sa.CheckConstraint("latest_version >= 1", name=op.f("ck_documents_latest_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_kind_owner_id"), "documents", ["kind", "owner_id"])
    op.create_table(
        "document_versions",
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(320), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_document_versions_version")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_document_versions_document_id_documents")),
        sa.PrimaryKeyConstraint("document_id", "version", name=op.f("pk_document_versions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION refuse_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'a stored version is never changed or deleted'; END $$""")
        op.execute("""
            CREATE TRIGGER document_versions_immutable BEFORE UPDATE OR DELETE
            ON document_versions FOR EACH ROW EXECUTE FUNCTION refuse_version_change()""")
    else:
        op.execute("""
            CREATE TRIGGER document_versions_no_update BEFORE UPDATE ON document_versions
            BEGIN SELECT RAISE(ABORT, 'a stored version is never changed or deleted'); END""")
        op.execute("""
            CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
            BEGIN SELECT RAISE(ABORT, 'a stored version is never changed or deleted'); END""")


def downgrade() -> None:
    op.drop_table("document_versions")
    op.drop_index(op.f("ix_documents_kind_owner_id"), "documents")
    op.drop_table("documents")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION refuse_version_change()")
