"""Alembic environment: the URL and connection come from `db.session.upgrade`, never from an ini file."""

from __future__ import annotations

from alembic import context

from db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached via the alembic CLI by hand
    raise SystemExit("Run migrations with `troly db upgrade`.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
