"""loyalty-sync: a loyalty-program backend for WooCommerce shops.

`create_app` is the one composition root: the web process, the worker and
every `flask --app wsgi ...` command are the same app with the same config.
"""

import logging
import os

from flask import Flask, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError

import admin
import storefront
import sync_jobs
from loyalty_sync import (
    models,  # noqa: F401  (every table known to Alembic and the ORM)
    security_headers,
)
from loyalty_sync.cli import register_cli
from loyalty_sync.extensions import db, migrate
from loyalty_sync.int_bounds import DbIntConverter
from loyalty_sync.redaction import install_secret_filter
from loyalty_sync.settings import default_config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("LOYALTY_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.url_map.converters["int"] = DbIntConverter  # before any route: ids beyond the columns are 404
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_prefixed_env("LOYALTY")
    if test_config:
        app.config.update(test_config)
    _configure_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    _register_sqlite_pragmas(app)

    register_cli(app)
    _register_parts(app)
    security_headers.init_app(app)
    _register_bad_input_safety_net(app)
    return app


def _register_bad_input_safety_net(app: Flask) -> None:
    """Input the checks missed and the database refuses (a number out of range,
    nesting too deep to parse) is the client's error: 400 in the shape of the
    part it came to, logged, never a 500. The checks (`int_bounds`) come first;
    this only keeps a missed one from becoming a 500."""

    def _bad_input(error):
        db.session.rollback()
        app.logger.warning("bad input refused on %s %s: %s", request.method, request.path, type(error).__name__)
        message = "A value in the request is out of range or malformed."
        if request.path.startswith("/admin"):
            return render_template("loyalty/error.html", code=400, title="Bad request", message=message), 400
        if request.path.startswith("/api/"):
            return jsonify({"error": {"code": "invalid_request", "message": message, "field": None}}), 400
        return jsonify({"error": message}), 400

    app.register_error_handler(DataError, _bad_input)
    app.register_error_handler(OverflowError, _bad_input)
    app.register_error_handler(RecursionError, _bad_input)


def _register_parts(app: Flask) -> None:
    """The web parts and the worker's commands, each a package with `init_app`.
    The storefront goes first: it sets up Flask-Babel, which Flask-Admin also
    uses once it is installed."""
    storefront.init_app(app)
    admin.init_app(app)
    sync_jobs.init_app(app)


def _configure_logging(app: Flask) -> None:
    logging.basicConfig(
        level=os.environ.get("LOYALTY_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_secret_filter()


def _register_sqlite_pragmas(app: Flask) -> None:
    """SQLite: WAL so the web process reads while the worker writes, and a
    busy timeout instead of 'database is locked' errors. The listener is on
    the Engine class, so it is added once per process, not once per app."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
