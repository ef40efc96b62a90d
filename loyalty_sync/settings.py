"""Configuration from the environment over safe defaults.

`DATABASE_URL` and `SECRET_KEY` are read as is (they are the names every
platform uses); everything else can be set with a `LOYALTY_` prefix, e.g.
`LOYALTY_SYNC_INTERVAL_SECONDS=60`.
"""

import os
import secrets
from pathlib import Path


def default_config(instance_path: str) -> dict:
    sqlite_file = Path(instance_path) / "loyalty.sqlite3"
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_file}"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("LOYALTY_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("LOYALTY_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SYNC_INTERVAL_SECONDS": 300,
        "SYNC_CONCURRENCY": 4,
        "STORE_TIMEOUT_SECONDS": 30,
    }


def normalise_database_url(url: str) -> str:
    """Heroku-style `postgres://` URLs and bare `postgresql://` both mean psycopg 3 here."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _instance_secret(instance_path: str) -> str:
    """A per-installation random key, kept in the instance folder, so the demo
    needs no set-up and never runs with a well-known key."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
