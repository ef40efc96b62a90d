"""`flask --app wsgi stores ...`: connect a WooCommerce store."""

import json
import secrets
from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from loyalty_sync.analysis.first_sync_plan import default_modes, first_sync_plan
from loyalty_sync.books.history import REVIEW, HistoryMode, ModeRefused, choose_mode, mode_of, parse_history_mode
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, record_audit
from loyalty_sync.models.store import new_widget_secret
from loyalty_sync.store_sync.connection import client_for, refresh_site_identity
from loyalty_sync.woocommerce import StoreError
from loyalty_sync.wording import count_of

stores_cli = AppGroup("stores", help="Connect and inspect WooCommerce stores.")


@stores_cli.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The store's base URL, e.g. https://shop.example.com")
@click.option("--key", default="", help="REST API consumer key (ck_...)")
@click.option("--secret", default="", help="REST API consumer secret (cs_...); never printed")
@click.option("--currency", default="EUR", show_default=True)
@click.option(
    "--history",
    "history",
    default=None,
    metavar="MODE",
    help="How the store's past orders count: award (points for every past order), since:YYYY-MM-DD "
    "(points from that date), tiers-only (tiers, VIP and KPIs, no points). Without it the store "
    "is in review: passes pull and plan, nothing is booked or pushed (see `stores plan`).",
)
def add_store(name: str, url: str, key: str, secret: str, currency: str, history: str | None) -> None:
    """Add a store (or update its URL and keys if it exists)."""
    mode = _mode_option(history)
    store = db.session.execute(db.select(Store).filter_by(name=name)).scalar_one_or_none()
    created = store is None
    if created:
        store = Store(name=name, webhook_secret=secrets.token_urlsafe(32), currency=currency, history_mode=REVIEW)
        db.session.add(store)
    store.url = url.rstrip("/")
    if key:
        store.consumer_key = key
    if secret:
        store.consumer_secret = secret
    db.session.flush()
    ensure_program(store)
    if mode is not None:
        _choose(store, mode)
    record_audit(
        "cli",
        "store.add" if created else "store.update",
        f"store:{name}",
        store_id=store.id,
        after={"url": store.url, "keys": "set" if store.has_keys else "not set", "history_mode": store.history_mode},
    )
    db.session.commit()
    click.echo(
        f"{'Added' if created else 'Updated'} store {name} ({store.url}); keys {'set' if store.has_keys else 'not set'}."
    )
    click.echo(f"History: {mode_of(store).describe()}.")
    if store.history_mode == REVIEW:
        click.echo(
            f"Nothing reaches the store until you choose: see `flask --app wsgi stores plan {name}`, then "
            f"`flask --app wsgi stores history {name} --mode MODE`."
        )


@stores_cli.command("history")
@click.argument("name")
@click.option("--mode", "mode_text", required=True, metavar="MODE", help="award, since:YYYY-MM-DD or tiers-only")
def history_command(name: str, mode_text: str) -> None:
    """Choose how the store's past orders count (once: from review, or while nothing is booked)."""
    store = get_store_or_fail(name)
    mode = _mode_option(mode_text)
    before = store.history_mode
    if not _choose(store, mode):
        click.echo(f"{name}: history is already {mode.describe()}.")
        return
    record_audit(
        "cli",
        "store.history",
        f"store:{name}",
        store_id=store.id,
        before={"history_mode": before},
        after={"history_mode": store.history_mode, "connected_at": store.connected_at.isoformat()},
    )
    db.session.commit()
    click.echo(f"{name}: history is now {mode.describe()}; the next pass books it and pushes to the store.")


