"""`flask --app wsgi emails settings --store NAME [--on|--off] [...]` (a
store's member emails: off until turned on; `--webhook-url URL` and
`--webhook-secret` / `--new-webhook-secret`: the outgoing signed webhooks), `emails send` (send what the
outbox holds now: the worker's job, by hand) and `emails mailbox` (the demo's
local SMTP server)."""

import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

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
@click.option("--webhook-url", default=None, help="Also POST every event, signed, to this URL ('' : no webhook).")
@click.option("--webhook-secret", default=None, help="The webhook's HMAC secret (write-only: never shown again).")
@click.option("--new-webhook-secret", is_flag=True, help="Make a random webhook secret and show it once.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND=on|off",
    help=f"Switch one message on or off; kinds: {', '.join(EMAIL_KINDS)}.",
)
def settings(
    store_name: str,
    enabled,
    expiry_days,
    tier_risk_days,
    per_minute,
    kinds,
    webhook_url,
    webhook_secret,
    new_webhook_secret,
    **texts,
) -> None:
    """Show, or change, the store's email and outgoing webhook settings."""
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
    shown_secret = _webhook(row, webhook_url, webhook_secret, new_webhook_secret)
    db.session.commit()
    if shown_secret:
        click.echo(f"Webhook secret (shown once, keep it in the receiving tool): {shown_secret}")
    click.echo(f"Member emails of {store.name}: {'on' if row.enabled else 'off'}")
    for name in (*_TEXT_OPTIONS, "expiry_reminder_days", "tier_risk_days", "per_minute"):
        click.echo(f"  {name}: {getattr(row, name) or '(default)'}")
    click.echo(f"  webhook_url: {row.webhook_url or '(none)'}")
    click.echo(f"  webhook_secret: {'(set)' if row.webhook_secret else '(none)'}")
    click.echo("  messages: " + ", ".join(f"{kind} {'on' if getattr(row, kind) else 'off'}" for kind in EMAIL_KINDS))


def _webhook(row: EmailSettings, url, secret, new_secret: bool) -> str:
    """Apply the webhook options; returns a secret made now (to show once), else ""."""
    if url is not None:
        url = url.strip()
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise click.BadParameter(
                "the webhook URL must start with https:// (or http://)", param_hint="--webhook-url"
            )
        row.webhook_url = url
    if secret is not None:
        if secret and len(secret) < 16:
            raise click.BadParameter("at least 16 characters", param_hint="--webhook-secret")
        row.webhook_secret = secret
    made = ""
    if new_secret or (row.webhook_url and not row.webhook_secret):
        made = row.webhook_secret = secrets.token_hex(32)
    return made


@command.command("mailbox")
@click.option("--port", default=8025, show_default=True, help="The SMTP port to listen on (127.0.0.1).")
@click.option(
    "--dir",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the received messages are kept (.eml files).",
)
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
