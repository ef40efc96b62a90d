"""`flask --app wsgi demo`: the product on one machine, on SQLite.

Prepares everything a newcomer needs (schema, a store record pointing at a
seeded simulator, an admin login), then runs Procfile.demo with honcho: the
simulator store, the web app and the sync worker. The demo store's history
mode is `award` (DEMO_HISTORY: points for every past order; see
loyalty_sync/books/history.py), chosen before anything reaches the store and
said on start: within a minute the worker's first pass has members with
points, tiers and VIP status, and in the store only the reward coupons the
history's points buy (no coupon for an event before the connection).
"""

import json
import os
import secrets
import socket
import threading
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from honcho.environ import parse_procfile
from honcho.manager import Manager

from loyalty_sync.actions.users import create_user
from loyalty_sync.books.outbox import email_settings
from loyalty_sync.books.history import AWARD, REVIEW, HistoryMode, choose_mode, mode_of
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings, Store, User
from loyalty_sync.store_sync.webhook_install import install_webhooks

ADMIN_EMAIL = "admin@demo.local"
#: How the seeded shop's two years of orders count in the demo.
DEMO_HISTORY = HistoryMode(AWARD)


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port of the admin panel.")
@click.option("--store-port", default=8090, show_default=True, help="Port of the simulator store.")
@click.option("--mail-port", default=8025, show_default=True, help="Port of the demo mailbox (SMTP).")
@with_appcontext
def command(port: int, store_port: int, mail_port: int) -> None:
    """Run the demo: simulator store + admin panel + sync worker (Ctrl-C stops all)."""

    upgrade()
    settings = _demo_settings(Path(current_app.instance_path), store_port)
    store = _demo_store(settings)
    _demo_emails(store)
    password = _demo_admin(settings)
    db.session.commit()
    env = {
        **os.environ,
        "DEMO_STORE_PORT": str(store_port),
        "DEMO_STORE_KEY": settings["key"],
        "DEMO_STORE_SECRET": settings["secret"],
        "PORT": str(port),
        "LOYALTY_INSECURE_COOKIES": "1",  # plain http on localhost
        "LOYALTY_SYNC_INTERVAL_SECONDS": os.environ.get("LOYALTY_SYNC_INTERVAL_SECONDS", "60"),
        "LOYALTY_INSTANCE_PATH": current_app.instance_path,
        # member emails go to the demo mailbox (Procfile.demo `mail`), shown under Logs > Demo mailbox
        "DEMO_MAIL_PORT": str(mail_port),
        "LOYALTY_SMTP_URL": f"smtp://127.0.0.1:{mail_port}",
        "LOYALTY_MAILBOX_DIR": str(Path(current_app.instance_path) / "demo-mailbox"),
        "LOYALTY_PUBLIC_BASE_URL": os.environ.get("LOYALTY_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}"),
    }
    if "DATABASE_URL" not in os.environ:
        env["DATABASE_URL"] = current_app.config["SQLALCHEMY_DATABASE_URI"]
    threading.Thread(
        target=_install_webhooks_when_up,
        args=(current_app._get_current_object(), store.id, store_port, port),
        daemon=True,
    ).start()
    click.echo(f"""
  loyalty-sync demo
  admin panel   http://127.0.0.1:{port}/admin/   login {ADMIN_EMAIL} / {password}
  store (woosim) http://127.0.0.1:{store_port}/wp-json/wc/v3/  (a seeded coffee shop)
  history       {mode_of(store).describe()}
  member emails smtp://127.0.0.1:{mail_port}, read them in the panel: Logs > Demo mailbox
  The worker's first pass starts at once; Ctrl-C stops everything.
""")
    _run_procfile(env)


def _demo_settings(instance: Path, store_port: int) -> dict:
    """Keys and the admin password are generated once and kept in the instance folder."""
    path = instance / "demo.json"
    if path.exists():
        settings = json.loads(path.read_text())
    else:
        settings = {
            "key": "ck_" + secrets.token_hex(20),
            "secret": "cs_" + secrets.token_hex(20),
            "password": secrets.token_urlsafe(12),
        }
        path.write_text(json.dumps(settings))
        path.chmod(0o600)
    settings["url"] = f"http://127.0.0.1:{store_port}"
    return settings


def _demo_store(settings: dict) -> Store:
    store = db.session.execute(db.select(Store).filter_by(name="demo")).scalar_one_or_none()
    if store is None:
        store = Store(name="demo", webhook_secret=secrets.token_urlsafe(32), currency="EUR", history_mode=REVIEW)
        db.session.add(store)
    store.url, store.consumer_key, store.consumer_secret = settings["url"], settings["key"], settings["secret"]
    db.session.flush()
    ensure_program(store)
    if store.history_mode == REVIEW:  # a demo from before history modes keeps the one it has
        choose_mode(store, DEMO_HISTORY)
    return store


def _demo_emails(store: Store) -> None:
    """Member emails are off for a new store (books/outbox.py); the demo shows them."""
    settings = email_settings(store.id) or EmailSettings(store_id=store.id)
    settings.enabled = True
    db.session.add(settings)


def _demo_admin(settings: dict) -> str:

    if db.session.execute(db.select(User).filter_by(email=ADMIN_EMAIL)).scalar_one_or_none() is None:
        create_user(ADMIN_EMAIL, settings["password"], "admin")
    return settings["password"]


def _install_webhooks_when_up(app, store_id: int, store_port: int, web_port: int) -> None:
    """Register the store's webhooks once both the store and the panel answer."""
    if not (_wait_for_port(store_port) and _wait_for_port(web_port)):
        return
    with app.app_context():
        store = db.session.get(Store, store_id)
        try:
            created, kept, problems = install_webhooks(store, f"http://127.0.0.1:{web_port}")
        except Exception as exc:  # the demo still works through the scheduled passes
            click.echo(f"demo: could not register webhooks ({exc}); scheduled passes still sync", err=True)
            return
        click.echo(
            f"demo: webhooks registered ({len(created)} new, {len(kept)} kept)"
            + (f"; {'; '.join(problems)}" if problems else "")
        )


def _wait_for_port(port: int, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _run_procfile(env: dict) -> None:

    root = Path(current_app.root_path).parent
    procfile = parse_procfile((root / "Procfile.demo").read_text())
    manager = Manager()
    venv_bin = str(Path(os.sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    for name, process in procfile.processes.items():
        manager.add_process(name, process, cwd=str(root), env=env)
    manager.loop()
    raise SystemExit(manager.returncode)
