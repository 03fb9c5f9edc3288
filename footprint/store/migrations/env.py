"""Alembic's environment: migrations run on the connection that footprint.store.migrate
passes in ``config.attributes["connection"]`` (inside its transaction); no alembic.ini."""

from alembic import context

from footprint.store.schema import metadata

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
