"""`flask --app wsgi emails settings --store NAME [--on|--off] [...]` (a
store's member emails: off until turned on), `emails send` (send what the
outbox holds now: the worker's job, by hand) and `emails mailbox` (the demo's
local SMTP server)."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from loyalty_sync.books.outbox import email_settings
from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db
from loyalty_sync.models import EMAIL_KINDS, EmailSettings
from loyalty_sync.notifications.i18n import available_locales
from loyalty_sync.notifications.mailbox import serve_mailbox
from loyalty_sync.notifications.sender import send_due

command = AppGroup("emails", help="Member emails: per-store settings and the outbox.")

_TEXT_OPTIONS = ("shop_name", "sender_name", "sender_address", "language")


@command.command("settings")
@click.option("--store", "store_name", required=True)
@click.option("--on/--off", "enabled", default=None, help="Send member emails for this store.")
@click.option("--shop-name", default=None, help="The shop's name in the emails (default: the store's name).")
@click.option("--sender-name", default=None, help="The From name (default: the shop's name).")
@click.option("--sender-address", default=None, help="The From address (default: LOYALTY_MAIL_DEFAULT_SENDER).")
@click.option(
    "--language",
    type=click.Choice(["", *available_locales()]),
    default=None,
    help="The emails' language (default: the storefront's for this store, else English).",
)
@click.option(
    "--expiry-days",
    type=click.IntRange(1, 90),
    default=None,
    help="Remind members this many days before their points expire (14).",
)
@click.option(
    "--tier-risk-days",
    type=click.IntRange(1, 90),
    default=None,
    help="Tell members this many days before they would drop a tier (14).",
)
@click.option("--per-minute", type=click.IntRange(1, 10000), default=None, help="Rate limit of this store (60).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND=on|off",
    help=f"Switch one message on or off; kinds: {', '.join(EMAIL_KINDS)}.",
)
def settings(store_name: str, enabled, expiry_days, tier_risk_days, per_minute, kinds, **texts) -> None:
    """Show, or change, the store's email settings."""
    store = get_store_or_fail(store_name)
    row = email_settings(store.id) or EmailSettings(store_id=store.id)
    db.session.add(row)
    if enabled is not None:
        row.enabled = enabled
    for name in _TEXT_OPTIONS:
        if texts.get(name) is not None:
            setattr(row, name, texts[name].strip())
    if expiry_days is not None:
        row.expiry_reminder_days = expiry_days
    if tier_risk_days is not None:
        row.tier_risk_days = tier_risk_days
    if per_minute is not None:
        row.per_minute = per_minute
    for item in kinds:
        kind, _, value = item.partition("=")
        if kind not in EMAIL_KINDS or value not in ("on", "off"):
            raise click.BadParameter(f"{item!r}: use KIND=on|off with KIND one of {', '.join(EMAIL_KINDS)}")
        setattr(row, kind, value == "on")
    db.session.commit()
    click.echo(f"Member emails of {store.name}: {'on' if row.enabled else 'off'}")
    for name in (*_TEXT_OPTIONS, "expiry_reminder_days", "tier_risk_days", "per_minute"):
        click.echo(f"  {name}: {getattr(row, name) or '(default)'}")
    click.echo("  messages: " + ", ".join(f"{kind} {'on' if getattr(row, kind) else 'off'}" for kind in EMAIL_KINDS))


@command.command("mailbox")
@click.option("--port", default=8025, show_default=True, help="The SMTP port to listen on (127.0.0.1).")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the received messages are kept (.eml files).")
def mailbox(port: int, folder: Path) -> None:
    """A local SMTP server that keeps every email it gets (the demo's mailbox; the panel shows them)."""
    controller = serve_mailbox(folder, port)
    click.echo(f"Demo mailbox: smtp://127.0.0.1:{port}, keeping messages in {folder} (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@command.command("send")
def send() -> None:
    """Send the due messages of the outbox now."""
    click.echo(f"Emails: {send_due()}")