@stores_cli.command("plan")
@click.argument("name")
@click.option(
    "--since",
    "since_dates",
    multiple=True,
    metavar="YYYY-MM-DD",
    help="Also show the since:YYYY-MM-DD mode for this date (repeatable).",
)
@click.option("--json", "as_json", is_flag=True)
def plan_command(name: str, since_dates: tuple[str, ...], as_json: bool) -> None:
    """What the first sync would book and push in each history mode (writes nothing)."""
    store = get_store_or_fail(name)
    if store.history_mode != REVIEW:
        click.echo(
            f"{name}: already live in mode {store.history_mode}; this shows what the mode would "
            "book from scratch, not what it booked.",
            err=True,
        )
    modes = default_modes(store) + [_mode_option(f"since:{d}") for d in since_dates]
    now = datetime.now(timezone.utc)
    plans = first_sync_plan(store, modes, now=now)
    db.session.rollback()  # nothing to keep (the planner's reads only)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "store": name,
                    "currency": store.currency,
                    "history_mode": store.history_mode,
                    "computed_at": now.isoformat(timespec="seconds"),
                    "modes": [p.as_dict() for p in plans],
                },
                indent=2,
            )
        )
        return
    click.echo(f"{name}: what the first sync would do (from the data pulled so far, {now:%Y-%m-%d %H:%M} UTC)")
    for plan in plans:
        click.echo(f"\n  --history {plan.mode}: {plan.description}")
        click.echo(
            f"    {plan.members} members, {plan.points} points, {plan.vip} VIP; "
            f"liability {plan.liability} {plan.currency}"
        )
        click.echo(
            "    tiers: " + (", ".join(f"{tier or '(none)'} {count}" for tier, count in plan.tiers.items()) or "none")
        )
        if not plan.coupons:
            click.echo("    coupons: none")
        for kind in plan.coupons:
            unpriced = f" (+{kind.unpriced} without a fixed value)" if kind.unpriced else ""
            click.echo(f"    {kind.count} x {kind.name}: {kind.value} {plan.currency}{unpriced}")
    click.echo(f"\nChoose with: flask --app wsgi stores history {name} --mode MODE")


def _mode_option(text: str | None) -> HistoryMode | None:
    if text is None:
        return None
    try:
        return parse_history_mode(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _choose(store: Store, mode: HistoryMode) -> bool:
    try:
        return choose_mode(store, mode)
    except ModeRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None


@stores_cli.command("list")
def list_stores() -> None:
    """List stores (never their secrets), with the installation id that marks
    the coupons this installation pushed to each (see models/store.py)."""
    for store in db.session.execute(db.select(Store).order_by(Store.name)).scalars():
        click.echo(
            f"{store.name}\t{store.url}\tkeys {'set' if store.has_keys else 'not set'}\t{store.currency}"
            f"\thistory {store.history_mode}\tinstallation {store.installation_id or '(from before installation ids)'}"
        )


def get_store_or_fail(name: str) -> Store:
    """The one place that turns an unknown store name into a clear CLI error."""
    store = db.session.execute(db.select(Store).filter_by(name=name)).scalar_one_or_none()
    if store is None:
        raise click.ClickException(f"unknown store {name!r}; add it with: flask --app wsgi stores add {name} --url URL")
    return store


@stores_cli.command("widget-secret")
@click.argument("name")
@click.option(
    "--rotate",
    is_flag=True,
    help="Make a new secret: every identity signed with the old one is refused "
    "at once (put the new one into the WordPress plugin's settings).",
)
def widget_secret_command(name: str, rotate: bool) -> None:
    """Print the store's widget secret (for the shop's server, which signs its customers), or rotate it.

    Only the server's operators can run this; the secret is never shown in the
    panel nor sent to a browser. Reading and rotating are both audited."""
    store = get_store_or_fail(name)
    if rotate:
        store.widget_secret = new_widget_secret()
    record_audit(
        "cli",
        "store.widget_secret.rotate" if rotate else "store.widget_secret.read",
        f"store:{name}",
        store_id=store.id,
    )
    db.session.commit()
    if rotate:
        click.echo(f"{name}: a new widget secret; identities signed with the old one are refused from now on.")
    click.echo(f"Store id: {store.id}")  # the plugin's data-loyalty-store
    click.echo(f"Widget secret: {store.widget_secret}")


@stores_cli.command("test")
@click.argument("name")
def test_store(name: str) -> None:
    """Connect to the store: print its WooCommerce version and currency, or why not."""

    store = get_store_or_fail(name)
    if not store.has_keys:
        raise click.ClickException(
            f"store {name!r} has no API keys; set them with: stores add {name} --url ... --key ck_... --secret cs_..."
        )
    with client_for(store, max_attempts=2) as client:
        try:
            info = client.store_info(require_modified_after=True)
        except StoreError as exc:
            raise click.ClickException(f"{name}: {exc}") from None
        refresh_site_identity(store, client)
    store.wc_version, store.currency = info.version, info.currency or store.currency
    db.session.commit()
    click.echo(
        f"{name}: WooCommerce {info.version} ({store.shop_name}), currency {info.currency}, "
        f"time zone {store.timezone}, {count_of(client.requests_made, 'request')}. Connection OK."
    )
