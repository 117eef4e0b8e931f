"""Alembic environment: runs against the connection `appliance.schema` hands over."""

from __future__ import annotations

from alembic import context

from appliance.models import Base

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is None:
        raise RuntimeError("run migrations through `cirrus migrate` (appliance.schema)")
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
