"""`flask --app wsgi webhooks ...`: register the store's webhooks, see the intake."""
from __future__ import annotations

import secrets
from urllib.parse import quote

import click
from sqlalchemy import func

from loyalty_sync.cli.stores import get_store_or_fail
from loyalty_sync.extensions import db
from loyalty_sync.models import WebhookEvent, record_audit
from loyalty_sync.woocommerce.errors import StoreError
from sync_jobs.cli import webhooks_cli

#: `order.deleted` is the trash (its body is only `{"id": N}`), `order.restored`
#: its undo (wp-admin's Restore, the whole order): both move points.
TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored", "customer.created",
          "customer.updated")


def delivery_url(public_base_url: str, store_name: str) -> str:
    return f"{public_base_url.rstrip('/')}/webhooks/woocommerce/{quote(store_name, safe='')}"


def install_webhooks(store, public_url: str, echo=lambda _line: None) -> tuple[list, list, list]:
    """Register (or keep) the store's order/customer webhooks pointing at this
    app; returns (created topics, kept topics, problems). Raises StoreError."""
    from loyalty_sync.store_sync.connection import client_for

    if not store.webhook_secret:
        store.webhook_secret = secrets.token_urlsafe(32)
        db.session.commit()
    target = delivery_url(public_url, store.name)
    echo(f"Webhooks of {store.name} deliver to {target}")
    created, kept, problems = [], [], []
    with client_for(store, max_attempts=3) as client:
        existing = [w for w in client.iter_records("webhooks") if isinstance(w, dict)]
        for topic in TOPICS:
            same = [w for w in existing if w.get("topic") == topic and
                    str(w.get("delivery_url", "")).rstrip("/") == target.rstrip("/")]
            if same:
                hook = same[0]
                # Our secret may have changed since it was registered: make sure it is the current one.
                update = {"secret": store.webhook_secret}
                if hook.get("status") != "active":
                    update["status"] = "active"
                answer = client.put(f"webhooks/{hook['id']}", update)
                status = (answer or {}).get("status", hook.get("status"))
                kept.append(topic)
                echo(f"  {topic}: kept webhook {hook['id']} ({status})")
            else:
                answer = client.post("webhooks", {"name": f"loyalty-sync {topic}", "topic": topic,
                                                  "delivery_url": target, "secret": store.webhook_secret,
                                                  "status": "active"})
                status = answer.get("status")
                created.append(topic)
                echo(f"  {topic}: created webhook {answer.get('id')} ({status})")
            if status != "active":
                problems.append(f"{topic} is {status}")
    return created, kept, problems


@webhooks_cli.command("install")
@click.option("--store", "store_name", required=True, help="The store (as in `stores list`).")
@click.option("--url", "public_url", required=True,
              help="This app's public base URL, as the store reaches it, e.g. https://loyalty.example.com")
def install_command(store_name: str, public_url: str) -> None:
    """Register order.created/updated/deleted/restored and
    customer.created/updated in the store, delivering to PUBLIC_URL/webhooks/woocommerce/STORE. Safe to run
    again: webhooks with the same topic and URL are kept, not duplicated."""
    store = get_store_or_fail(store_name)
    if not store.has_keys:
        raise click.ClickException(f"store {store_name!r} has no API keys; set them with: stores add {store_name} "
                                   "--url ... --key ck_... --secret cs_...")
    if not public_url.startswith(("http://", "https://")):
        raise click.ClickException("--url must start with http:// or https://")
    try:
        created, kept, problems = install_webhooks(store, public_url, echo=click.echo)
    except StoreError as exc:
        raise click.ClickException(f"{store.name}: {exc}") from None
    target = delivery_url(public_url, store.name)
    record_audit("cli", "webhooks.install", f"store:{store.name}", store_id=store.id,
                 after={"delivery_url": target, "created": created, "kept": kept})
    db.session.commit()
    click.echo(f"{store.name}: {len(created)} created, {len(kept)} kept.")
    if problems:
        raise click.ClickException(
            "; ".join(problems) + f". WooCommerce activates a webhook only when {target} answers its ping "
            "with 200: check that this URL is reachable from the store, then run this command again.")


@webhooks_cli.command("status")
@click.option("--store", "store_name", default=None, help="Only this store.")
def status_command(store_name: str | None) -> None:
    """Webhook events received, pending and failed, per store."""
    from loyalty_sync.models import Store

    query = db.select(Store.name, func.count(WebhookEvent.id),
                      func.count(WebhookEvent.id).filter(WebhookEvent.processed_at.is_(None)),
                      func.count(WebhookEvent.id).filter(WebhookEvent.processed_at.is_(None),
                                                         WebhookEvent.error != "")) \
        .join(WebhookEvent, WebhookEvent.store_id == Store.id, isouter=True).group_by(Store.name).order_by(Store.name)
    if store_name:
        query = query.where(Store.id == get_store_or_fail(store_name).id)
    for name, total, pending, failing in db.session.execute(query):
        click.echo(f"{name}\t{total} received\t{pending} pending\t{failing} failing")
