"""loyalty-sync: a loyalty-program backend for WooCommerce shops.

`create_app` is the one composition root: the web process, the worker and
every `flask --app wsgi ...` command are the same app with the same config.
"""
import logging
import os

from flask import Flask

from loyalty_sync.extensions import db, migrate
from loyalty_sync.settings import default_config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("LOYALTY_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_prefixed_env("LOYALTY")
    if test_config:
        app.config.update(test_config)
    _configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    _register_sqlite_pragmas(app)

    from loyalty_sync import models  # noqa: F401  (tables known to Alembic)
    from loyalty_sync.cli import register_cli

    register_cli(app)
    _register_parts(app)
    return app


def _register_parts(app: Flask) -> None:
    """The web parts and the worker's commands, each a package with `init_app`.
    The storefront goes first: it sets up Flask-Babel, which Flask-Admin also
    uses once it is installed."""
    import admin
    import storefront
    import sync_jobs

    storefront.init_app(app)
    admin.init_app(app)
    sync_jobs.init_app(app)


def _configure_logging(app: Flask) -> None:
    from loyalty_sync.redaction import install_secret_filter

    logging.basicConfig(
        level=os.environ.get("LOYALTY_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_secret_filter()


def _register_sqlite_pragmas(app: Flask) -> None:
    """SQLite: WAL so the web process reads while the worker writes, and a
    busy timeout instead of 'database is locked' errors."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
