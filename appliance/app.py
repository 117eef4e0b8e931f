"""create_app: the Flask application factory."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from appliance.api import registry
from appliance.db import Database


def cirrus_home() -> str:
    """Where the embedded database and generated credentials live."""
    return os.environ.get("CIRRUS_HOME", "/var/lib/cirrus")


def default_database_url() -> str:
    return f"sqlite:///{os.path.join(cirrus_home(), 'cirrus.db')}"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then CIRRUS_* environment variables, then `config` (tests)."""
    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE_URL=default_database_url(),
        INTEGRATION=False,
        COMMAND_MODULES=[],
        LOG_LEVEL="INFO",
    )
    app.config.from_prefixed_env("CIRRUS")
    if config:
        app.config.update(config)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
    )
    # Alembic narrates every plugin at INFO; only its problems belong in our log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    modules = app.config["COMMAND_MODULES"]
    if isinstance(modules, str):
        modules = [m for m in modules.split(",") if m]
    registry.add_command_modules(modules)
    registry.load_commands()
    app.extensions["cirrus.db"] = Database(app.config["DATABASE_URL"])

    from appliance.api import demo_files
    from appliance.api.extract import bp as extract_bp
    from appliance.api.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(extract_bp)
    app.register_blueprint(demo_files.bp)
    return app
