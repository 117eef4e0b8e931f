"""The migrations build exactly the schema the models declare (nothing missing, nothing
extra), so `cirrus migrate` gives every installation the tables the code expects, and a
fresh database made from the models at once (what `cirrus init` does) is the same one."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from appliance import schema
from appliance.db import Database
from appliance.models import Base


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    schema.upgrade(db, replay=True)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert differences == []


def test_a_fresh_database_from_the_models_is_at_head(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    schema.upgrade(db)
    assert not schema.pending(db)
    schema.upgrade(db)  # at head already: nothing to do
    db.dispose()
