"""`flask --app wsgi stores ...`: connect a WooCommerce store."""
import secrets

import click
from flask.cli import AppGroup

from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, record_audit
from loyalty_sync.store_sync.connection import client_for, refresh_site_identity
from loyalty_sync.woocommerce import StoreError

stores_cli = AppGroup("stores", help="Connect and inspect WooCommerce stores.")


@stores_cli.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The store's base URL, e.g. https://shop.example.com")
@click.option("--key", default="", help="REST API consumer key (ck_...)")
@click.option("--secret", default="", help="REST API consumer secret (cs_...); never printed")
@click.option("--currency", default="EUR", show_default=True)
def add_store(name: str, url: str, key: str, secret: str, currency: str) -> None:
    """Add a store (or update its URL and keys if it exists)."""
    store = db.session.execute(db.select(Store).filter_by(name=name)).scalar_one_or_none()
    created = store is None
    if created:
        store = Store(name=name, webhook_secret=secrets.token_urlsafe(32), currency=currency)
        db.session.add(store)
    store.url = url.rstrip("/")
    if key:
        store.consumer_key = key
    if secret:
        store.consumer_secret = secret
    db.session.flush()
    ensure_program(store)
    record_audit("cli", "store.add" if created else "store.update", f"store:{name}", store_id=store.id,
                 after={"url": store.url, "keys": "set" if store.has_keys else "not set"})
    db.session.commit()
    click.echo(f"{'Added' if created else 'Updated'} store {name} ({store.url}); keys {'set' if store.has_keys else 'not set'}.")


@stores_cli.command("list")
def list_stores() -> None:
    """List stores (never their secrets), with the installation id that marks
    the coupons this installation pushed to each (see models/store.py)."""
    for store in db.session.execute(db.select(Store).order_by(Store.name)).scalars():
        click.echo(f"{store.name}\t{store.url}\tkeys {'set' if store.has_keys else 'not set'}\t{store.currency}"
                   f"\tinstallation {store.installation_id or '(from before installation ids)'}")


def get_store_or_fail(name: str) -> Store:
    """The one place that turns an unknown store name into a clear CLI error."""
    store = db.session.execute(db.select(Store).filter_by(name=name)).scalar_one_or_none()
    if store is None:
        raise click.ClickException(f"unknown store {name!r}; add it with: flask --app wsgi stores add {name} --url URL")
    return store


@stores_cli.command("test")
@click.argument("name")
def test_store(name: str) -> None:
    """Connect to the store: print its WooCommerce version and currency, or why not."""

    store = get_store_or_fail(name)
    if not store.has_keys:
        raise click.ClickException(f"store {name!r} has no API keys; set them with: stores add {name} --url ... "
                                   "--key ck_... --secret cs_...")
    with client_for(store, max_attempts=2) as client:
        try:
            info = client.store_info(require_modified_after=True)
        except StoreError as exc:
            raise click.ClickException(f"{name}: {exc}") from None
        refresh_site_identity(store, client)
    store.wc_version, store.currency = info.version, info.currency or store.currency
    db.session.commit()
    click.echo(f"{name}: WooCommerce {info.version} ({store.shop_name}), currency {info.currency}, "
               f"time zone {store.timezone}, {client.requests_made} request(s). Connection OK.")
