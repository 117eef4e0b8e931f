"""Schema upgrades through Alembic, run by `cirrus init` and `cirrus migrate`."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config

from appliance.db import Database

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head", *, replay: bool = False) -> None:
    """Bring the database schema to `revision` (creating it on an empty database).

    An empty database brought to head gets the models' tables at once and is stamped
    (tests/unit/test_migrations.py keeps that equal to replaying every migration, which
    `replay=True` forces): a fresh install, and every test cloud, starts seconds sooner.
    """
    from sqlalchemy import inspect

    from appliance.models import Base

    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        if not replay and revision == "head" and not inspect(connection).get_table_names():
            Base.metadata.create_all(connection)
            command.stamp(config, "head")
            return
        command.upgrade(config, revision)


def pending(db: Database) -> bool:
    """True when the database lacks migrations that this code needs."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(db)).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads


def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from the models (developers only): `db` must hold the
    previous head's schema as the migrations build it (`upgrade(db, replay=True)`)."""
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
