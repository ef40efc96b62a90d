"""One fixture gives every test a clean, migrated database, on SQLite and on
a real PostgreSQL server (started once per session from the machine's
binaries). `LOYALTY_TEST_BACKENDS=sqlite` narrows it for a quick local run.

The schema is built once per backend by the real migrations into a template
(a file copy for SQLite, `CREATE DATABASE ... TEMPLATE` for PostgreSQL), so a
test's database costs milliseconds and the migrations are what is tested.
"""

import itertools
import os
import shutil
from pathlib import Path

import pytest

from loyalty_sync.app import create_app
from loyalty_sync.extensions import db

pytest_plugins = ["tests.support.browser", "tests.support.woosim_fixtures"]

BACKENDS = [b for b in os.environ.get("LOYALTY_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
_counter = itertools.count()


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres():
    from tests.support.postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres):
    postgres.execute("CREATE DATABASE loyalty_template")
    _migrate(postgres.url("loyalty_template"), Path("/tmp"))
    return "loyalty_template"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres")
    template = request.getfixturevalue("postgres_template")
    name = f"t{os.getpid()}_{next(_counter)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def client(app):
    return app.test_client()
